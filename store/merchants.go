package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// Merchants reads merchants and their rules.
type Merchants struct {
	db  *gorm.DB
	now func() time.Time
}

// NewMerchants returns the merchant store over db.
func NewMerchants(db *gorm.DB) *Merchants {
	return &Merchants{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// ByID returns the merchant with id.
func (s *Merchants) ByID(ctx context.Context, id string) (*models.Merchant, error) {
	if !validID(id) {
		return nil, models.ErrNotFound
	}
	var m models.Merchant
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// UpdateSettings saves the rules of next (from models.SettingsInput.Apply
// over m) made by actor, an admin of m, with the changes for the audit
// trail. version is the merchant's version the form was made from. Only
// the settings columns are written, and only while the stored version is
// still that: a form made from an older version, or a merchant changed
// since m was read, is refused with models.ErrConflict. No changes is models.ErrNoChanges. On success m holds
// the saved settings and its new version.
func (s *Merchants) UpdateSettings(ctx context.Context, actor *models.User, m *models.Merchant, version int, next models.Merchant, changes models.Changes, meta Meta) error {
	if actor == nil || actor.MerchantID != m.ID || !actor.IsAdmin() {
		return models.ErrForbidden
	}
	if version != m.Version {
		return models.ErrConflict
	}
	if len(changes) == 0 {
		return models.ErrNoChanges
	}
	now := s.now()
	p := next.PasswordPolicy
	columns := map[string]any{
		"password_min_length":        p.MinLength,
		"password_min_lower":         p.MinLower,
		"password_min_upper":         p.MinUpper,
		"password_min_digits":        p.MinDigits,
		"password_min_special":       p.MinSpecial,
		"password_history":           p.History,
		"password_max_age_days":      p.MaxAgeDays,
		"password_min_score":         p.MinScore,
		"max_failed_logins":          next.MaxFailedLogins,
		"lockout_first_wait_minutes": next.Lockout.FirstWaitMinutes,
		"lockout_max_wait_minutes":   next.Lockout.MaxWaitMinutes,
		"lockout_reset_minutes":      next.Lockout.ResetMinutes,
		"lockout_permanent_after":    next.Lockout.PermanentAfter,
		"unique_email":               next.UniqueEmail,
		"unique_mobile":              next.UniqueMobile,
		"sign_in_after_reset":        next.SignInAfterReset,
		"required_fields":            next.RequiredFields,
		"custom_fields":              next.CustomFields,
		"updated_at":                 now,
		"version":                    m.Version + 1,
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.Merchant{}).Where("id = ? AND version = ?", m.ID, m.Version).Updates(columns)
		if res.Error != nil {
			return fmt.Errorf("save settings of merchant %s: %w", m.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return models.ErrConflict
		}
		return audit(tx, m.ID, &actor.ID, nil, models.ActionSettingsUpdated, changes, meta, now)
	})
	if err != nil {
		return err
	}
	// The merchant's identity is never the form's to change.
	next.ID, next.Code, next.Name, next.CreatedAt = m.ID, m.Code, m.Name, m.CreatedAt
	next.UpdatedAt, next.Version = now, m.Version+1
	*m = next
	return nil
}
