package models

import (
	"regexp"
	"slices"
	"strings"
)

// Groups only admins edit.
const (
	GroupIdentity = "identity"
	GroupWork     = "work"
	GroupAccess   = "access"
)

// Statuses and Roles list the values admins may choose from.
var (
	Statuses = []Option{{StatusActive, "Active"}, {StatusInactive, "Inactive"}, {StatusLocked, "Locked"}}
	Roles    = []Option{{RoleCustomer, "Customer"}, {RoleMerchantAdmin, "Merchant admin"}}
)

// adminFields are what a merchant admin edits on top of the guest's own
// fields: identifiers, work details, status and roles.
var adminFields = []ProfileField{
	{
		Name: "email", Label: "Email", Group: GroupIdentity, Kind: KindEmail, Max: MaxEmailLength, Columns: []string{"email"},
		get: func(u *User) string { return u.Email },
		set: func(u *User, v string) { u.Email = v },
	},
	textField("member_number", "Member number", GroupIdentity, KindCode, 32, false, func(u *User) *string { return &u.MemberNumber }),
	textField("card_number", "Card number", GroupIdentity, KindCode, 32, false, func(u *User) *string { return &u.CardNumber }),
	textField("external_id", "External id", GroupIdentity, KindCode, 64, false, func(u *User) *string { return &u.ExternalID }),
	textField("organization", "Organization", GroupWork, KindText, 100, false, func(u *User) *string { return &u.Organization }),
	textField("job_title", "Job title", GroupWork, KindText, 100, false, func(u *User) *string { return &u.JobTitle }),
	textField("department", "Department", GroupWork, KindText, 100, false, func(u *User) *string { return &u.Department }),
	{
		Name: "status", Label: "Status", Group: GroupAccess, Kind: KindStatus, Columns: []string{"status"},
		get: func(u *User) string { return u.Status },
		set: func(u *User, v string) { u.Status = v },
	},
	{
		Name: "roles", Label: "Roles", Group: GroupAccess, Kind: KindRoles, Columns: []string{"roles"},
		get: func(u *User) string { return strings.Join(u.Roles, ",") },
		set: func(u *User, v string) { u.Roles = strings.Split(v, ",") },
	},
}

// AdminProfileFields lists what an admin of m edits: the guest's fields,
// checked by the same rules, then the admin-only ones.
func AdminProfileFields(m *Merchant) []ProfileField {
	fields := GuestProfileFields(m)
	out := make([]ProfileField, 0, len(fields)+len(adminFields))
	out = append(out, adminFields...)
	return append(out, fields...)
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// CleanCode accepts identifiers such as member and card numbers: letters,
// digits, dots, hyphens and underscores; spaces typed for readability
// ("6000 3010 …") are dropped.
func CleanCode(label, raw string, max int) (string, error) {
	s, msg := CleanText(label, strings.ReplaceAll(raw, " ", ""), max)
	if msg != nil || s == "" {
		return s, msg
	}
	if !codePattern.MatchString(s) {
		return "", Invalid(label + " must only include letters, numbers, dots, hyphens and underscores")
	}
	return s, nil
}

func cleanStatus(label, raw string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	for _, o := range Statuses {
		if s == o.Value {
			return s, nil
		}
	}
	return "", Invalid("Select a status")
}

// cleanRoles accepts a comma-separated set of known roles, at least one,
// and stores them in a fixed order.
func cleanRoles(label, raw string) (string, error) {
	var out []string
	for _, part := range strings.Split(raw, ",") {
		part = strings.ToUpper(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if !slices.ContainsFunc(Roles, func(o Option) bool { return o.Value == part }) {
			return "", Invalid("Select roles from the list")
		}
		if !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	if len(out) == 0 {
		return "", Invalid("Select at least one role")
	}
	slices.Sort(out)
	return strings.Join(out, ","), nil
}

// GeneratedLengths are the lengths offered for generated member and card
// numbers (the loyalty API's card_number_generate).
var GeneratedLengths = []int{8, 10, 12, 16, 19}
