package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// Sessions keeps server-side sessions. Rows are keyed by the hash of the
// cookie's token (the auth package computes it).
type Sessions struct{ db *gorm.DB }

// NewSessions returns the session store over db.
func NewSessions(db *gorm.DB) *Sessions { return &Sessions{db: db} }

// Get returns the session with id, if it has not expired.
func (s *Sessions) Get(ctx context.Context, id string, now time.Time) (*models.Session, error) {
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
