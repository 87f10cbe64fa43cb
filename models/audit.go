package models

import "database/sql/driver"

// Audit actions.
const (
	ActionSignIn       = "user.sign_in"
	ActionSignInFailed = "user.sign_in_failed"
	// ActionPasswordCheckFailed: a wrong password on a signed-in page
	// (confirm, password or email form); its changes name the page.
	ActionPasswordCheckFailed = "user.password_check_failed"
	// ActionPasswordCheckRefused: a password typed while the attempt
	// budget in use was paused, or the account locked or not active. It
	// was not compared and is counted against no budget, but it is one
	// more attempt to tell the owner of; its changes name the page.
	ActionPasswordCheckRefused = "user.password_check_refused"
	// ActionLockedTemporarily: too many wrong passwords locked one
	// attempt budget (the account's own, or a device's) for a while.
	ActionLockedTemporarily = "user.locked_temporarily"
	ActionSignOut           = "user.sign_out"
	ActionLocked            = "user.locked"
	ActionProfileUpdated    = "user.profile_updated"
	ActionPasswordChange    = "user.password_changed"
	ActionEmailChange       = "user.email_changed"
	ActionCreated           = "user.created"
	ActionUnlocked          = "user.unlocked"
	ActionForceChange       = "user.password_change_forced"
	ActionPasswordReset     = "user.password_reset"
	ActionSessionsEnded     = "user.sessions_revoked"
	// ActionReauthenticated: the user typed their password again before a
	// sensitive change.
	ActionReauthenticated = "user.reauthenticated"
	// ActionConsentGiven and ActionConsentWithdrawn record one consent
	// (a mailing list, the programme) given or withdrawn, with its time,
	// who changed it and from where: the record consent law asks for.
	// The profile update that carried it is recorded as well.
	ActionConsentGiven     = "user.consent_given"
	ActionConsentWithdrawn = "user.consent_withdrawn"
	// ActionResetLinkSent: a link to choose a new password was mailed,
	// asked for on the forgotten-password page or sent by an admin.
	ActionResetLinkSent = "user.password_reset_link_sent"
	// ActionPasswordSetByLink: the password was chosen through a mailed
	// link (a reset, or an invitation accepted).
	ActionPasswordSetByLink = "user.password_set_by_link"
	// ActionInvited: an admin created the account with an invitation, or
	// sent a new one.
	ActionInvited = "user.invited"
	// ActionEmailChangeRequested: a new address waits for its link to be
	// followed; ActionEmailChangeCancelled: the wait ended unapplied.
	ActionEmailChangeRequested = "user.email_change_requested"
	ActionEmailChangeCancelled = "user.email_change_cancelled"
	// ActionVerificationSent: a link proving the current address was
	// mailed; ActionEmailVerified: it was followed.
	ActionVerificationSent = "user.email_verification_sent"
	ActionEmailVerified    = "user.email_verified"
)

// Audit actions on a merchant.
const (
	ActionSettingsUpdated = "merchant.settings_updated"
	// ActionAPIKeyCreated and ActionAPIKeyRevoked: an admin created or
	// revoked an API key; the changes name it by name and prefix.
	ActionAPIKeyCreated = "merchant.api_key_created"
	ActionAPIKeyRevoked = "merchant.api_key_revoked"
)

// Secret is what an audit trail records instead of a secret's value.
const Secret = "changed"

// Change is one field's old and new value in an audit event.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Changes is stored as JSON text.
type Changes []Change

// Value implements driver.Valuer.
func (c Changes) Value() (driver.Value, error) {
	if c == nil {
		return "[]", nil
	}
	return jsonValue([]Change(c))
}

// Scan implements sql.Scanner.
func (c *Changes) Scan(src any) error {
	var out []Change
	if err := scanJSON(src, &out); err != nil {
		return err
	}
	*c = out
	return nil
}

// AuditEntry is an audit event with the usernames of its actor and
// subject.
type AuditEntry struct {
	AuditEvent
	// ActorName is SystemActor when no one acted (a failed sign-in, an
	// automatic lock), KeyActorName's when an integration did through an
	// API key, and empty when the actor's account is gone.
	ActorName string
	// SubjectName is empty when there is no subject or its account is gone.
	SubjectName string
}

// SystemActor names the actor of events no user caused.
const SystemActor = "system"

// AuditPage is one page of audit events, newest first, with keyset
// pagination on (created_at, id), as UserPage has.
type AuditPage struct {
	Events     []AuditEntry
	Next, Prev string // cursors to older and newer events; empty when none
}
