package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// BenchCursor is the cursor of a page ending at the row whose sort key is
// value and id is id, as Search would make it: the benchmark starts deep
// pages with it without walking every page before.
func BenchCursor(value, id string) string { return encodeCursor(cursor{Value: value, ID: id}) }

// AuditByKey records an event an integration caused through key, as the
// API's writes do, in a transaction of its own.
func AuditByKey(db *gorm.DB, merchantID string, key *models.APIKey, subjectID *string, action string, changes models.Changes, meta Meta) error {
	return db.Transaction(func(tx *gorm.DB) error {
		return auditByKey(tx, merchantID, key, subjectID, action, changes, meta, time.Now().UTC())
	})
}

// SortingMatches is s, but its text searches on PostgreSQL always sort
// what the trigram index finds, as a search does when the
// planner's plan runs out of time.
func SortingMatches(s *Users) *Users {
	c := *s
	c.noWalk = true
	return &c
}

// SortsFirst reports whether SearchCounted sorts q's matches without
// walking to them first: false within the cap.
func SortsFirst(ctx context.Context, s *Users, q UserQuery) (sorts bool, err error) {
	p, err := s.planSearch(q)
	if err != nil {
		return false, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) (err error) {
		_, _, sorts, err = s.searchFew(ctx, tx, p)
		return err
	})
	return sorts, err
}

// TakeSearchSlot waits for one of s's search slots, as a search does, and
// holds it until done is called.
func TakeSearchSlot(ctx context.Context, s *Users) (done func(), err error) { return s.searchSlot(ctx) }

// SetNow sets o's clock, so a test can claim messages the app's own worker
// does not see as due yet.
func (o *Outbox) SetNow(f func() time.Time) { o.now = f }

// SetOutagesClock makes o read the time from now.
func SetOutagesClock(o *Outages, now func() time.Time) { o.now = now }

// SetRateLimitClock makes r read the time from now.
func SetRateLimitClock(r *RateLimits, now func() time.Time) { r.now = now }

// WithPatience is withPatience, for the outage tests.
func WithPatience(ctx context.Context) context.Context { return withPatience(ctx) }
