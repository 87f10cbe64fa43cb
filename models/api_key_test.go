package models_test

import (
	"strings"
	"testing"
	"time"

	"myaccount/models"
)

func TestCleanKeyName(t *testing.T) {
	const (
		empty   = "Enter a key name"
		tooLong = "Key name must be 60 characters or fewer"
		control = "Key name must not contain control characters"
	)
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanKeyName(s)) }, []cleanCase{
		{"plain", "Point of sale", "Point of sale", ""},
		{"trimmed", "  Kiosk \t", "Kiosk", ""},
		{"one character", "K", "K", ""},
		{"60 characters", strings.Repeat("é", 60), strings.Repeat("é", 60), ""},
		{"61 characters", strings.Repeat("k", 61), "", tooLong},
		{"empty", "", "", empty},
		{"only spaces", "   ", "", empty},
		{"a tab inside", "Point\tof sale", "", control},
		{"a newline inside", "Point\nof sale", "", control},
		{"right-to-left override", "Kiosk\u202E", "", control},
	})
}

// The form's Validate says the same, on the "name" field.
func TestNewAPIKeyValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"good", " Point of sale ", ""},
		{"empty", "", "Enter a key name"},
		{"blank", "  ", "Enter a key name"},
		{"a control character", "Web\x00site", "Key name must not contain control characters"},
		{"too long", strings.Repeat("k", 61), "Key name must be 60 characters or fewer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name, errs := models.NewAPIKey{Name: tc.in}.Validate()
			if got := strings.Join(errs["name"], "; "); got != tc.want || len(errs) > 1 {
				t.Errorf("Validate(%q): got %v, want name: %q", tc.in, errs, tc.want)
			}
			if tc.want == "" && name != strings.TrimSpace(tc.in) {
				t.Errorf("Validate(%q): name %q, want it trimmed", tc.in, name)
			}
		})
	}
}

func TestAPIKeyActive(t *testing.T) {
	now := time.Now()
	if k := (models.APIKey{}); !k.Active() {
		t.Errorf("a key never revoked: got inactive, want active")
	}
	if k := (models.APIKey{RevokedAt: &now}); k.Active() {
		t.Errorf("a revoked key: got active, want inactive")
	}
}

func TestKeyActorName(t *testing.T) {
	if got, want := models.KeyActorName("Point of sale"), "API key “Point of sale”"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := models.KeyActorName(""), "API key"; got != want {
		t.Errorf("no name: got %q, want %q", got, want)
	}
}
