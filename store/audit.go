package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// AuditQuery is an admin's search of one merchant's audit trail.
type AuditQuery struct {
	MerchantID string
	// Actor and Subject are usernames, matched exactly but whatever the
	// case, among the merchant's users.
	Actor, Subject string
	Action         string
	// From and To are days (UTC), both included.
	From, To *time.Time
	// After and Before are cursors from a previous page.
	After, Before string
	Limit         int
}

// Audit reads the audit trail.
type Audit struct {
	db *gorm.DB
}

// NewAudit returns the audit store over db.
func NewAudit(db *gorm.DB) *Audit {
	return &Audit{db: db}
}

// Search returns one page of the merchant's audit events matching q,
// newest first. An actor or subject no user of the merchant has matches
// nothing.
func (s *Audit) Search(ctx context.Context, q AuditQuery) (models.AuditPage, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	db := s.db.WithContext(ctx).Model(&models.AuditEvent{}).Where("merchant_id = ?", q.MerchantID)
	// A scalar subquery keeps this one round trip, lets the database use
	// the (actor_id, created_at) and (subject_id, created_at) indexes, and
	// matches nothing (NULL) for an unknown username.
	if name := strings.TrimSpace(q.Actor); name != "" {
		db = db.Where("actor_id = (?)", s.userByName(q.MerchantID, name))
	}
	if name := strings.TrimSpace(q.Subject); name != "" {
		db = db.Where("subject_id = (?)", s.userByName(q.MerchantID, name))
	}
	if q.Action != "" {
		db = db.Where("action = ?", q.Action)
	}
	if q.From != nil {
		db = db.Where("created_at >= ?", startOfDay(*q.From))
	}
	if q.To != nil {
		db = db.Where("created_at < ?", startOfDay(*q.To).AddDate(0, 0, 1))
	}
	// Newest first; walking backwards (Before, to newer events) reads in
	// the opposite order and turns the page round afterwards.
	sk := seekFrom(q.After, q.Before)
	cur, ok := auditCursorOf(sk.cur)
	if !ok {
		sk = seek{} // a cursor that is not a time: the first page
	}
	op, dir := "<", "DESC"
	if sk.backwards {
		op, dir = ">", "ASC"
	}
	if sk.has {
		// The first condition says no more than the second, but it is one
		// an index on created_at can start from: without it PostgreSQL
		// reads every newer event to skip it, and page 1,000 costs 1,000
		// pages.
		db = db.Where(fmt.Sprintf("created_at %s= ? AND (created_at %s ? OR (created_at = ? AND id %s ?))", op, op, op), cur.at, cur.at, cur.at, cur.id)
	}
	var evs []models.AuditEvent
	if err := db.Order("created_at " + dir + ", id " + dir).Limit(q.Limit + 1).Find(&evs).Error; err != nil {
		return models.AuditPage{}, fmt.Errorf("search audit events: %w", err)
	}
	evs, next, prev := finishPage(evs, q.Limit, sk, func(ev *models.AuditEvent) cursor {
		return cursor{Value: ev.CreatedAt.UTC().Format(time.RFC3339Nano), ID: ev.ID}
	})
	entries, err := s.withNames(ctx, q.MerchantID, evs)
	if err != nil {
		return models.AuditPage{}, err
	}
	return models.AuditPage{Events: entries, Next: next, Prev: prev}, nil
}

// ForSubject lists the newest limit audit events about the merchant's user
// userID, newest first: a user's history on their admin page.
func (s *Audit) ForSubject(ctx context.Context, merchantID, userID string, limit int) ([]models.AuditEntry, error) {
	if !validID(userID) {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	var evs []models.AuditEvent
	err := s.db.WithContext(ctx).Where("merchant_id = ? AND subject_id = ?", merchantID, userID).
		Order("created_at DESC, id DESC").Limit(limit).Find(&evs).Error
	if err != nil {
		return nil, fmt.Errorf("audit history of %s: %w", userID, err)
	}
	return s.withNames(ctx, merchantID, evs)
}

// userByName is the subquery for the id of the merchant's user called name.
// Usernames are unique across the deployment, whatever their case.
func (s *Audit) userByName(merchantID, name string) *gorm.DB {
	return s.db.Model(&models.User{}).Select("id").Where("merchant_id = ? AND lower(username) = lower(?)", merchantID, name)
}

// withNames looks up the usernames of the events' actors and subjects in
// one query, and the names of the API keys that acted in another. Only the
// merchant's users and keys are looked up.
func (s *Audit) withNames(ctx context.Context, merchantID string, evs []models.AuditEvent) ([]models.AuditEntry, error) {
	out := make([]models.AuditEntry, len(evs))
	var ids, keyIDs []string
	for i, ev := range evs {
		out[i].AuditEvent = ev
		for _, id := range []*string{ev.ActorID, ev.SubjectID} {
			if id != nil && validID(*id) && !slices.Contains(ids, *id) {
				ids = append(ids, *id)
			}
		}
		if id := ev.ActorKeyID; id != nil && validID(*id) && !slices.Contains(keyIDs, *id) {
			keyIDs = append(keyIDs, *id)
		}
	}
	keyNames := map[string]string{}
	if len(keyIDs) > 0 {
		var keys []models.APIKey
		if err := s.db.WithContext(ctx).Select("id, name").Where("merchant_id = ? AND id IN ?", merchantID, keyIDs).Find(&keys).Error; err != nil {
			return nil, fmt.Errorf("audit key names: %w", err)
		}
		for _, k := range keys {
			keyNames[k.ID] = k.Name
		}
	}
	names := map[string]string{}
	if len(ids) > 0 {
		var rows []struct{ ID, Username string }
		err := s.db.WithContext(ctx).Model(&models.User{}).Select("id, username").
			Where("merchant_id = ? AND id IN ?", merchantID, ids).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("audit usernames: %w", err)
		}
		for _, r := range rows {
			names[r.ID] = r.Username
		}
	}
	for i := range out {
		e := &out[i]
		switch {
		case e.ActorKeyID != nil:
			e.ActorName = models.KeyActorName(keyNames[*e.ActorKeyID])
		case e.ActorID == nil:
			e.ActorName = models.SystemActor
		default:
			e.ActorName = names[*e.ActorID]
		}
		if e.SubjectID != nil {
			e.SubjectName = names[*e.SubjectID]
		}
	}
	return out, nil
}

// startOfDay is midnight UTC of t's date.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

type auditCursor struct {
	at time.Time
	id string
}

// auditCursorOf reads a cursor's sort key as the event time it holds.
func auditCursorOf(c cursor) (auditCursor, bool) {
	at, err := time.Parse(time.RFC3339Nano, c.Value)
	if err != nil {
		return auditCursor{}, false
	}
	return auditCursor{at: at.UTC(), id: c.ID}, true
}

// failedChecks are the audit actions of a password typed for an account
// that did not pass: wrong, or refused unread during a pause or a lock.
var failedChecks = []string{models.ActionSignInFailed, models.ActionPasswordCheckFailed, models.ActionPasswordCheckRefused}

// FailedChecksSince counts the failed password attempts for userID after
// since (nil: ever), wrong ones and those refused during a pause or a
// lock alike, and when the last one was.
func (s *Audit) FailedChecksSince(ctx context.Context, userID string, since *time.Time) (int, *time.Time, error) {
	q := func() *gorm.DB {
		q := s.db.WithContext(ctx).Model(&models.AuditEvent{}).
			Where("subject_id = ? AND action IN ?", userID, failedChecks)
		if since != nil {
			q = q.Where("created_at > ?", *since)
		}
		return q
	}
	var n int64
	if err := q().Count(&n).Error; err != nil {
		return 0, nil, fmt.Errorf("count failed password checks: %w", err)
	}
	if n == 0 {
		return 0, nil, nil
	}
	var last models.AuditEvent
	if err := q().Order("created_at DESC, id DESC").Take(&last).Error; err != nil {
		return 0, nil, fmt.Errorf("last failed password check: %w", err)
	}
	return int(n), &last.CreatedAt, nil
}

// audit records one event in tx.
func audit(tx *gorm.DB, merchantID string, actorID, subjectID *string, action string, changes models.Changes, meta Meta, now time.Time) error {
	return writeAudit(tx, models.AuditEvent{MerchantID: merchantID, ActorID: actorID, SubjectID: subjectID, Action: action, Changes: changes}, meta, now)
}

// auditBy records one event in tx with actor, a user or a key.
func auditBy(tx *gorm.DB, merchantID string, actor models.Actor, subjectID *string, action string, changes models.Changes, meta Meta, now time.Time) error {
	if actor.Key != nil {
		return auditByKey(tx, merchantID, actor.Key, subjectID, action, changes, meta, now)
	}
	return audit(tx, merchantID, actor.UserID(), subjectID, action, changes, meta, now)
}

// auditByKey records one event in tx that an integration caused through
// key, which is its actor instead of a user. The key must be the
// merchant's.
func auditByKey(tx *gorm.DB, merchantID string, key *models.APIKey, subjectID *string, action string, changes models.Changes, meta Meta, now time.Time) error {
	if key.MerchantID != merchantID {
		return fmt.Errorf("audit %s: key %s is not of merchant %s", action, key.ID, merchantID)
	}
	return writeAudit(tx, models.AuditEvent{MerchantID: merchantID, ActorKeyID: &key.ID, SubjectID: subjectID, Action: action, Changes: changes}, meta, now)
}

// writeAudit writes ev in tx with a new id, where it came from, and now.
func writeAudit(tx *gorm.DB, ev models.AuditEvent, meta Meta, now time.Time) error {
	ev.ID, ev.IP, ev.UserAgent, ev.CreatedAt = NewID(), meta.IP, models.StorableText(meta.UserAgent, models.MaxUserAgent), now
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	return nil
}
