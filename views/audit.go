package views

import (
	"context"
	"maps"
	"net/url"
	"regexp"
	"strings"

	"myaccount/models"
)

// auditActions are the actions the audit log filters by, with the names
// admins read.
var auditActions = []models.Option{
	{Value: models.ActionSignIn, Label: "Signed in"},
	{Value: models.ActionSignInFailed, Label: "Sign-in failed"},
	{Value: models.ActionPasswordCheckFailed, Label: "Wrong password on a signed-in page"},
	{Value: models.ActionPasswordCheckRefused, Label: "Password refused while paused or locked"},
	{Value: models.ActionLockedTemporarily, Label: "Locked for a while"},
	{Value: models.ActionSignOut, Label: "Signed out"},
	{Value: models.ActionCreated, Label: "Account created"},
	{Value: models.ActionProfileUpdated, Label: "Profile updated"},
	{Value: models.ActionConsentGiven, Label: "Consent given"},
	{Value: models.ActionConsentWithdrawn, Label: "Consent withdrawn"},
	{Value: models.ActionEmailChange, Label: "Email changed"},
	{Value: models.ActionEmailChangeRequested, Label: "Email change requested"},
	{Value: models.ActionEmailChangeCancelled, Label: "Email change cancelled"},
	{Value: models.ActionVerificationSent, Label: "Verification link sent"},
	{Value: models.ActionEmailVerified, Label: "Email verified"},
	{Value: models.ActionPasswordChange, Label: "Password changed"},
	{Value: models.ActionResetLinkSent, Label: "Password reset link sent"},
	{Value: models.ActionPasswordSetByLink, Label: "Password set from an email link"},
	{Value: models.ActionInvited, Label: "Invitation sent"},
	{Value: models.ActionPasswordReset, Label: "Password reset"},
	{Value: models.ActionForceChange, Label: "Password change required"},
	{Value: models.ActionLocked, Label: "Account locked"},
	{Value: models.ActionUnlocked, Label: "Account unlocked"},
	{Value: models.ActionSessionsEnded, Label: "Sessions ended"},
	{Value: models.ActionReauthenticated, Label: "Password confirmed"},
	{Value: models.ActionAPIKeyCreated, Label: "API key created"},
	{Value: models.ActionAPIKeyRevoked, Label: "API key revoked"},
}

// ActionLabel is an audit action as admins read it. An action without a
// name here still reads as words: "user.sessions_revoked" is "Sessions
// revoked".
func ActionLabel(action string) string {
	for _, o := range auditActions {
		if o.Value == action {
			return o.Label
		}
	}
	_, words, ok := strings.Cut(action, ".")
	if !ok || words == "" {
		words = action
	}
	words = strings.ReplaceAll(words, "_", " ")
	if words == "" {
		return action
	}
	return strings.ToUpper(words[:1]) + words[1:]
}

// AuditFilter is the audit log's filter form as the admin filled it in,
// with the messages for the fields that could not be used.
type AuditFilter struct {
	models.AuditFilter
	Errors models.FieldErrors
	// Labels names the fields the events changed.
	Labels FieldLabels
}

// auditFilterFields are the filter's inputs in page order.
var auditFilterFields = []string{"actor", "subject", "action", "from", "to"}

// Active reports whether any filter is set.
func (f AuditFilter) Active() bool {
	return f.Actor != "" || f.Subject != "" || f.Action != "" || f.From != "" || f.To != ""
}

// URL is the audit log with these filters, at the page a cursor names.
func (f AuditFilter) URL(after, before string) string {
	v := url.Values{}
	for _, kv := range [][2]string{
		{"actor", f.Actor}, {"subject", f.Subject}, {"action", f.Action}, {"from", f.From}, {"to", f.To},
		{"after", after}, {"before", before},
	} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if len(v) == 0 {
		return "/admin/audit"
	}
	return "/admin/audit?" + v.Encode()
}

// FieldLabels names the fields that audit events record, as admins read
// them: never a raw key such as address_line3.
type FieldLabels map[string]string

// systemFieldLabels are the fields events record besides the profile's.
var systemFieldLabels = FieldLabels{
	"status": "Status", "roles": "Roles", "password": "Password", "username": "Username",
	"failed_login_count": "Failed sign-ins", "locked_until": "Sign-in paused until",
	"lock_in_a_row": "Pauses in a row", "temporary_locks_before": "Pauses before the lock",
	"for": "Paused for", "must_change_password": "Must change password", "sessions": "Sessions",
	"pending_email": "New email, not yet confirmed", "email_verified": "Email verified",
	"sent_to": "Sent to", "name": "Name", "prefix": "Key prefix", "link": "Link", "page": "Page",
	"stale": "Out of date", "custom_fields": "Custom fields", "required_fields": "Required fields",
}

// settingToggles are the labels of the settings page's checkboxes.
var settingToggles = FieldLabels{
	models.SettingSignInAfterReset: "Sign in after choosing a new password from a link",
	models.SettingUniqueEmail:      "Email must be unique",
	models.SettingUniqueMobile:     "Mobile phone must be unique",
}

// LabelsFor is every field m's audit events may name, with its label:
// the profile's own fields (custom ones included), the settings page's
// and the system's.
func LabelsFor(m *models.Merchant) FieldLabels {
	l := FieldLabels{}
	for _, labels := range []FieldLabels{systemFieldLabels, settingToggles} {
		maps.Copy(l, labels)
	}
	for _, n := range models.SettingsNumbers() {
		l[n.Name] = n.Label
	}
	if m != nil {
		for _, f := range models.AdminProfileFields(m) {
			l[f.Name] = f.Label
		}
	}
	return l
}

// Label is the field's name as admins read it; a field without one reads
// as words ("shoe_size" is "Shoe size").
func (l FieldLabels) Label(field string) string {
	if s, ok := l[field]; ok {
		return s
	}
	words := strings.TrimSpace(strings.ReplaceAll(strings.TrimPrefix(field, "custom_"), "_", " "))
	if words == "" {
		return field
	}
	return strings.ToUpper(words[:1]) + words[1:]
}

// ChangeText is one change as the audit log shows it, without the field
// name: "old → new", empty values as "(empty)", and secrets only as
// "changed". Anything that looks like a password hash counts as a secret,
// so a hash recorded by mistake still never reaches a page.
func ChangeText(ch models.Change) string {
	if isSecretChange(ch) {
		return models.Secret
	}
	return orEmpty(ch.Old) + " → " + orEmpty(ch.New)
}

func isSecretChange(ch models.Change) bool {
	field := strings.ToLower(ch.Field)
	return field == "password" || strings.Contains(field, "hash") || strings.Contains(field, "secret") ||
		ch.Old == models.Secret || ch.New == models.Secret || looksLikeHash(ch.Old) || looksLikeHash(ch.New)
}

// hashLike matches bcrypt hashes ($2a$11$…) and other modular crypt
// strings ($argon2id$…, $scrypt$…).
var hashLike = regexp.MustCompile(`^\$(2[abxy]?\$\d\d|argon2(id|i|d)|scrypt)\$`)

func looksLikeHash(s string) bool { return hashLike.MatchString(s) }

func orEmpty(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

// auditWhen is an event's time in UTC, as every page writes a moment for
// its reader, to the second.
func auditWhen(ctx context.Context, e models.AuditEntry) string {
	return e.CreatedAt.UTC().Format(models.DateTimeLayoutFor(readerLanguage(ctx)) + ":05 UTC")
}

func userURL(id string) string { return "/admin/users/" + url.PathEscape(id) }
