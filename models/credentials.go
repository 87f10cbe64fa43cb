package models

import (
	"strconv"
	"strings"
	"unicode"
)

// TypedPasswordProblem is the message for a password typed to sign in or
// to confirm who one is that cannot be anyone's password: one with control
// characters (no password may hold them, see PasswordPolicy.CheckNew), or
// longer than bcrypt reads. It is refused before any check, so it costs
// no attempt.
func TypedPasswordProblem(label, pw string) string {
	switch {
	case hasControl(pw):
		return controlMessage(label)
	case len(pw) > MaxPasswordBytes:
		// bcrypt would compare only the first 72 bytes.
		return label + " is longer than a password can be: " + strconv.Itoa(MaxPasswordBytes) + " bytes at most"
	}
	return ""
}

// hasControl reports control characters in a password: a tab or a line
// break cannot be typed the same way in every password field.
func hasControl(pw string) bool { return strings.ContainsFunc(pw, unicode.IsControl) }

func controlMessage(label string) string {
	return label + " must not contain control characters such as tabs or line breaks"
}

// PasswordChange is the password form as submitted.
type PasswordChange struct {
	Current, New, Confirm string
}

// Validate checks what needs neither the database nor a hash: each field
// is filled in, the current password could be one, the new one meets p for
// owner, and the re-entry matches. The current password itself, its reuse
// and the history are checked after it, by the guard and the store.
func (in PasswordChange) Validate(p PasswordPolicy, owner PasswordOwner) FieldErrors {
	const label = "New password"
	errs := FieldErrors{}
	if in.Current == "" {
		errs.Add("current_password", "Enter your current password")
	} else if msg := TypedPasswordProblem("Current password", in.Current); msg != "" {
		errs.Add("current_password", msg)
	}
	if in.New == "" {
		errs.Add("new_password", "Enter a new password")
	} else {
		for _, msg := range p.CheckNew(label, in.New, owner) {
			errs.Add("new_password", msg)
		}
	}
	if in.Confirm == "" && in.New != "" {
		errs.Add("confirm_password", "Re-enter your new password")
	} else if in.Confirm != in.New {
		errs.Add("confirm_password", "The passwords do not match")
	}
	return errs
}

// EmailChange is the email form as submitted.
type EmailChange struct {
	New, Confirm, Password string
}

// Validate checks the form for a user whose email is current, and returns
// the new address cleaned. The password itself is the guard's to check.
func (in EmailChange) Validate(current string) (string, FieldErrors) {
	errs := FieldErrors{}
	email, msg := CleanEmail("Email address", in.New)
	switch {
	case msg != "":
		errs.Add("new_email", msg)
	case email == "":
		errs.Add("new_email", "Enter your new email address")
	case strings.EqualFold(email, current):
		errs.Add("new_email", "New email must be different from your current email")
	}
	if confirm := strings.TrimSpace(in.Confirm); confirm == "" && email != "" {
		errs.Add("confirm_email", "Re-enter your new email address")
	} else if !errs.Has("new_email") && !strings.EqualFold(confirm, strings.TrimSpace(in.New)) {
		errs.Add("confirm_email", "The email addresses do not match")
	}
	if in.Password == "" {
		errs.Add("current_password", "Enter your current password")
	} else if msg := TypedPasswordProblem("Current password", in.Password); msg != "" {
		errs.Add("current_password", msg)
	}
	return email, errs
}
