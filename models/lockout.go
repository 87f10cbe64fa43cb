package models

import "time"

// LockoutPolicy is how a merchant slows down password guessing, after
// NIST SP 800-63B §5.2.2 and Keycloak's brute-force detection: after
// MaxFailedLogins wrong passwords in a row (Merchant.MaxFailedLogins) the
// budget that spent them is locked for a while, and each further lock in a
// row lasts twice as long as the one before, up to the longest wait. Only
// a merchant that asks for it turns a run of locks into a permanent lock,
// which an admin lifts; otherwise anyone who knows a username could lock
// its owner out for good.
type LockoutPolicy struct {
	// FirstWaitMinutes is how long the first lock in a row lasts.
	FirstWaitMinutes int
	// MaxWaitMinutes is the longest a lock lasts.
	MaxWaitMinutes int
	// PermanentAfter is how many temporary locks in a row the next lock
	// is permanent after; 0 means never.
	PermanentAfter int
}

// DefaultLockout is the policy of a new merchant: 5 minutes, then 10,
// 20, 40, and an hour at most; never permanent. Five guesses an hour is
// about 120 a day, so a strong password is out of reach.
var DefaultLockout = LockoutPolicy{FirstWaitMinutes: 5, MaxWaitMinutes: 60}

// Wait is how long the n-th lock in a row (from 1) lasts.
func (p LockoutPolicy) Wait(n int) time.Duration {
	first := time.Duration(max(p.FirstWaitMinutes, 1)) * time.Minute
	longest := max(time.Duration(p.MaxWaitMinutes)*time.Minute, first)
	wait := first
	for i := 1; i < n && wait < longest; i++ {
		wait *= 2
	}
	return min(wait, longest)
}

// Permanent reports whether the n-th lock in a row (from 1) is permanent.
func (p LockoutPolicy) Permanent(n int) bool {
	return p.PermanentAfter > 0 && n > p.PermanentAfter
}

// AttemptBudget is what one source of password attempts has spent: the
// account's own, which every browser that never signed in to the account
// shares, or a trusted device's (OWASP's device cookies), which only that
// browser spends, so failures from elsewhere never lock its owner out.
type AttemptBudget struct {
	// Failures are the wrong passwords since the last lock or success.
	Failures int
	// LockedUntil is when the current lock ends, if there is one.
	LockedUntil *time.Time
	// Locks are the locks in a row since the last success.
	Locks int
}

// LockedAt reports whether the budget is locked at now.
func (b AttemptBudget) LockedAt(now time.Time) bool {
	return b.LockedUntil != nil && now.Before(*b.LockedUntil)
}

// Budget is the account's own attempt budget.
func (u *User) Budget() AttemptBudget {
	return AttemptBudget{Failures: u.FailedLoginCount, LockedUntil: u.LockedUntil, Locks: u.LockoutCount}
}

// Device is a browser that has signed in to an account before: its
// cookie carries a random token, stored here only as its SHA-256, and it
// has an attempt budget of its own.
type Device struct {
	ID          string `gorm:"primaryKey"` // SHA-256 of the cookie's token
	UserID      string
	Failures    int `gorm:"column:failed_count"`
	LockedUntil *time.Time
	Locks       int `gorm:"column:lockout_count"`
	CreatedAt   time.Time
	LastUsedAt  time.Time
}

// TableName names the devices table.
func (Device) TableName() string { return "sign_in_devices" }

// Budget is the device's attempt budget.
func (d *Device) Budget() AttemptBudget {
	return AttemptBudget{Failures: d.Failures, LockedUntil: d.LockedUntil, Locks: d.Locks}
}

// PasswordCheckOutcome is what a wrong password did.
type PasswordCheckOutcome struct {
	// Locked is set when this attempt spent the budget: it is locked
	// until Until, or for good when Permanent.
	Locked    bool
	Until     time.Time
	Permanent bool
}
