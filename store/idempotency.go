package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	sqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	sqlite3 "modernc.org/sqlite/lib"

	"myaccount/models"
)

// idempotencyWindow is how long a create's answer is kept for its key.
const idempotencyWindow = 24 * time.Hour

// idempotentAnswer is a kept answer to a create.
type idempotentAnswer struct {
	APIKeyID    string `gorm:"primaryKey"`
	IdemKey     string `gorm:"primaryKey"`
	Fingerprint string
	Status      int
	Body        string
	CreatedAt   time.Time
}

func (idempotentAnswer) TableName() string { return "idempotency_keys" }

// Once makes a create idempotent: the first answer under (key, Key) is
// kept with the request's fingerprint, and answers a retry.
type Once struct {
	Key         *models.APIKey
	IdemKey     string
	Fingerprint string
	// Answer is the answer to keep for the user created.
	Answer func(*models.User) (status int, body []byte, err error)
}

// ErrIdempotencyKeyReused: the key was used for a different request.
var ErrIdempotencyKeyReused = errors.New("idempotency key reused with a different request")

// Replay is the kept answer to a request made with the same key before:
// its status and body, or ok false when there is none (or it expired). A
// different request under the same key is ErrIdempotencyKeyReused.
func (s *Users) Replay(ctx context.Context, once *Once) (status int, body []byte, ok bool, err error) {
	var a idempotentAnswer
	err = s.db.WithContext(ctx).Where("api_key_id = ? AND idem_key = ? AND created_at > ?", once.Key.ID, once.IdemKey, s.now().Add(-idempotencyWindow)).
		Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil, false, nil
	}
	if err != nil {
		return 0, nil, false, fmt.Errorf("read idempotency key: %w", err)
	}
	if a.Fingerprint != once.Fingerprint {
		return 0, nil, false, ErrIdempotencyKeyReused
	}
	return a.Status, []byte(a.Body), true, nil
}

// keep stores once's answer for u in tx, replacing an expired one. A
// concurrent create under the same key makes this fail as a duplicate, so
// the transaction, and its user, are undone.
func keep(tx *gorm.DB, once *Once, u *models.User, now time.Time) error {
	status, body, err := once.Answer(u)
	if err != nil {
		return err
	}
	if err := tx.Where("api_key_id = ? AND idem_key = ? AND created_at <= ?", once.Key.ID, once.IdemKey, now.Add(-idempotencyWindow)).
		Delete(&idempotentAnswer{}).Error; err != nil {
		return fmt.Errorf("forget expired idempotency key: %w", err)
	}
	a := idempotentAnswer{APIKeyID: once.Key.ID, IdemKey: once.IdemKey, Fingerprint: once.Fingerprint, Status: status, Body: string(body), CreatedAt: now}
	if err := tx.Create(&a).Error; err != nil {
		if isDuplicate(err) {
			return errIdempotentRace
		}
		return fmt.Errorf("keep idempotency key: %w", err)
	}
	return nil
}

// errIdempotentRace: another create under the same key committed first.
var errIdempotentRace = errors.New("idempotency key taken meanwhile")

// isDuplicate reports a unique or primary key violation.
func isDuplicate(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		code := sqliteErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || code == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	}
	return false
}
