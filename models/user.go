package models

import (
	"time"
)

// User statuses (VELA's status values).
const (
	StatusActive   = "ACTIVE"
	StatusInactive = "INACTIVE"
	StatusLocked   = "LOCKED"
)

// Roles.
const (
	RoleCustomer      = "CUSTOMER"
	RoleMerchantAdmin = "MERCHANT_ADMIN"
)

// Genders; the empty string is "unspecified".
const (
	GenderFemale = "F"
	GenderMale   = "M"
)

// User is a guest or a member of a merchant's staff. The password hash never
// leaves the server: no view or response takes a User's hash.
type User struct {
	ID         string `gorm:"primaryKey"`
	MerchantID string

	// identity
	Username      string
	Email         string
	PreviousEmail string
	// EmailVerified is set once a link sent to Email was followed (or the
	// invitation to it accepted); an admin's or an integration's change
	// of the address clears it.
	EmailVerified   bool
	EmailVerifiedAt *time.Time
	// PendingEmail is a new address the user asked for, which takes
	// effect when the link sent to it is followed.
	PendingEmail   string
	PendingEmailAt *time.Time
	MemberNumber   string
	CardNumber     string
	ExternalID     string
	ReferralCode   string
	AuxiliaryID    string

	// name
	NamePrefix    string
	FirstName     string
	MiddleInitial string
	LastName      string
	NameSuffix    string

	// contact: phones in E.164 with the region they were parsed for
	Phone         string
	PhoneCountry  string
	Mobile        string
	MobileCountry string
	MobileCarrier string
	Fax           string
	FaxCountry    string

	// address
	Country      string
	AddressLine1 string `gorm:"column:address_line1"`
	AddressLine2 string `gorm:"column:address_line2"`
	AddressLine3 string `gorm:"column:address_line3"`
	City         string
	State        string
	PostalCode   string

	// work (merchant staff)
	Organization string
	JobTitle     string
	Department   string

	// preferences
	Language                     string
	Gender                       string
	Birthday                     *time.Time
	MailingListOffered           bool
	MailingListSubscribed        bool
	PrintedMailingListSubscribed bool
	OptInSecondary               bool
	ProgrammeOptedIn             bool
	ProgrammeJoinedAt            *time.Time
	TermsAccepted                bool
	PrivacyAccepted              bool

	// loyalty, read-only to guests
	LoyaltyStatus string
	LoyaltyTier   string
	PointsBalance int64
	HomeStore     string

	CustomFields CustomValues

	// security
	PasswordHash     string `json:"-"`
	Status           string
	Roles            StringList
	FailedLoginCount int
	// LockedUntil ends a temporary lock of the account's own attempt
	// budget (browsers that never signed in to it); the status stays
	// ACTIVE, and devices that did sign in keep their own budgets.
	LockedUntil *time.Time
	// LockoutCount is how many temporary locks came in a row.
	LockoutCount int
	// LastFailedLoginAt is when the last wrong password counted against
	// the account's own budget was typed (see LockoutPolicy.ResetMinutes).
	LastFailedLoginAt    *time.Time
	LockedAt             *time.Time
	LockedBy             *string
	MustChangePassword   bool
	PasswordChangedAt    *time.Time
	PasswordNeverExpires bool
	FirstLoginAt         *time.Time
	LastLoginAt          *time.Time

	// bookkeeping
	CreatedAt time.Time
	CreatedBy *string
	UpdatedAt time.Time
	UpdatedBy *string
	Version   int
}

// HasRole reports whether the user holds role.
func (u *User) HasRole(role string) bool { return u.Roles.Contains(role) }

// IsAdmin reports whether the user may use the merchant admin console.
func (u *User) IsAdmin() bool { return u.HasRole(RoleMerchantAdmin) }

// DisplayName is the name to greet the user by.
func (u *User) DisplayName() string {
	switch {
	case u.FirstName != "" && u.LastName != "":
		return u.FirstName + " " + u.LastName
	case u.FirstName != "":
		return u.FirstName
	default:
		return u.Username
	}
}

// PasswordOwner is the user of m as the password rules see them: a
// password must not contain their username or email, and is estimated
// against those, their names and m's name.
func (u *User) PasswordOwner(m *Merchant) PasswordOwner {
	o := PasswordOwner{Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Whose: "your"}
	if m != nil {
		o.Merchant = m.Name
	}
	return o
}

// Why a user must change their password before doing anything else.
const (
	// PasswordChangeRequired: an admin asked for it, reset the password
	// or created the account.
	PasswordChangeRequired = "required"
	// PasswordChangeExpired: the password is older than the merchant's
	// maximum age.
	PasswordChangeExpired = "expired"
)

// PasswordChangeDue says why u must change their password at now, under
// m's policy: PasswordChangeRequired, PasswordChangeExpired, or "" when
// they need not. A password with no recorded change dates from the
// account's creation.
func (u *User) PasswordChangeDue(m *Merchant, now time.Time) string {
	if u.MustChangePassword {
		return PasswordChangeRequired
	}
	days := m.PasswordPolicy.MaxAgeDays
	if days <= 0 || u.PasswordNeverExpires {
		return ""
	}
	changed := u.CreatedAt
	if u.PasswordChangedAt != nil {
		changed = *u.PasswordChangedAt
	}
	if !now.Before(changed.AddDate(0, 0, days)) {
		return PasswordChangeExpired
	}
	return ""
}

// MustChangePasswordNow reports whether u may do nothing but change their
// password until they have.
func (u *User) MustChangePasswordNow(m *Merchant, now time.Time) bool {
	return u.PasswordChangeDue(m, now) != ""
}

// MayAskForResetLink reports whether a link to choose a new password is
// mailed to u when someone asks for one on the forgotten-password page:
// u is active and has an address. A locked or deactivated account gets
// none, as a new password would not open it.
func (u *User) MayAskForResetLink() bool {
	return u.Status == StatusActive && u.Email != ""
}

// PasswordHistory holds a user's previous password hashes for the reuse rule.
type PasswordHistory struct {
	ID        string `gorm:"primaryKey"`
	UserID    string
	Hash      string `json:"-"`
	CreatedAt time.Time
}

// TableName keeps the table name singular-free and explicit.
func (PasswordHistory) TableName() string { return "password_history" }

// Session is a server-side sign-in session. The cookie carries only a
// random token; the row is keyed by the token's SHA-256, so a copy of the
// table does not hand out live sessions.
type Session struct {
	ID              string `gorm:"primaryKey"`
	UserID          *string
	Data            string
	IP              string
	UserAgent       string
	CreatedAt       time.Time
	LastSeenAt      time.Time
	AuthenticatedAt *time.Time
	ExpiresAt       time.Time
}

// AuditEvent records who did what to whom, when and from where.
type AuditEvent struct {
	ID         string `gorm:"primaryKey"`
	MerchantID string
	ActorID    *string
	// ActorKeyID names the API key an integration acted with; ActorID is
	// then nil.
	ActorKeyID *string
	SubjectID  *string
	Action     string
	Changes    Changes
	IP         string
	UserAgent  string
	CreatedAt  time.Time
}

// ActiveSession is one of the signed-in user's sessions as the sessions
// page shows it.
type ActiveSession struct {
	// ID names the session in URLs. It is derived from the row's key but
	// is neither the cookie's token nor a prefix of the key.
	ID string
	// Device describes the browser and system, as "Firefox 133 on Windows".
	Device       string
	IP           string
	SignedInAt   time.Time
	LastActiveAt time.Time
	// Current marks the session of the request itself.
	Current bool
}

// Actor is who makes a change: a signed-in user (a guest editing their own
// profile, an admin), or an integration through its API key.
type Actor struct {
	User *User
	Key  *APIKey
}

// ByUser is the actor u.
func ByUser(u *User) Actor { return Actor{User: u} }

// ByKey is the actor an integration's key k is.
func ByKey(k *APIKey) Actor { return Actor{Key: k} }

// UserID is the acting user's id, or nil for a key.
func (a Actor) UserID() *string {
	if a.User == nil {
		return nil
	}
	return &a.User.ID
}

// KeyID is the acting key's id, or nil for a user.
func (a Actor) KeyID() *string {
	if a.Key == nil {
		return nil
	}
	return &a.Key.ID
}
