package store

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// Outages follows whether the database answers, so that an outage is
// logged once instead of once a request: a warning with the first error
// when the database stops answering, then, once it has answered again with
// no statement failing for a quiet while, one line saying how long it was
// down and how many requests were refused meanwhile. In between, failures
// are only counted. The quiet while keeps a partial hang (one table
// locked: some statements time out while others succeed) one outage
// rather than a warning and a recovery a request. It is safe for
// concurrent use.
type Outages struct {
	log   *slog.Logger
	now   func() time.Time
	quiet time.Duration
	// down is read on every statement without the lock; mu orders the
	// changes to it and guards the rest.
	down    atomic.Bool
	mu      sync.Mutex
	since   time.Time
	refused int
	// failed is when the outage's last failure was seen; answered is when
	// the database first answered after it (zero until it has).
	failed, answered time.Time
}

// NewOutages returns a tracker that logs to log and ends an outage when
// the database answers and no statement has failed for quiet. A statement
// that began before the database came back can still fail up to the
// database timeout later, so quiet should be longer than that timeout.
func NewOutages(log *slog.Logger, quiet time.Duration) *Outages {
	return &Outages{log: log, now: time.Now, quiet: quiet}
}

// Watch makes every statement on db report to o: one that gets an answer
// counts towards the end of an outage, one that fails as Unavailable
// starts one or keeps it going.
func (o *Outages) Watch(db *gorm.DB) error {
	const name = "myaccount:outages"
	cb := db.Callback()
	return errors.Join(
		cb.Create().After("*").Register(name, o.observe),
		cb.Query().After("*").Register(name, o.observe),
		cb.Update().After("*").Register(name, o.observe),
		cb.Delete().After("*").Register(name, o.observe),
		cb.Row().After("*").Register(name, o.observe),
		cb.Raw().After("*").Register(name, o.observe),
	)
}

func (o *Outages) observe(db *gorm.DB) {
	err := db.Error
	if row, ok := db.Statement.Dest.(*sql.Row); ok && err == nil {
		err = row.Err() // Row defers the query's error to Scan
	}
	switch {
	case err == nil || errors.Is(err, gorm.ErrRecordNotFound):
		o.Answered()
	case patient(db.Statement.Context) && isStatementTimeout(err):
		// A search's walk ran out of its own patience, on purpose: the
		// database answered, and the search goes another way.
		o.Answered()
	case Unavailable(err) && !errors.Is(db.Statement.Context.Err(), context.Canceled):
		// SQLite reports a client that went away as an interrupt: the
		// context tells it from a deadline.
		o.Failed(err)
	}
}

// Failed records that the database did not answer with err; the first
// failure of an outage is logged, and every one starts the quiet while
// again. A client that went away says nothing about the database and is
// left out.
func (o *Outages) Failed(err error) { o.fail(err, 0) }

// Refused records a request answered 503 because of err: it is counted in
// the outage, which it starts if none has started yet.
func (o *Outages) Refused(err error) { o.fail(err, 1) }

func (o *Outages) fail(err error, refused int) {
	if errors.Is(err, context.Canceled) {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	if !o.down.Load() {
		o.since, o.refused = now, 0
		o.down.Store(true)
		o.log.Warn("database unavailable: pages answer 503 until it answers again", "err", err)
	}
	o.failed, o.answered = now, time.Time{}
	o.refused += refused
}

// Answered records that the database answered. It ends an outage once no
// statement has failed for the quiet while, with one line saying how long
// the outage lasted (until the database answered for good) and how many
// requests were refused.
func (o *Outages) Answered() {
	if !o.down.Load() {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.down.Load() {
		return
	}
	now := o.now()
	if o.answered.IsZero() {
		o.answered = now
	}
	if now.Sub(o.failed) < o.quiet {
		return
	}
	o.down.Store(false)
	o.log.Info("database available again", "down_for", o.answered.Sub(o.since).Round(time.Millisecond), "refused", o.refused)
}

// Down reports whether an outage is going on: the database has failed
// and not answered since for the quiet while.
func (o *Outages) Down() bool { return o.down.Load() }

type patienceKey struct{}

// withPatience marks ctx as running statements under a timeout of their
// own (the search's walk), whose expiry says nothing about the database.
func withPatience(ctx context.Context) context.Context {
	return context.WithValue(ctx, patienceKey{}, true)
}

func patient(ctx context.Context) bool {
	v, _ := ctx.Value(patienceKey{}).(bool)
	return v
}

// isStatementTimeout reports whether err is PostgreSQL's statement
// timeout (query_canceled, 57014).
func isStatementTimeout(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "57014"
}
