package models_test

import (
	"strings"
	"testing"

	"myaccount/models"
)

func TestAuditFilterValidate(t *testing.T) {
	for _, tt := range []struct {
		name     string
		from, to string
		want     map[string]string // field → message, "" none
	}{
		{"open", "", "", nil},
		{"one day", " 2026-01-30 ", "2026-01-30", nil},
		{"not a date", "2026-13-45", "", map[string]string{"from": "From must be a real date in the format YYYY-MM-DD, for example 2026-01-30"}},
		{"another format", "", "30/01/2026", map[string]string{"to": "To must be a real date in the format YYYY-MM-DD, for example 2026-01-30"}},
		{"backwards", "2026-02-01", "2026-01-31", map[string]string{"to": "To must be the same as or after From"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := models.AuditFilter{Actor: " demo.admin ", From: tt.from, To: tt.to}
			days, errs := f.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("errors: got %v, want %v", errs, tt.want)
			}
			for field, msg := range tt.want {
				if got := strings.Join(errs[field], "; "); got != msg {
					t.Errorf("%s: got %q, want %q", field, got, msg)
				}
			}
			if f.Actor != "demo.admin" || f.From != strings.TrimSpace(tt.from) {
				t.Errorf("not trimmed: %+v", f)
			}
			if tt.want == nil && (days.From == nil) != (tt.from == "") {
				t.Errorf("from: got %v for %q", days.From, tt.from)
			}
		})
	}
}

func TestUserListFilterValidate(t *testing.T) {
	if errs := (models.UserListFilter{Text: "thomp"}).Validate(); len(errs) != 0 {
		t.Errorf("a plain search: got %v", errs)
	}
	if errs := (models.UserListFilter{Text: strings.Repeat("word ", models.MaxSearchWords+1)}).Validate(); !errs.Has("q") {
		t.Errorf("too many words: got %v, want an error on q", errs)
	}
	if errs := (models.UserListFilter{Status: models.StatusLocked, Role: models.RoleMerchantAdmin}).Validate(); len(errs) != 0 {
		t.Errorf("offered filters: got %v", errs)
	}
	if errs := (models.UserListFilter{Status: "NOPE", Role: "OWNER"}).Validate(); !errs.Has("status") || !errs.Has("role") {
		t.Errorf("filters not offered: got %v, want errors on status and role", errs)
	}
	if !(models.UserListFilter{Dir: "desc"}).Desc() || (models.UserListFilter{Dir: "up"}).Desc() {
		t.Errorf("Desc: wrong answer")
	}
}
