package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"myaccount/models"
)

// RecordReauthentication notes that the signed-in u typed their password
// again before a sensitive change. Like a sign-in it starts the failed
// count again; unlike one it leaves the sign-in times alone.
func (s *Users) RecordReauthentication(ctx context.Context, u *models.User, meta Meta) error {
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&models.User{}).Where("id = ? AND failed_login_count <> 0", u.ID).Update("failed_login_count", 0).Error
		if err != nil {
			return fmt.Errorf("record re-authentication: %w", err)
		}
		u.FailedLoginCount = 0
		return audit(tx, u.MerchantID, &u.ID, &u.ID, models.ActionReauthenticated, nil, meta, now)
	})
}
