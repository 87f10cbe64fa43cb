package models_test

import (
	"strings"
	"testing"

	"myaccount/models"
)

// The live checklist and the form agree: the checklist has a rule unmet
// exactly when the password is refused. A tab, a line break or a password
// over bcrypt's 72 bytes, which the form refuses, put an unmet rule of
// their own on the list, however strong the rest of it is.
func TestChecklistAgreesWithCheckNew(t *testing.T) {
	guest := models.PasswordOwner{Username: "demo.guest", Email: "demo.guest@example.com", Whose: "your"}
	long := strings.Repeat("Kite harbour 7! ", 5) // 80 bytes
	passwords := []string{
		"", "Maya#2026x", "tuesday kite harbour", "Password1!", "Demo.guest#1", "aaaaaaaaaaaaaaaa",
		"tuesday\tkite harbour#7", "Maya#2026x\t", "tuesday kite\nharbour#7", "tuesday kite\rharbour#7", "Maya#\x7f2026x",
		long, long + "\t",
	}
	for _, policy := range []models.PasswordPolicy{models.VELAPolicy, models.NISTPolicy} {
		for _, pw := range passwords {
			rules, _ := policy.Checklist(pw, guest)
			var unmet []string
			for _, r := range rules {
				if !r.Met {
					unmet = append(unmet, r.Key)
				}
			}
			refused := policy.CheckNew("New password", pw, guest)
			if (len(unmet) > 0) != (len(refused) > 0) {
				t.Errorf("%s, %q: checklist unmet %v, form refuses %q; want both or neither", policy.Preset(), pw, unmet, refused)
			}
		}
	}

	for pw, want := range map[string]string{"tuesday\tkite harbour#7": models.RuleControl, long: models.RuleBytes} {
		rules, strength := models.NISTPolicy.Checklist(pw, guest)
		var got *models.PasswordRule
		for i := range rules {
			if rules[i].Key == want {
				got = &rules[i]
			}
		}
		if got == nil || got.Met {
			t.Errorf("%q: got rule %+v, want %s on the list, unmet (strength %s)", pw, got, want, strength.Label())
		}
	}
	rules, _ := models.NISTPolicy.Checklist("tuesday\tkite harbour#7", guest)
	for _, r := range rules {
		if r.Key == models.RuleControl && r.Label != "No tabs, line breaks or other control characters" {
			t.Errorf("control rule label: got %q", r.Label)
		}
	}
	// Unbroken, neither is on the list: nobody means to type them.
	plain, _ := models.NISTPolicy.Checklist("tuesday kite harbour", guest)
	for _, r := range plain {
		if r.Key == models.RuleControl || r.Key == models.RuleBytes {
			t.Errorf("a password without them: got rule %s on the list", r.Key)
		}
	}
}
