package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// tokenBytes is a link's randomness: 256 bits, twice what guessing
// needs, in 43 characters of the URL-safe alphabet.
const tokenBytes = 32

// newToken makes a link's secret, and the id it is stored under.
func newToken() (token, id string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenID(token), nil
}

// TokenID is the id a link's token is stored under: its SHA-256, so the
// table holds nothing that opens an account. A token is random, so no
// salt or slow hash is needed.
func TokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// issue makes a link of purpose for u, valid for ttl, and ends the older
// live links of the same purpose: only the newest works. email is the
// address a link that proves one was sent to; by is the admin who sent
// it, or nil.
func issue(tx *gorm.DB, u *models.User, purpose, email string, by *string, now time.Time, ttl time.Duration) (string, time.Time, error) {
	if err := revokeTokens(tx, u.ID, now, purpose); err != nil {
		return "", time.Time{}, err
	}
	token, id, err := newToken()
	if err != nil {
		return "", time.Time{}, err
	}
	t := models.UserToken{ID: id, UserID: u.ID, Purpose: purpose, Email: email, CreatedAt: now, CreatedBy: by, ExpiresAt: now.Add(ttl)}
	if err := tx.Create(&t).Error; err != nil {
		return "", time.Time{}, fmt.Errorf("issue %s link: %w", purpose, err)
	}
	return token, t.ExpiresAt, nil
}

// revokeTokens ends userID's live links of the purposes given.
func revokeTokens(tx *gorm.DB, userID string, now time.Time, purposes ...string) error {
	err := tx.Model(&models.UserToken{}).Where("user_id = ? AND purpose IN ? AND used_at IS NULL AND revoked_at IS NULL", userID, purposes).
		Update("revoked_at", now).Error
	if err != nil {
		return fmt.Errorf("end older links: %w", err)
	}
	return nil
}

// passwordLinks are the links that set a password: any password change
// ends them.
var passwordLinks = []string{models.TokenReset, models.TokenInvite}

// Link finds the live link token is, of one of purposes, and its user.
// A link that does not exist, expired, was used, was replaced by a newer
// one, or (for a password link) was made before the password last
// changed, is models.ErrLinkInvalid: the holder learns no more than that.
func (s *Users) Link(ctx context.Context, token string, purposes ...string) (*models.UserToken, *models.User, error) {
	if token == "" || len(token) > 128 {
		return nil, nil, models.ErrLinkInvalid
	}
	db := s.db.WithContext(ctx)
	var t models.UserToken
	err := db.Where("id = ? AND purpose IN ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", TokenID(token), purposes, s.now()).Take(&t).Error
	if err != nil {
		if errors.Is(notFound(err), models.ErrNotFound) {
			return nil, nil, models.ErrLinkInvalid
		}
		return nil, nil, fmt.Errorf("find link: %w", err)
	}
	u, err := s.ByID(ctx, t.UserID)
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, nil, models.ErrLinkInvalid
		}
		return nil, nil, err
	}
	if slices.Contains(passwordLinks, t.Purpose) && u.PasswordChangedAt != nil && t.CreatedAt.Before(*u.PasswordChangedAt) {
		return nil, nil, models.ErrLinkInvalid
	}
	return &t, u, nil
}

// useToken spends link t in tx: of two uses at once, one gets
// models.ErrLinkInvalid.
func useToken(tx *gorm.DB, t *models.UserToken, now time.Time) error {
	res := tx.Model(&models.UserToken{}).Where("id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", t.ID, now).Update("used_at", now)
	if res.Error != nil {
		return fmt.Errorf("use link: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.ErrLinkInvalid
	}
	return nil
}

// LinksSince counts the links of purpose made for userID since since,
// for the limit per account.
func (s *Users) LinksSince(ctx context.Context, userID, purpose string, since time.Time) (int, error) {
	return linksSince(s.db.WithContext(ctx), userID, purpose, since)
}

// linksSince is LinksSince in tx.
func linksSince(tx *gorm.DB, userID, purpose string, since time.Time) (int, error) {
	var n int64
	err := tx.Model(&models.UserToken{}).Where("user_id = ? AND purpose = ? AND created_at > ?", userID, purpose, since).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count links: %w", err)
	}
	return int(n), nil
}
