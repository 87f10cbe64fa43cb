// Package models holds the domain of My Account: merchants, users, sessions
// and audit events, the rules their fields obey, and the typed errors the
// rest of the application maps to HTTP statuses in one place.
package models

import (
	"errors"
	"sort"
	"strings"
)

// Domain errors. Callers compare them with errors.Is; the HTTP error
// handler maps each to one status.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
	// ErrNoChanges means a submit carried no change: nothing was written.
	ErrNoChanges = errors.New("no changes")
	// ErrLinkInvalid is an emailed link that does not work (any more):
	// unknown, expired, used, replaced by a newer one, or made before the
	// password last changed. Its holder learns no more than that.
	ErrLinkInvalid = errors.New("link invalid")
	// ErrNoEmail is a link to mail to an account that has no email
	// address.
	ErrNoEmail = errors.New("the account has no email address")
	// ErrNotInvited is an invitation to send again to a user who is not
	// waiting for one: they were never invited, or have a password since.
	ErrNotInvited = errors.New("the user is not waiting for an invitation")
)

// FieldErrors maps a field name (the form input's name and id) to the
// messages shown next to it, in the order they were found. It is an error so
// domain functions can return it.
type FieldErrors map[string][]string

func (fe FieldErrors) Error() string {
	keys := fe.Fields()
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + strings.Join(fe[k], ", ")
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records msg for field.
func (fe FieldErrors) Add(field, msg string) {
	fe[field] = append(fe[field], msg)
}

// Has reports whether field has a message.
func (fe FieldErrors) Has(field string) bool {
	return len(fe[field]) > 0
}

// Fields returns the names with messages, sorted, for stable output.
func (fe FieldErrors) Fields() []string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Merge adds every message of other.
func (fe FieldErrors) Merge(other FieldErrors) {
	for k, msgs := range other {
		fe[k] = append(fe[k], msgs...)
	}
}

// Err returns fe as an error, or nil when it is empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Invalid is a field rule's refusal of what was typed: a message that
// names the field by its label, ready to show next to it.
type Invalid string

func (e Invalid) Error() string { return string(e) }

// Refuse records err's message for field; a nil err records nothing.
func (fe FieldErrors) Refuse(field string, err error) {
	if err != nil {
		fe.Add(field, err.Error())
	}
}
