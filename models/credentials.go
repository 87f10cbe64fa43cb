package models

import (
	"strconv"
	"strings"
	"unicode"
)

// TypedPasswordProblem refuses a password typed to sign in or
// to confirm who one is that cannot be anyone's password: one with control
// characters (no password may hold them, see PasswordPolicy.CheckNew), or
// longer than bcrypt reads. It is refused before any check, so it costs
// no attempt.
func TypedPasswordProblem(label, pw string) error {
	switch {
	case hasControl(pw):
		return Invalid(controlMessage(label))
	case tooLongForBcrypt(pw):
		// bcrypt would compare only the first 72 bytes.
		return Invalid(label + " is longer than a password can be: " + strconv.Itoa(MaxPasswordBytes) + " bytes at most")
	}
	return nil
}

// hasControl reports control characters in a password: a tab or a line
// break cannot be typed the same way in every password field.
func hasControl(pw string) bool { return strings.ContainsFunc(pw, unicode.IsControl) }

func controlMessage(label string) string {
	return label + " must not contain control characters such as tabs or line breaks"
}

// SignIn is the sign-in form as submitted.
type SignIn struct {
	Login    string `form:"login" json:"login"`
	Password string `form:"password" json:"password"`
}

// Validate checks that both are given and the password could be one. The
// guard checks the rest.
func (in SignIn) Validate() FieldErrors {
	errs := FieldErrors{}
	if strings.TrimSpace(in.Login) == "" {
		errs.Add("login", "Enter your username or email")
	}
	typedPassword(errs, "password", "password", in.Password)
	return errs
}

// ForgotPassword is the forgotten-password form as submitted: the
// account a link to choose a new password is asked for.
type ForgotPassword struct {
	Login string `form:"login" json:"login"`
}

// Validate checks that an account is named. Whether one matches is never
// told.
func (in ForgotPassword) Validate() FieldErrors {
	errs := FieldErrors{}
	if strings.TrimSpace(in.Login) == "" {
		errs.Add("login", "Enter your username or email")
	}
	return errs
}

// typedPassword checks a password typed into field, named label in
// messages, to sign in or to prove who one is: given, and could be one.
func typedPassword(errs FieldErrors, field, label, pw string) {
	if pw == "" {
		errs.Add(field, "Enter your "+label)
		return
	}
	errs.Refuse(field, TypedPasswordProblem(strings.ToUpper(label[:1])+label[1:], pw))
}

// Confirmation is the form that asks a signed-in user for their password
// again.
type Confirmation struct {
	Password string `form:"password" json:"password"`
}

// Validate checks the password is given and could be one.
func (in Confirmation) Validate() FieldErrors {
	errs := FieldErrors{}
	typedPassword(errs, "password", "password", in.Password)
	return errs
}

// PasswordChange is the password form as submitted.
type PasswordChange struct {
	Current string `form:"current_password" json:"current_password"`
	New     string `form:"new_password" json:"new_password"`
	Confirm string `form:"confirm_password" json:"confirm_password"`
}

// Validate checks what needs neither the database nor a hash: each field
// is filled in, the current password could be one, the new one meets p for
// owner and differs from the current one, and the re-entry matches. The
// current password itself is the guard's to check, the history the
// store's.
func (in PasswordChange) Validate(p PasswordPolicy, owner PasswordOwner) FieldErrors {
	errs := FieldErrors{}
	typedPassword(errs, "current_password", "current password", in.Current)
	checkNewPassword(errs, p, owner, in.New, in.Confirm)
	if in.New != "" && in.New == in.Current {
		errs.Add("new_password", SameAsCurrentMessage("New password"))
	}
	return errs
}

// checkNewPassword checks a new password and its re-entry, as a password
// form has them: given, meeting p for owner (CheckNew), and typed the
// same twice.
func checkNewPassword(errs FieldErrors, p PasswordPolicy, owner PasswordOwner, pw, confirm string) {
	if pw == "" {
		errs.Add("new_password", "Enter a new password")
	} else {
		for _, msg := range p.CheckNew("New password", pw, owner) {
			errs.Add("new_password", msg)
		}
	}
	if confirm == "" && pw != "" {
		errs.Add("confirm_password", "Re-enter your new password")
	} else if confirm != pw {
		errs.Add("confirm_password", "The passwords do not match")
	}
}

// PasswordReset is the form of a mailed link's page, which chooses a new
// password (or an invited user's first) without the current one: the
// link stands for it.
type PasswordReset struct {
	New     string `form:"new_password" json:"new_password"`
	Confirm string `form:"confirm_password" json:"confirm_password"`
}

// Validate checks the new password and its re-entry with the password
// form's rules. The store checks the history, and that it is not the
// current password.
func (in PasswordReset) Validate(p PasswordPolicy, owner PasswordOwner) FieldErrors {
	errs := FieldErrors{}
	checkNewPassword(errs, p, owner, in.New, in.Confirm)
	return errs
}

// EmailChange is the email form as submitted.
type EmailChange struct {
	New      string `form:"new_email" json:"new_email"`
	Confirm  string `form:"confirm_email" json:"confirm_email"`
	Password string `form:"current_password" json:"current_password"`
}

// Validate checks the form for a user whose email is current, and returns
// the new address cleaned. The password itself is the guard's to check.
func (in EmailChange) Validate(current string) (string, FieldErrors) {
	errs := FieldErrors{}
	email, err := CleanEmail("Email address", in.New)
	switch {
	case err != nil:
		errs.Refuse("new_email", err)
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
	typedPassword(errs, "current_password", "current password", in.Password)
	return email, errs
}
