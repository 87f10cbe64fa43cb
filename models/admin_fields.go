package models

import (
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
	textField("external_id", "External ID", GroupIdentity, KindCode, 64, false, func(u *User) *string { return &u.ExternalID }),
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
