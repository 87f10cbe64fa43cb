package models

import "errors"

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

// ErrSelf refuses an account action an admin may not take on their own
// account (locking themselves out, resetting their own password).
var ErrSelf = errors.New("not on your own account")

// CheckAccountAction refuses an action (lock, force a password change,
// reset the password) that actor would take on their own account.
func CheckAccountAction(actor, subject *User) error {
	if actor.ID == subject.ID {
		return ErrSelf
	}
	return nil
}
