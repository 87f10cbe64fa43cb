package models

import (
	"strings"
	"time"
)

// APIKey is a merchant's key for the JSON API, as stored: its name, its
// public prefix and the SHA-256 of the whole key, never the key itself.
// A key is revoked, never deleted, so the audit trail can still name it.
type APIKey struct {
	ID         string `gorm:"primaryKey"`
	MerchantID string
	// Name tells the merchant's active keys apart ("Point of sale").
	Name string
	// Prefix is the key's first 16 characters ("mak_" and 12 more), shown
	// to admins so they can tell which key an integration holds.
	Prefix string
	// Hash is the SHA-256 of the whole key, in hex.
	Hash       string `json:"-"`
	CreatedAt  time.Time
	CreatedBy  *string
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	RevokedBy  *string
}

// TableName keeps the table name explicit.
func (APIKey) TableName() string { return "api_keys" }

// Active reports whether the key still opens the API.
func (k *APIKey) Active() bool { return k.RevokedAt == nil }

// MaxKeyName is the longest key name, in characters.
const MaxKeyName = 60

// NewAPIKey is what an admin fills in to create an API key.
type NewAPIKey struct {
	Name string `form:"name" json:"name"`
}

// Validate checks the name's shape and returns it cleaned; that no other
// active key of the merchant has it is the store's to check.
func (in NewAPIKey) Validate() (string, FieldErrors) {
	errs := FieldErrors{}
	name, err := CleanKeyName(in.Name)
	errs.Refuse("name", err)
	return name, errs
}

// CleanKeyName is the rule for a key's name: trimmed text of 1 to
// MaxKeyName characters without control characters.
func CleanKeyName(raw string) (string, error) {
	s, err := CleanText("Key name", raw, MaxKeyName)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", Invalid("Enter a key name")
	}
	return s, nil
}

// KeyNameTaken is the message for a name another active key of the
// merchant has.
const KeyNameTaken = "Another active key has this name: choose another"

// KeyActorName is how the audit trail names an API key that acted.
func KeyActorName(name string) string {
	if strings.TrimSpace(name) == "" {
		return "API key"
	}
	return "API key “" + name + "”"
}
