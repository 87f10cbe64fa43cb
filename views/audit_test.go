package views

import (
	"testing"

	"myaccount/models"
)

// The audit log shows old → new, empty values as "(empty)", and secrets,
// or anything that looks like a password hash, only as "changed".
func TestChangeText(t *testing.T) {
	tests := []struct {
		name string
		ch   models.Change
		want string
	}{
		{"plain", models.Change{Field: "city", Old: "Austin", New: "Boston"}, "Austin → Boston"},
		{"set", models.Change{Field: "city", Old: "", New: "Boston"}, "(empty) → Boston"},
		{"cleared", models.Change{Field: "city", Old: "Austin", New: ""}, "Austin → (empty)"},
		{"password", models.Change{Field: "password", Old: models.Secret, New: models.Secret}, "changed"},
		{"password with values", models.Change{Field: "password", Old: "a", New: "b"}, "changed"},
		{"hash field", models.Change{Field: "password_hash", Old: "x", New: "y"}, "changed"},
		{"secret marker", models.Change{Field: "api_key", Old: "", New: models.Secret}, "changed"},
		{"bcrypt hash in any field", models.Change{Field: "note", Old: "", New: "$2a$11$abcdefghijklmnopqrstuu"}, "changed"},
		{"bcrypt 2b", models.Change{Field: "note", Old: "$2b$04$abc", New: ""}, "changed"},
		{"argon2", models.Change{Field: "note", Old: "$argon2id$v=19$m=65536", New: ""}, "changed"},
		{"money is not a hash", models.Change{Field: "note", Old: "$25 voucher", New: "$2 off"}, "$25 voucher → $2 off"},
	}
	for _, tc := range tests {
		if got := ChangeText(tc.ch); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestActionLabel(t *testing.T) {
	for action, want := range map[string]string{
		models.ActionSignInFailed:   "Sign-in failed",
		models.ActionProfileUpdated: "Profile updated",
		models.ActionAPIKeyCreated:  "API key created",
		models.ActionAPIKeyRevoked:  "API key revoked",
		"user.tier_changed":         "Tier changed",
		"export":                    "Export",
		"":                          "",
	} {
		if got := ActionLabel(action); got != want {
			t.Errorf("ActionLabel(%q): got %q, want %q", action, got, want)
		}
	}
}

// Every merchant setting a settings change records has a label of its own
// in the audit log, never its form name spelt out.
func TestSettingsHaveAuditLabels(t *testing.T) {
	labels := LabelsFor(nil)
	for _, n := range models.SettingsNumbers() {
		if _, ok := labels[n.Name]; !ok {
			t.Errorf("setting %s: no audit label", n.Name)
		}
	}
	if got := labels.Label("lockout_reset_minutes"); got != "Forget failed sign-ins after (minutes)" {
		t.Errorf("lockout_reset_minutes: got %q", got)
	}
}
