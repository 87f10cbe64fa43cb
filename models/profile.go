package models

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Profile field groups, in the order the account page shows them.
const (
	GroupPersonal    = "personal"
	GroupContact     = "contact"
	GroupAddress     = "address"
	GroupPreferences = "preferences"
	GroupCustom      = "custom"
)

// FieldKind says which rule checks a field and which input edits it.
type FieldKind int

// Field kinds.
const (
	KindText FieldKind = iota
	KindName
	KindInitial
	KindPostalCode
	KindPhone
	KindCountry
	KindLanguage
	KindGender
	KindBirthday
	KindBool
	KindNumber
	KindDate
	KindDateTime
	KindList
	KindEmail
	KindCode
	KindStatus
	KindRoles
)

// ProfileField is one editable profile field: its form name (also the input
// id and the JSON key), its visible label, its rule, and how it is read from
// and written to a User. One list of these drives the guest form, the admin
// form, validation, partial updates and the audit trail.
type ProfileField struct {
	Name    string
	Label   string
	Hint    string
	Group   string
	Kind    FieldKind
	Max     int
	Options []string // KindList
	// Columns are written when the field changes.
	Columns []string
	// Requirable fields may be made required by the merchant.
	Requirable bool
	// Required is set for custom fields the merchant defined as required.
	Required bool
	// Consent marks a choice the user must make themselves (a mailing
	// list, the programme): each change is recorded on its own.
	Consent bool
	get     func(*User) string
	set     func(*User, string)
}

// Value is the field's stored value for u, as the form shows it.
func (f ProfileField) Value(u *User) string { return f.get(u) }

func textField(name, label, group string, kind FieldKind, max int, requirable bool, ptr func(*User) *string) ProfileField {
	return ProfileField{
		Name: name, Label: label, Group: group, Kind: kind, Max: max, Requirable: requirable,
		Columns: []string{name},
		get:     func(u *User) string { return *ptr(u) },
		set:     func(u *User, v string) { *ptr(u) = v },
	}
}

func phoneField(name, label string, number, country func(*User) *string) ProfileField {
	return ProfileField{
		Name: name, Label: label, Group: GroupContact, Kind: KindPhone, Max: 32, Requirable: true,
		Columns: []string{name, name + "_country"},
		get:     func(u *User) string { return *number(u) },
		set: func(u *User, v string) {
			*number(u) = v
			_, region, _ := CleanPhone(label, v, "")
			*country(u) = region
		},
	}
}

func consentField(name, label, hint string, ptr func(*User) *bool) ProfileField {
	return ProfileField{
		Name: name, Label: label, Hint: hint, Group: GroupPreferences, Kind: KindBool, Columns: []string{name}, Consent: true,
		get: func(u *User) string { return strconv.FormatBool(*ptr(u)) },
		set: func(u *User, v string) { *ptr(u) = v == "true" },
	}
}

// guestFields are the built-in fields a guest edits, in form order.
var guestFields = []ProfileField{
	textField("name_prefix", "Title", GroupPersonal, KindName, 20, false, func(u *User) *string { return &u.NamePrefix }),
	textField("first_name", "First name", GroupPersonal, KindName, 50, true, func(u *User) *string { return &u.FirstName }),
	textField("middle_initial", "Middle initial", GroupPersonal, KindInitial, 1, false, func(u *User) *string { return &u.MiddleInitial }),
	textField("last_name", "Last name", GroupPersonal, KindName, 50, true, func(u *User) *string { return &u.LastName }),
	textField("name_suffix", "Suffix", GroupPersonal, KindName, 20, false, func(u *User) *string { return &u.NameSuffix }),
	{
		Name: "gender", Label: "Gender", Group: GroupPersonal, Kind: KindGender, Requirable: true, Columns: []string{"gender"},
		get: func(u *User) string { return u.Gender },
		set: func(u *User, v string) { u.Gender = v },
	},
	{
		Name: "birthday", Label: "Birthday", Hint: "For example, 1986-01-30", Group: GroupPersonal, Kind: KindBirthday, Requirable: true, Columns: []string{"birthday"},
		get: func(u *User) string {
			if u.Birthday == nil {
				return ""
			}
			return u.Birthday.Format(DateLayout)
		},
		set: func(u *User, v string) {
			if v == "" {
				u.Birthday = nil
				return
			}
			d, _ := time.Parse(DateLayout, v)
			u.Birthday = &d
		},
	},
	phoneField("mobile", "Mobile phone", func(u *User) *string { return &u.Mobile }, func(u *User) *string { return &u.MobileCountry }),
	textField("mobile_carrier", "Mobile carrier", GroupContact, KindText, 50, false, func(u *User) *string { return &u.MobileCarrier }),
	phoneField("phone", "Phone", func(u *User) *string { return &u.Phone }, func(u *User) *string { return &u.PhoneCountry }),
	phoneField("fax", "Fax", func(u *User) *string { return &u.Fax }, func(u *User) *string { return &u.FaxCountry }),
	textField("address_line1", "Address line 1", GroupAddress, KindText, 100, true, func(u *User) *string { return &u.AddressLine1 }),
	textField("address_line2", "Address line 2", GroupAddress, KindText, 100, false, func(u *User) *string { return &u.AddressLine2 }),
	textField("address_line3", "Address line 3", GroupAddress, KindText, 100, false, func(u *User) *string { return &u.AddressLine3 }),
	textField("city", "Town or city", GroupAddress, KindText, 60, true, func(u *User) *string { return &u.City }),
	textField("state", "State or region", GroupAddress, KindText, 60, true, func(u *User) *string { return &u.State }),
	textField("postal_code", "Postal code", GroupAddress, KindPostalCode, 16, true, func(u *User) *string { return &u.PostalCode }),
	textField("country", "Country", GroupAddress, KindCountry, 2, true, func(u *User) *string { return &u.Country }),
	textField("language", "Language", GroupPreferences, KindLanguage, 35, true, func(u *User) *string { return &u.Language }),
	consentField("mailing_list_subscribed", "Email me news and offers", "The programme's mailing list", func(u *User) *bool { return &u.MailingListSubscribed }),
	consentField("printed_mailing_list_subscribed", "Post me printed mailings", "Catalogues and letters to your address", func(u *User) *bool { return &u.PrintedMailingListSubscribed }),
	consentField("opt_in_secondary", "Send me offers from partners", "Other communications the programme offers", func(u *User) *bool { return &u.OptInSecondary }),
	consentField("programme_opted_in", "Take part in the loyalty programme", "Collect points and rewards with your card", func(u *User) *bool { return &u.ProgrammeOptedIn }),
}

// RequirableFields lists the built-in fields a merchant may make required.
func RequirableFields() []ProfileField {
	var out []ProfileField
	for _, f := range guestFields {
		if f.Requirable {
			out = append(out, f)
		}
	}
	return out
}

// CustomFieldName is the form name of a merchant's custom field.
func CustomFieldName(key string) string { return "custom_" + key }

func customField(d CustomFieldDef) ProfileField {
	kind := map[string]FieldKind{CustomNumber: KindNumber, CustomDate: KindDate, CustomDateTime: KindDateTime, CustomList: KindList}[d.Type]
	f := ProfileField{
		Name: CustomFieldName(d.Key), Label: d.Label, Group: GroupCustom, Kind: kind, Max: 200,
		Options: d.Options, Required: d.Required, Columns: []string{"custom_fields"},
		get: func(u *User) string { return u.CustomFields[d.Key] },
		set: func(u *User, v string) {
			u.CustomFields = u.CustomFields.Clone()
			if v == "" {
				delete(u.CustomFields, d.Key)
			} else {
				u.CustomFields[d.Key] = v
			}
		},
	}
	switch kind {
	case KindDate:
		f.Hint = "For example, 2024-07-14"
	case KindDateTime:
		f.Hint = "For example, 2024-07-14 22:59"
	}
	return f
}

// GuestProfileFields lists the fields a guest of m may edit, in form order:
// the built-in ones, then the merchant's custom fields.
func GuestProfileFields(m *Merchant) []ProfileField {
	fields := make([]ProfileField, 0, len(guestFields)+len(m.CustomFields))
	fields = append(fields, guestFields...)
	for _, d := range m.CustomFields {
		fields = append(fields, customField(d))
	}
	return fields
}

// IsRequired reports whether m requires f to have a value.
func (f ProfileField) IsRequired(m *Merchant) bool {
	return f.Required || (f.Requirable && m.Requires(f.Name))
}

// ProfileUpdate is the outcome of applying a profile input to a user.
type ProfileUpdate struct {
	User    User     // the user with the new values
	Changes Changes  // one per changed field, old → new
	Columns []string // the columns to write
	// Consents are the changes of Consent fields, also in Changes.
	Consents Changes
}

// ApplyProfile checks the raw values in input (by field name; fields not in
// input keep their value) against fields and m's rules, and returns the user
// with the changed values and what changed. An empty value clears a field
// unless m requires it. It does not look at the database: rules that need
// data (unique mobile phone) are the store's.
func ApplyProfile(m *Merchant, u *User, fields []ProfileField, input map[string]string, now time.Time) (ProfileUpdate, error) {
	errs := FieldErrors{}
	// A national phone number is read as a number of the country the form
	// carries, or else the one already stored.
	region := u.Country
	if c, ok := input["country"]; ok {
		if cc, msg := CleanCountry("Country", c); msg == "" && cc != "" {
			region = cc
		}
	}
	out := ProfileUpdate{User: *u}
	for _, f := range fields {
		raw, ok := input[f.Name]
		if !ok {
			continue
		}
		v, msg := f.Clean(raw, region, now)
		if msg == "" && v == "" && f.IsRequired(m) {
			msg = "Enter your " + strings.ToLower(f.Label)
			if f.Kind == KindCountry || f.Kind == KindLanguage || f.Kind == KindGender || f.Kind == KindList {
				msg = "Select your " + strings.ToLower(f.Label)
			}
		}
		if msg != "" {
			errs.Add(f.Name, msg)
			continue
		}
		if old := f.get(&out.User); old != v {
			f.set(&out.User, v)
			out.Changes = append(out.Changes, Change{Field: f.Name, Old: old, New: v})
			if f.Consent {
				out.Consents = append(out.Consents, Change{Field: f.Name, Old: old, New: v})
			}
			out.Columns = appendMissing(out.Columns, f.Columns...)
			if f.Name == "programme_opted_in" && v == "true" && out.User.ProgrammeJoinedAt == nil {
				joined := now
				out.User.ProgrammeJoinedAt = &joined
				out.Columns = appendMissing(out.Columns, "programme_joined_at")
			}
		}
	}
	if err := errs.Err(); err != nil {
		return ProfileUpdate{}, err
	}
	return out, nil
}

func appendMissing(list []string, items ...string) []string {
	for _, it := range items {
		found := false
		for _, l := range list {
			found = found || l == it
		}
		if !found {
			list = append(list, it)
		}
	}
	return list
}

// Clean checks raw against the field's rule and returns the value to store
// or a message. region is the country a national phone number belongs to.
func (f ProfileField) Clean(raw, region string, now time.Time) (string, string) {
	switch f.Kind {
	case KindName:
		return CleanName(f.Label, raw, f.Max)
	case KindInitial:
		return CleanInitial(f.Label, raw)
	case KindPostalCode:
		return CleanPostalCode(f.Label, raw)
	case KindPhone:
		v, _, msg := CleanPhone(f.Label, raw, region)
		return v, msg
	case KindCountry:
		return CleanCountry(f.Label, raw)
	case KindLanguage:
		return CleanLanguage(f.Label, raw)
	case KindGender:
		return CleanGender(f.Label, raw)
	case KindBirthday:
		return CleanBirthday(f.Label, raw, now)
	case KindBool:
		return CleanBool(f.Label, raw)
	case KindNumber:
		return cleanNumber(f.Label, raw)
	case KindDate:
		return CleanDate(f.Label, raw)
	case KindDateTime:
		return cleanDateTime(f.Label, raw)
	case KindList:
		return cleanChoice(f.Label, raw, f.Options)
	case KindEmail:
		return CleanEmail(f.Label, raw)
	case KindCode:
		return CleanCode(f.Label, raw, f.Max)
	case KindStatus:
		return cleanStatus(f.Label, raw)
	case KindRoles:
		return cleanRoles(f.Label, raw)
	default:
		return CleanText(f.Label, raw, f.Max)
	}
}

func cleanNumber(label, raw string) (string, string) {
	s, msg := CleanText(label, raw, 40)
	if msg != "" || s == "" {
		return s, msg
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return "", label + " must be a number, like 12 or 3.5"
	}
	return strconv.FormatFloat(n, 'f', -1, 64), ""
}

// DateTimeLayout is how custom date-time values are stored: what a
// datetime-local input sends.
const DateTimeLayout = "2006-01-02T15:04"

func cleanDateTime(label, raw string) (string, string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", ""
	}
	for _, layout := range []string{DateTimeLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(DateTimeLayout), ""
		}
	}
	return "", label + " must be a real date and time, like 2024-07-14 22:59"
}

func cleanChoice(label, raw string, options []string) (string, string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", ""
	}
	for _, o := range options {
		if s == o {
			return s, ""
		}
	}
	return "", "Select " + strings.ToLower(label) + " from the list"
}
