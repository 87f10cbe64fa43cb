package models

import (
	"database/sql/driver"
	"time"
)

// Merchant is a loyalty program (a chain, a tenant). Every user belongs to
// exactly one, and its rules decide what their profiles must hold.
type Merchant struct {
	ID   string `gorm:"primaryKey"`
	Code string
	Name string

	PasswordPolicy PasswordPolicy `gorm:"embedded;embeddedPrefix:password_"`
	// MaxFailedLogins is how many wrong passwords in a row lock the
	// attempt budget that spent them (see LockoutPolicy).
	MaxFailedLogins int
	Lockout         LockoutPolicy `gorm:"embedded;embeddedPrefix:lockout_"`
	// UniqueEmail and UniqueMobile are Paytronix's enforceUniqueFields: no
	// two users of this merchant may share the value.
	UniqueEmail  bool
	UniqueMobile bool
	// SignInAfterReset signs a user in on the device where they chose a
	// new password through an emailed link; off, they sign in again.
	SignInAfterReset bool
	// RequiredFields names profile fields that may not be left empty.
	RequiredFields StringList
	CustomFields   CustomFieldDefs

	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Requires reports whether the merchant makes the named profile field required.
func (m *Merchant) Requires(field string) bool { return m.RequiredFields.Contains(field) }

// Custom field types, as the loyalty API's custom_field definitions.
const (
	CustomText     = "text"
	CustomNumber   = "number"
	CustomDate     = "date"
	CustomDateTime = "datetime"
	CustomList     = "list"
)

// CustomFieldDef is one merchant-defined profile field.
type CustomFieldDef struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Options  []string `json:"options,omitempty"`
	Required bool     `json:"required,omitempty"`
}

// CustomFieldDefs is stored as JSON text.
type CustomFieldDefs []CustomFieldDef

// Value implements driver.Valuer.
func (d CustomFieldDefs) Value() (driver.Value, error) {
	if d == nil {
		return "[]", nil
	}
	return jsonValue([]CustomFieldDef(d))
}

// Scan implements sql.Scanner.
func (d *CustomFieldDefs) Scan(src any) error {
	var out []CustomFieldDef
	if err := scanJSON(src, &out); err != nil {
		return err
	}
	*d = out
	return nil
}
