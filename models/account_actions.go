package models

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// AccountAction is what an admin does to a user's account from its
// record, named as in its address (/admin/users/{id}/{action}).
type AccountAction string

// The account actions.
const (
	ActLock                AccountAction = "lock"
	ActUnlock              AccountAction = "unlock"
	ActForcePasswordChange AccountAction = "force-password-change"
	ActResetPassword       AccountAction = "reset-password"
	ActRevokeSessions      AccountAction = "revoke-sessions"
	ActSendResetLink       AccountAction = "send-reset-link"
	ActResendInvitation    AccountAction = "resend-invitation"
	ActSendVerification    AccountAction = "send-verification"
)

// ErrSelf refuses an account action an admin may not take on their own
// account (locking themselves out, resetting their own password).
var ErrSelf = errors.New("not on your own account")

// ErrAccountShut refuses to give a locked or deactivated account a new
// password: it could not sign in with it.
var ErrAccountShut = errors.New("account locked or inactive")

// RefusedAction is an account action the rules refuse, with the words
// that tell the admin why. It matches ErrSelf or ErrAccountShut.
type RefusedAction struct {
	Reason string
	err    error
}

func (e *RefusedAction) Error() string { return e.Reason }
func (e *RefusedAction) Unwrap() error { return e.err }

// notOnSelf are the actions an admin may not take on their own account,
// with why: each would lock them out or bypass their own password page.
var notOnSelf = map[AccountAction]string{
	ActLock:                "You cannot lock your own account.",
	ActForcePasswordChange: "You cannot do this to your own account: change your password on your password page.",
	ActResetPassword:       "You cannot reset your own password here: change it on your password page.",
}

// notWhileShut are the actions that give an account a new password,
// which a locked or deactivated account could not use.
var notWhileShut = map[AccountAction]bool{ActResetPassword: true, ActSendResetLink: true}

// CheckAccountAction refuses act when actor may not take it on subject,
// with a *RefusedAction.
func CheckAccountAction(actor, subject *User, act AccountAction) error {
	if reason, barred := notOnSelf[act]; barred && actor.ID == subject.ID {
		return &RefusedAction{Reason: reason, err: ErrSelf}
	}
	if notWhileShut[act] && subject.Status != StatusActive {
		first := "Make it active"
		if subject.Status == StatusLocked {
			first = "Unlock it"
		}
		return &RefusedAction{err: ErrAccountShut, Reason: "This account is " + strings.ToLower(OptionLabel(Statuses, subject.Status)) +
			", so a new password would not let them in. " + first + " first."}
	}
	return nil
}

// CheckSelfEdit keeps an admin (actor) from locking, deactivating or
// demoting themselves when before becomes next: the merchant must never
// lose its last way in by accident.
func CheckSelfEdit(actor, before, next *User) FieldErrors {
	errs := FieldErrors{}
	if actor.ID != before.ID {
		return errs
	}
	if next.Status != StatusActive && before.Status == StatusActive {
		errs.Add("status", "You cannot lock or deactivate your own account")
	}
	if before.IsAdmin() && !next.IsAdmin() {
		errs.Add("roles", "You cannot remove your own merchant admin role")
	}
	return errs
}

// LockAccount is an admin's lock of before: the account stays locked
// until an admin unlocks it, and records who locked it and when.
func LockAccount(actor Actor, before *User, now time.Time) ProfileUpdate {
	upd := ProfileUpdate{User: *before, Columns: []string{"status"},
		Changes: Changes{{Field: "status", Old: before.Status, New: StatusLocked}}}
	upd.User.Status = StatusLocked
	upd.statusEffects(actor, before, now)
	return upd
}

// UnlockAccount is an admin's unlock of before: active again, with the
// lock, the pauses of its own budget and its devices' budgets, and its
// failed sign-ins forgotten. It also lifts the pauses of an account that
// was active.
func UnlockAccount(before *User) ProfileUpdate {
	upd := ProfileUpdate{User: *before}
	if before.Status != StatusActive {
		upd.User.Status = StatusActive
		upd.Columns = []string{"status"}
		upd.Changes = Changes{{Field: "status", Old: before.Status, New: StatusActive}}
	}
	upd.forgetFailures(before)
	return upd
}

// statusEffects records who locked an account and when, and forgets the
// lock, its pauses and the failed sign-ins when it is unlocked.
func (upd *ProfileUpdate) statusEffects(actor Actor, before *User, now time.Time) {
	next := &upd.User
	switch {
	case next.Status == before.Status:
	case next.Status == StatusLocked:
		next.LockedAt, next.LockedBy = &now, actor.UserID()
		upd.Columns = appendMissing(upd.Columns, "locked_at", "locked_by")
	case before.Status == StatusLocked:
		upd.forgetFailures(before)
	}
}

// forgetFailures clears the lock, the pauses and the failed sign-ins of
// the account and of its devices (ForgetsDeviceFailures), and records
// what it forgets: a count of none is no change.
func (upd *ProfileUpdate) forgetFailures(before *User) {
	next := &upd.User
	next.LockedAt, next.LockedBy, next.FailedLoginCount, next.LockedUntil, next.LockoutCount = nil, nil, 0, nil, 0
	upd.Columns = appendMissing(upd.Columns, "locked_at", "locked_by", "failed_login_count", "locked_until", "lockout_count")
	if before.FailedLoginCount != 0 {
		upd.Changes = append(upd.Changes, Change{Field: "failed_login_count", Old: fmt.Sprint(before.FailedLoginCount), New: "0"})
	}
	if before.LockedUntil != nil {
		upd.Changes = append(upd.Changes, Change{Field: "locked_until", Old: before.LockedUntil.UTC().Format(time.RFC3339), New: ""})
	}
	upd.ForgetsDeviceFailures = true
}
