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
	return s.db.WithContext(ctx).Where("id = ?", id).Delete(&models.Session{}).Error
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
