package models

import (
	"strings"
	"time"
)

// UserListFilter is the admin user list's search form as sent (a GET
// form), with the sort and the page cursor.
type UserListFilter struct {
	Text   string `query:"q"`
	Status string `query:"status"`
	Role   string `query:"role"`
	Sort   string `query:"sort"`
	// Dir is "desc" for a descending sort; anything else is ascending.
	Dir    string `query:"dir"`
	After  string `query:"after"`
	Before string `query:"before"`
}

// Desc reports whether the list is sorted in descending order.
func (q UserListFilter) Desc() bool { return q.Dir == SortDescending }

// SortDescending is UserListFilter.Dir for a descending sort.
const SortDescending = "desc"

// Validate checks that the search text can be searched for
// (CleanSearch), with its message on "q", and that a status or role
// filter is one the list offers: another could match no one, under a
// select that says "Any".
func (q UserListFilter) Validate() FieldErrors {
	errs := FieldErrors{}
	_, err := CleanSearch("Search", q.Text)
	errs.Refuse("q", err)
	if q.Status != "" && !HasOption(Statuses, q.Status) {
		errs.Add("status", "Select a status from the list")
	}
	if q.Role != "" && !HasOption(Roles, q.Role) {
		errs.Add("role", "Select a role from the list")
	}
	return errs
}

// AuditFilter is the audit log's filter form as sent (a GET form).
type AuditFilter struct {
	Actor   string `query:"actor"`
	Subject string `query:"subject"`
	Action  string `query:"action"`
	From    string `query:"from"`
	To      string `query:"to"`
}

// AuditDays are the days an audit filter names, UTC, both included; nil
// is open.
type AuditDays struct{ From, To *time.Time }

// Validate trims the filter and reads its days: real dates in YYYY-MM-DD,
// the last no earlier than the first.
func (f *AuditFilter) Validate() (AuditDays, FieldErrors) {
	for _, s := range []*string{&f.Actor, &f.Subject, &f.Action, &f.From, &f.To} {
		*s = strings.TrimSpace(*s)
	}
	errs := FieldErrors{}
	days := AuditDays{From: auditDay(errs, "from", "From", f.From), To: auditDay(errs, "to", "To", f.To)}
	if days.From != nil && days.To != nil && days.To.Before(*days.From) {
		errs.Add("to", "To must be the same as or after From")
	}
	return days, errs
}

// auditDay reads one day of the filter, noting a message under name when
// it is not a date.
func auditDay(errs FieldErrors, name, label, value string) *time.Time {
	if value == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, value)
	if err != nil {
		errs.Add(name, label+" must be a real date in the format YYYY-MM-DD, for example 2026-01-30")
		return nil
	}
	return &d
}
