package views

import (
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
	Actor, Subject, Action, From, To string
	Errors                           models.FieldErrors
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

// auditWhen is an event's time in UTC, to the second.
func auditWhen(e models.AuditEntry) string {
	return e.CreatedAt.UTC().Format("2006-01-02 15:04:05")
}

func userURL(id string) string { return "/admin/users/" + url.PathEscape(id) }
