package store

import (
	"context"

	"gorm.io/gorm"

	"myaccount/models"
)

// Merchants reads merchants and their rules.
type Merchants struct{ db *gorm.DB }

// NewMerchants returns the merchant store over db.
func NewMerchants(db *gorm.DB) *Merchants { return &Merchants{db: db} }

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
