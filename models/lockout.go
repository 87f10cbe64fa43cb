package models

import "time"

// LockoutPolicy is how a merchant slows down password guessing, after
// NIST SP 800-63B §5.2.2 and Keycloak's brute-force detection: after
// MaxFailedLogins wrong passwords in a row (Merchant.MaxFailedLogins) the
// budget that spent them is locked for a while, and each further lock in a
// row lasts twice as long as the one before, up to the longest wait. When
// no wrong password has been typed for the reset time, the budget forgets
// its failures and its run of locks, as Keycloak's "Failure reset time"
// does, so old typos never count towards the next lock. Only a merchant
// that asks for it turns a run of locks into a permanent lock, which an
// admin lifts; otherwise anyone who knows a username could lock its owner
// out for good.
type LockoutPolicy struct {
	// FirstWaitMinutes is how long the first lock in a row lasts.
	FirstWaitMinutes int
	// MaxWaitMinutes is the longest a lock lasts.
	MaxWaitMinutes int
	// ResetMinutes is how long after a budget's last wrong password its
	// failures and its locks in a row are forgotten; 0 forgets nothing.
	// The settings keep it at least MaxWaitMinutes, so the wait of a lock
	// does not forget the locks before it.
	ResetMinutes int
	// PermanentAfter is how many temporary locks in a row the next lock
	// is permanent after; 0 means never.
	PermanentAfter int
}

// DefaultLockout is the policy of a new merchant: 5 minutes, then 10,
// 20, 40, and an hour at most; never permanent; failures forgotten after
// 12 quiet hours, Keycloak's default. Five guesses an hour is about 120 a
// day, so a strong password is out of reach.
var DefaultLockout = LockoutPolicy{FirstWaitMinutes: 5, MaxWaitMinutes: 60, ResetMinutes: 12 * 60}

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

// ForgetsBefore is the time at now before which a budget's last wrong
// password is forgotten, and with it the failures and the locks in a row
// it counted: a wrong password typed after that counts from one again.
// It is the zero time, before anything, when p forgets nothing. The store
// compares with it in SQL, and AttemptBudget.At in Go.
func (p LockoutPolicy) ForgetsBefore(now time.Time) time.Time {
	if p.ResetMinutes <= 0 {
		return time.Time{}
	}
	return now.Add(-time.Duration(p.ResetMinutes) * time.Minute)
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
	// LastFailedAt is when the last wrong password was typed; nil if none
	// has been since this was recorded, which forgets nothing.
	LastFailedAt *time.Time
}

// At is the budget as it counts at now under p: when p has forgotten its
// last wrong password, no failure and no lock in a row count any more. A
// lock still on stays on.
func (b AttemptBudget) At(p LockoutPolicy, now time.Time) AttemptBudget {
	if b.LastFailedAt != nil && b.LastFailedAt.Before(p.ForgetsBefore(now)) {
		b.Failures, b.Locks = 0, 0
	}
	return b
}

// LockedAt reports whether the budget is locked at now.
func (b AttemptBudget) LockedAt(now time.Time) bool {
	return b.LockedUntil != nil && now.Before(*b.LockedUntil)
}

// Budget is the account's own attempt budget.
func (u *User) Budget() AttemptBudget {
	return AttemptBudget{Failures: u.FailedLoginCount, LockedUntil: u.LockedUntil, Locks: u.LockoutCount, LastFailedAt: u.LastFailedLoginAt}
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
	// LastFailedAt is when this device last typed a wrong password.
	LastFailedAt *time.Time
	CreatedAt    time.Time
	LastUsedAt   time.Time
}

// TableName names the devices table.
func (Device) TableName() string { return "sign_in_devices" }

// Budget is the device's attempt budget.
func (d *Device) Budget() AttemptBudget {
	return AttemptBudget{Failures: d.Failures, LockedUntil: d.LockedUntil, Locks: d.Locks, LastFailedAt: d.LastFailedAt}
}

// PasswordCheckOutcome is what a wrong password did.
type PasswordCheckOutcome struct {
	// Locked is set when this attempt spent the budget: it is locked
	// until Until, or for good when Permanent.
	Locked    bool
	Until     time.Time
	Permanent bool
}
