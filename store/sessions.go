package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"myaccount/models"
)

// Sessions keeps server-side sessions. Rows are keyed by the hash of the
// cookie's token (the auth package computes it).
type Sessions struct{ db *gorm.DB }

// NewSessions returns the session store over db.
func NewSessions(db *gorm.DB) *Sessions { return &Sessions{db: db} }

// signedQuery reads a session with its user and the user's merchant in
// one query: every page needs all three, and three queries cost three
// round trips and three passes through GORM. It is built once, from the
// models' own columns.
var signedQuery struct {
	once sync.Once
	// sql has GORM's placeholders, pgSQL PostgreSQL's own.
	sql, pgSQL              string
	session, user, merchant *columns
	err                     error
}

func (s *Sessions) signedSQL() error {
	q := &signedQuery
	q.once.Do(func() {
		if q.session, q.err = columnsOf(s.db, &models.Session{}); q.err != nil {
			return
		}
		if q.user, q.err = columnsOf(s.db, &models.User{}); q.err != nil {
			return
		}
		if q.merchant, q.err = columnsOf(s.db, &models.Merchant{}); q.err != nil {
			return
		}
		q.sql = "SELECT " + q.session.list("s") + ", " + q.user.list("u") + ", " + q.merchant.list("m") +
			" FROM sessions s JOIN users u ON u.id = s.user_id JOIN merchants m ON m.id = u.merchant_id" +
			" WHERE s.id = ? AND s.expires_at > ?"
		q.pgSQL = strings.Replace(strings.Replace(q.sql, "?", "$1", 1), "?", "$2", 1)
	})
	return q.err
}

// signedTargets are the slices Get scans the hundred-odd columns through,
// kept between pages rather than made for each.
var signedTargets = sync.Pool{New: func() any { return new([]any) }}

// Get returns the session with id, if it has not expired, with its user
// and the user's merchant; those are nil for a session no one is signed
// in to.
func (s *Sessions) Get(ctx context.Context, id string, now time.Time) (*models.Session, *models.User, *models.Merchant, error) {
	if err := s.signedSQL(); err != nil {
		return nil, nil, nil, err
	}
	q := &signedQuery
	var row models.Session
	var u models.User
	var m models.Merchant
	kept := signedTargets.Get().(*[]any)
	targets := q.session.appendTargets(ctx, (*kept)[:0], &row)
	targets = q.user.appendTargets(ctx, targets, &u)
	targets = q.merchant.appendTargets(ctx, targets, &m)
	found, err := s.scanSigned(ctx, targets, id, now)
	// The pool keeps the slice, not what it points at.
	clear(targets)
	*kept = targets[:0]
	signedTargets.Put(kept)
	switch {
	case err != nil:
		return nil, nil, nil, fmt.Errorf("read session: %w", err)
	case !found:
		row, err := s.anonymous(ctx, id, now)
		return row, nil, nil, err
	}
	return &row, &u, &m, nil
}

// scanSigned runs the signed-in session's query into targets and reports
// whether it found a row. It runs on every page, so on PostgreSQL it goes
// to pgx directly, on a connection of the same pool: pgx scans each
// column into its field, where database/sql would first make every value
// a driver.Value and GORM build the statement again, which took a third
// of the CPU a page costs.
func (s *Sessions) scanSigned(ctx context.Context, targets []any, id string, now time.Time) (bool, error) {
	q := &signedQuery
	if s.db.Dialector.Name() == "postgres" {
		sqlDB, err := s.db.DB()
		if err != nil {
			return false, err
		}
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			return false, err
		}
		defer conn.Close()
		found := false
		err = conn.Raw(func(dc any) error {
			rows, err := dc.(*stdlib.Conn).Conn().Query(ctx, q.pgSQL, id, now)
			if err != nil {
				return err
			}
			defer rows.Close()
			if !rows.Next() {
				return rows.Err()
			}
			if err := signedPlans.scan(rows, targets); err != nil {
				return err
			}
			found = true
			return rows.Err()
		})
		return found && err == nil, err
	}
	rows, err := s.db.WithContext(ctx).Raw(q.sql, id, now).Rows()
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(targets...); err != nil {
		return false, err
	}
	return true, rows.Close()
}

// anonymous is the session with id that names no user, if there is one.
func (s *Sessions) anonymous(ctx context.Context, id string, now time.Time) (*models.Session, error) {
	var row models.Session
	err := s.db.WithContext(ctx).Where("id = ? AND expires_at > ?", id, now).Take(&row).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &row, nil
}

// Create stores a new session.
func (s *Sessions) Create(ctx context.Context, row *models.Session) error {
	if err := s.db.WithContext(ctx).Create(row).Error; err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Update writes a session's data, user and times.
func (s *Sessions) Update(ctx context.Context, row *models.Session) error {
	err := s.db.WithContext(ctx).Model(&models.Session{}).Where("id = ?", row.ID).
		Select("user_id", "data", "last_seen_at", "authenticated_at", "expires_at").Updates(row).Error
	if err != nil {
		return fmt.Errorf("update session: %w", err)
	}
	return nil
}

// Touch records that the session was used at now.
func (s *Sessions) Touch(ctx context.Context, id string, now time.Time) error {
	return s.db.WithContext(ctx).Model(&models.Session{}).Where("id = ?", id).Update("last_seen_at", now).Error
}

// Delete ends one session.
func (s *Sessions) Delete(ctx context.Context, id string) error {
	_, err := s.End(ctx, id)
	return err
}

// End ends one session and reports whether it was still there, so a
// caller can tell a live session from one revoked a moment ago.
func (s *Sessions) End(ctx context.Context, id string) (bool, error) {
	res := s.db.WithContext(ctx).Where("id = ?", id).Delete(&models.Session{})
	if res.Error != nil {
		return false, fmt.Errorf("end session: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

// ForUser lists userID's active sessions, most recently used first: not
// past their expiry and, when idle is set, used within idle of now (an
// idle row is only deleted when its cookie comes back, so it may still
// be in the table).
func (s *Sessions) ForUser(ctx context.Context, userID string, now time.Time, idle time.Duration) ([]models.Session, error) {
	q := s.db.WithContext(ctx).Where("user_id = ? AND expires_at > ?", userID, now)
	if idle > 0 {
		q = q.Where("last_seen_at >= ?", now.Add(-idle))
	}
	var rows []models.Session
	if err := q.Order("last_seen_at DESC, created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return rows, nil
}

// DeleteOthers ends every session of userID except keepID and reports
// how many ended.
func (s *Sessions) DeleteOthers(ctx context.Context, userID, keepID string) (int64, error) {
	res := s.db.WithContext(ctx).Where("user_id = ? AND id <> ?", userID, keepID).Delete(&models.Session{})
	if res.Error != nil {
		return 0, fmt.Errorf("end other sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// DeleteOfUser ends session id only if it belongs to userID, and reports
// whether it did.
func (s *Sessions) DeleteOfUser(ctx context.Context, userID, id string) (bool, error) {
	res := s.db.WithContext(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&models.Session{})
	if res.Error != nil {
		return false, fmt.Errorf("end session: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

// DeleteExpired removes sessions past their expiry.
func (s *Sessions) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at <= ?", now).Delete(&models.Session{})
	return res.RowsAffected, res.Error
}

// DeleteForUser ends every session of userID and reports how many.
func (s *Sessions) DeleteForUser(ctx context.Context, userID string) (int64, error) {
	res := s.db.WithContext(ctx).Where("user_id = ?", userID).Delete(&models.Session{})
	return res.RowsAffected, res.Error
}

// signedPlans are the scan plans of the signed-in session's columns. pgx
// plans every column of every result again (which decoder, into which
// type of field), and the query has over a hundred: the plans depend only
// on the columns' types and formats and the fields' types, which are the
// same on every page, so they are made once, from a type map of their
// own that nothing else changes.
var signedPlans scanPlans

// scanPlans keeps the plans of one query's columns.
type scanPlans struct {
	mu  sync.Mutex
	cur atomic.Pointer[columnPlans]
}

// columnPlans are plans for columns of the types and formats in fields,
// into targets of the types in types.
type columnPlans struct {
	fields []pgconn.FieldDescription
	types  []reflect.Type
	plans  []pgtype.ScanPlan
}

// scan scans the current row of rows into targets.
func (s *scanPlans) scan(rows pgx.Rows, targets []any) error {
	fields, raw := rows.FieldDescriptions(), rows.RawValues()
	if len(fields) != len(targets) {
		return fmt.Errorf("%d columns for %d fields", len(fields), len(targets))
	}
	p := s.cur.Load()
	if !p.fit(fields, targets) {
		p = s.plan(fields, targets)
	}
	for i, t := range targets {
		if err := p.plans[i].Scan(raw[i], t); err != nil {
			return fmt.Errorf("scan column %s: %w", fields[i].Name, err)
		}
	}
	return nil
}

// fit reports whether p plans these columns into these targets.
func (p *columnPlans) fit(fields []pgconn.FieldDescription, targets []any) bool {
	if p == nil || len(p.fields) != len(fields) {
		return false
	}
	for i, f := range fields {
		if f.DataTypeOID != p.fields[i].DataTypeOID || f.Format != p.fields[i].Format || reflect.TypeOf(targets[i]) != p.types[i] {
			return false
		}
	}
	return true
}

// plan makes the plans for these columns and targets and keeps them.
func (s *scanPlans) plan(fields []pgconn.FieldDescription, targets []any) *columnPlans {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.cur.Load(); p.fit(fields, targets) {
		return p
	}
	m := pgtype.NewMap()
	p := &columnPlans{fields: slices.Clone(fields), types: make([]reflect.Type, len(targets)), plans: make([]pgtype.ScanPlan, len(targets))}
	for i, f := range fields {
		p.types[i] = reflect.TypeOf(targets[i])
		p.plans[i] = m.PlanScan(f.DataTypeOID, f.Format, targets[i])
	}
	s.cur.Store(p)
	return p
}
