package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// APIKeys keeps the merchants' API keys. Only a key's SHA-256 and its
// prefix are stored: the key itself exists only in the answer that
// created it.
type APIKeys struct {
	db  *gorm.DB
	now func() time.Time
}

// NewAPIKeys returns the API key store over db.
func NewAPIKeys(db *gorm.DB) *APIKeys {
	return &APIKeys{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// An API key is "mak_", 12 base62 characters, "_" and 43 base64url
// characters: 71 random bits in the part admins see (the prefix, up to the
// second underscore) and 256 in the secret part.
const (
	keyMark      = "mak_"
	keyIDLen     = 12
	keySecretLen = 32 // bytes, 43 characters in base64url
	keyPrefixLen = len(keyMark) + keyIDLen
	keyLen       = keyPrefixLen + 1 + 43
)

// keyTouchEvery throttles last-used writes, as session touches are: a busy
// integration costs one write a minute, not one per call.
const keyTouchEvery = time.Minute

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newKeyText makes a new API key from crypto/rand.
func newKeyText() (string, error) {
	id := make([]byte, 0, keyIDLen)
	buf := make([]byte, 2*keyIDLen)
	for len(id) < keyIDLen {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("api key: %w", err)
		}
		for _, b := range buf {
			// 248 is the largest multiple of 62 a byte holds: bytes from it
			// up are skipped, so every character is as likely.
			if b < 248 && len(id) < keyIDLen {
				id = append(id, base62[b%62])
			}
		}
	}
	secret := make([]byte, keySecretLen)
	if _, err := rand.Read(secret); err != nil {
		return "", fmt.Errorf("api key: %w", err)
	}
	return keyMark + string(id) + "_" + base64.RawURLEncoding.EncodeToString(secret), nil
}

// hashKey is what the store keeps of a key.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// keyShaped reports whether token can be a key at all, so that anything
// else is refused without asking the database.
func keyShaped(token string) bool {
	if len(token) != keyLen || !strings.HasPrefix(token, keyMark) || token[keyPrefixLen] != '_' {
		return false
	}
	for i, r := range token[len(keyMark):] {
		switch {
		case i == keyIDLen: // the underscore, checked above
		case strings.ContainsRune(base62, r):
		case i > keyIDLen && (r == '-' || r == '_'):
		default:
			return false
		}
	}
	return true
}

// Create makes a new API key for m, named name, and records it with admin
// as the actor. It returns the key itself, which is stored nowhere and
// must be shown to the admin once, and the stored row. The name is one
// models.NewAPIKey.Validate cleaned; one that another active key of m
// has, in any case, is refused with a field error on "name".
func (s *APIKeys) Create(ctx context.Context, admin *models.User, m *models.Merchant, name string, meta Meta) (string, *models.APIKey, error) {
	var key string
	var row *models.APIKey
	now := s.now()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if key, row, err = insertKey(tx, admin, m, name, now); err != nil {
			return err
		}
		changes := models.Changes{{Field: "name", New: row.Name}, {Field: "prefix", New: row.Prefix}}
		return audit(tx, m.ID, &admin.ID, nil, models.ActionAPIKeyCreated, changes, meta, now)
	})
	if err != nil {
		return "", nil, err
	}
	return key, row, nil
}

// insertKey is Create in tx without its audit event, which the demo data
// does not have either.
func insertKey(tx *gorm.DB, admin *models.User, m *models.Merchant, name string, now time.Time) (string, *models.APIKey, error) {
	var n int64
	err := tx.Model(&models.APIKey{}).Where("merchant_id = ? AND lower(name) = lower(?) AND revoked_at IS NULL", m.ID, name).Count(&n).Error
	if err != nil {
		return "", nil, fmt.Errorf("api key name check: %w", err)
	}
	if n > 0 {
		return "", nil, models.FieldErrors{"name": {models.KeyNameTaken}}
	}
	key, err := newKeyText()
	if err != nil {
		return "", nil, err
	}
	row := &models.APIKey{
		ID: NewID(), MerchantID: m.ID, Name: name, Prefix: key[:keyPrefixLen], Hash: hashKey(key),
		CreatedAt: now, CreatedBy: &admin.ID,
	}
	if err := tx.Create(row).Error; err != nil {
		return "", nil, fmt.Errorf("create api key: %w", err)
	}
	return key, row, nil
}

// List returns the merchant's keys, revoked ones too, newest first.
func (s *APIKeys) List(ctx context.Context, merchantID string) ([]models.APIKey, error) {
	var keys []models.APIKey
	err := s.db.WithContext(ctx).Where("merchant_id = ?", merchantID).Order("created_at DESC, id DESC").Find(&keys).Error
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return keys, nil
}

// Revoke ends the key with id of merchant m at once, and records it with
// admin as the actor. Another merchant's key is models.ErrNotFound, like an
// id that does not exist; a key already revoked stays as it was.
func (s *APIKeys) Revoke(ctx context.Context, admin *models.User, m *models.Merchant, id string, meta Meta) error {
	if !validID(id) {
		return models.ErrNotFound
	}
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var k models.APIKey
		if err := tx.Where("id = ? AND merchant_id = ?", id, m.ID).Take(&k).Error; err != nil {
			return notFound(err)
		}
		res := tx.Model(&models.APIKey{}).Where("id = ? AND revoked_at IS NULL", k.ID).
			Updates(map[string]any{"revoked_at": now, "revoked_by": admin.ID})
		if res.Error != nil {
			return fmt.Errorf("revoke api key %s: %w", k.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // revoked already, perhaps a moment ago by another admin
		}
		changes := models.Changes{{Field: "name", Old: k.Name}, {Field: "prefix", Old: k.Prefix}}
		return audit(tx, m.ID, &admin.ID, nil, models.ActionAPIKeyRevoked, changes, meta, now)
	})
}

// Authenticate returns the active key token is, or models.ErrNotFound. The
// key is found by its hash: the database compares hashes of a secret of
// 256 random bits, so how long that takes tells a caller nothing about a
// key. It records when the key was last used, at most once a minute.
func (s *APIKeys) Authenticate(ctx context.Context, token string) (*models.APIKey, error) {
	if !keyShaped(token) {
		return nil, models.ErrNotFound
	}
	db := s.db.WithContext(ctx)
	var k models.APIKey
	if err := db.Where("hash = ? AND revoked_at IS NULL", hashKey(token)).Take(&k).Error; err != nil {
		return nil, notFound(err)
	}
	now := s.now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= keyTouchEvery {
		// The condition again in the UPDATE: of calls at the same moment,
		// one writes.
		res := db.Model(&models.APIKey{}).Where("id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", k.ID, now.Add(-keyTouchEvery)).
			Update("last_used_at", now)
		if res.Error != nil {
			return nil, fmt.Errorf("api key last used: %w", res.Error)
		}
		if res.RowsAffected > 0 {
			k.LastUsedAt = &now
		}
	}
	return &k, nil
}
