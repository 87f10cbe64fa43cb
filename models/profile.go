package models

import (
	"errors"
	"math"
	"net/url"
	"slices"
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
	Name  string
	Label string
	Hint  string
	Group string
	Kind  FieldKind
	Max   int
	// Width is the characters its input is sized for, when its longest
	// value says too much (a title may be 20 long, but is "Ms" or "Dr").
	Width   int
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
	// setRegion stores the region of a phone number, found when it was
	// cleaned.
	setRegion func(*User, string)
}

// Value is the field's stored value for u, as the form shows it.
func (f ProfileField) Value(u *User) string { return f.get(u) }

// withWidth is f with its input sized for w characters.
func withWidth(f ProfileField, w int) ProfileField {
	f.Width = w
	return f
}

func textField(name, label, group string, kind FieldKind, max int, requirable bool, ptr func(*User) *string) ProfileField {
	return ProfileField{
		Name: name, Label: label, Group: group, Kind: kind, Max: max, Requirable: requirable,
		Columns: []string{name},
		get:     func(u *User) string { return *ptr(u) },
		set:     func(u *User, v string) { *ptr(u) = v },
	}
}

// phoneField is a phone number stored in column, with its region in
// column_country.
func phoneField(name, column, label string, number, country func(*User) *string) ProfileField {
	return ProfileField{
		Name: name, Label: label, Group: GroupContact, Kind: KindPhone, Max: 32, Requirable: true,
		Columns:   []string{column, column + "_country"},
		get:       func(u *User) string { return *number(u) },
		set:       func(u *User, v string) { *number(u) = v },
		setRegion: func(u *User, region string) { *country(u) = region },
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
	withWidth(textField("name_prefix", "Title", GroupPersonal, KindName, 20, false, func(u *User) *string { return &u.NamePrefix }), 5),
	textField("first_name", "First name", GroupPersonal, KindName, 50, true, func(u *User) *string { return &u.FirstName }),
	textField("middle_initial", "Middle initial", GroupPersonal, KindInitial, 1, false, func(u *User) *string { return &u.MiddleInitial }),
	textField("last_name", "Last name", GroupPersonal, KindName, 50, true, func(u *User) *string { return &u.LastName }),
	withWidth(textField("name_suffix", "Suffix", GroupPersonal, KindName, 20, false, func(u *User) *string { return &u.NameSuffix }), 5),
	{
		Name: "gender", Label: "Gender", Group: GroupPersonal, Kind: KindGender, Requirable: true, Columns: []string{"gender"},
		get: func(u *User) string { return u.Gender },
		set: func(u *User, v string) { u.Gender = v },
	},
	{
		Name: "birthday", Label: "Birthday", Group: GroupPersonal, Kind: KindBirthday, Requirable: true, Columns: []string{"birthday"},
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
	phoneField("mobile_phone", "mobile", "Mobile phone", func(u *User) *string { return &u.Mobile }, func(u *User) *string { return &u.MobileCountry }),
	textField("mobile_carrier", "Mobile carrier", GroupContact, KindText, 50, false, func(u *User) *string { return &u.MobileCarrier }),
	phoneField("phone", "phone", "Phone", func(u *User) *string { return &u.Phone }, func(u *User) *string { return &u.PhoneCountry }),
	phoneField("fax", "fax", "Fax", func(u *User) *string { return &u.Fax }, func(u *User) *string { return &u.FaxCountry }),
	textField("address_line1", "Address line 1", GroupAddress, KindText, 100, true, func(u *User) *string { return &u.AddressLine1 }),
	textField("address_line2", "Address line 2", GroupAddress, KindText, 100, false, func(u *User) *string { return &u.AddressLine2 }),
	textField("address_line3", "Address line 3", GroupAddress, KindText, 100, false, func(u *User) *string { return &u.AddressLine3 }),
	withWidth(textField("city", "Town or city", GroupAddress, KindText, 60, true, func(u *User) *string { return &u.City }), 20),
	withWidth(textField("state", "State or region", GroupAddress, KindText, 60, true, func(u *User) *string { return &u.State }), 10),
	withWidth(textField("postal_code", "Postal code", GroupAddress, KindPostalCode, 16, true, func(u *User) *string { return &u.PostalCode }), 10),
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
	// No "For example" hint for dates: the browser's date input shows the
	// reader's own format, which an example in another would contradict.
	return f
}

// GuestProfileFields lists the fields a guest of m may edit, in form order:
// the built-in ones, then the merchant's custom fields. Every page asks
// for them: without custom fields the list is the built-in one itself,
// shared, which no caller changes (an append to it copies it).
func GuestProfileFields(m *Merchant) []ProfileField {
	if len(m.CustomFields) == 0 {
		return guestFields[:len(guestFields):len(guestFields)]
	}
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

// ProfileInput is a profile form as submitted: the raw value of each of
// Fields the form holds, by name, and the version and the snapshot of the
// values it was made from.
type ProfileInput struct {
	Fields   []ProfileField
	Values   map[string]string
	Version  string
	Original string
}

// ReadForm reads the submitted form: each field the way its kind is read
// (see ProfileField.ReadForm), so a field the form did not send or show
// is left out and stays as it was.
func (in *ProfileInput) ReadForm(form url.Values) error {
	in.Values = make(map[string]string, len(in.Fields))
	for _, f := range in.Fields {
		if v, ok := f.ReadForm(form); ok {
			in.Values[f.Name] = v
		}
	}
	in.Version, in.Original = form.Get("version"), form.Get("original")
	return nil
}

// FormVersion is the version the form was made from, or 0 when it sent
// none that can be one (left out, 0, negative or not a number).
func (in ProfileInput) FormVersion() int {
	v, err := strconv.Atoi(in.Version)
	if err != nil || v < 1 {
		return 0
	}
	return v
}

// ErrNoVersion refuses a form that does not say which version of the
// record it was made from (left out, 0 or not a number): saved, it could
// overwrite anything saved since.
var ErrNoVersion = errors.New("form without a version")

// Validate is the form's edit of u by actor (EditProfile), refused with
// ErrNoVersion when the form does not say which version of u it was made
// from; the store checks that the version is still u's.
func (in ProfileInput) Validate(actor Actor, m *Merchant, u *User, now time.Time) (ProfileUpdate, error) {
	if in.FormVersion() == 0 {
		return ProfileUpdate{}, ErrNoVersion
	}
	return EditProfile(actor, m, u, in.Fields, in.Values, now)
}

// ProfileUpdate is the outcome of applying a profile input to a user.
type ProfileUpdate struct {
	User    User     // the user with the new values
	Changes Changes  // one per changed field, old → new
	Columns []string // the columns to write
	// Consents are the changes of Consent fields, also in Changes.
	Consents Changes
	// ForgetsDeviceFailures: the update unlocks the account, so the
	// failed sign-ins and pauses of its devices are forgotten too.
	ForgetsDeviceFailures bool
}

// ApplyProfile checks the raw values in input (by field name; fields not in
// input keep their value) against fields and m's rules, and returns the user
// with the changed values and what changed. An empty value clears a field
// unless m requires it. It does not look at the database: rules that need
// data (unique mobile phone) are the store's.
func ApplyProfile(m *Merchant, u *User, fields []ProfileField, input map[string]string, now time.Time) (ProfileUpdate, error) {
	errs := FieldErrors{}
	out := ProfileUpdate{User: *u}
	// A national phone number is read as a number of the country the form
	// carries, or else the one already stored: the country is cleaned
	// first, once.
	in := cleanInput{region: u.Country, now: now}
	type result struct {
		c   cleaned
		err error
	}
	early := map[string]result{}
	for _, f := range fields {
		if raw, ok := input[f.Name]; ok && f.spec().region {
			c, err := f.cleanFor(m, raw, in)
			early[f.Name] = result{c, err}
			if err == nil && c.value != "" {
				in.region = c.value
			}
		}
	}
	for _, f := range fields {
		raw, ok := input[f.Name]
		if !ok {
			continue
		}
		r, done := early[f.Name]
		if !done {
			r.c, r.err = f.cleanFor(m, raw, in)
		}
		if r.err != nil {
			errs.Refuse(f.Name, r.err)
			continue
		}
		out.apply(f, r.c, now)
	}
	if err := errs.Err(); err != nil {
		return ProfileUpdate{}, err
	}
	return out, nil
}

// apply sets f to c when it differs, noting the change and the columns.
func (upd *ProfileUpdate) apply(f ProfileField, c cleaned, now time.Time) {
	old := f.get(&upd.User)
	if old == c.value {
		return
	}
	f.set(&upd.User, c.value)
	if f.setRegion != nil {
		f.setRegion(&upd.User, c.region)
	}
	upd.Changes = append(upd.Changes, Change{Field: f.Name, Old: old, New: c.value})
	if f.Consent {
		upd.Consents = append(upd.Consents, Change{Field: f.Name, Old: old, New: c.value})
	}
	upd.Columns = appendMissing(upd.Columns, f.Columns...)
	if f.Name == "programme_opted_in" && c.value == "true" && upd.User.ProgrammeJoinedAt == nil {
		joined := now
		upd.User.ProgrammeJoinedAt = &joined
		upd.Columns = appendMissing(upd.Columns, "programme_joined_at")
	}
}

// EditProfile is the step every profile form takes, the guest's and the
// admin's alike: the input applied to u by ApplyProfile, then the rules
// about who changes what: an admin (actor) cannot lock, deactivate or
// demote themselves, an integration's key cannot change an admin
// (CheckKeyEdit), and a lock records who locked and when, while an
// unlock forgets the failed sign-ins. A submit that changes nothing is
// ErrNoChanges.
func EditProfile(actor Actor, m *Merchant, u *User, fields []ProfileField, input map[string]string, now time.Time) (ProfileUpdate, error) {
	if err := CheckKeyEdit(actor, u); err != nil {
		return ProfileUpdate{}, err
	}
	upd, err := ApplyProfile(m, u, fields, input, now)
	if err != nil {
		return ProfileUpdate{}, err
	}
	if len(upd.Changes) == 0 {
		return ProfileUpdate{}, ErrNoChanges
	}
	if actor.User != nil {
		if err := CheckSelfEdit(actor.User, u, &upd.User).Err(); err != nil {
			return ProfileUpdate{}, err
		}
	}
	upd.statusEffects(actor, u, now)
	upd.emailEffects(u)
	return upd, nil
}

// emailEffects: an address an admin or an integration sets is not proven
// to be the user's, so it is not verified, and a change the user was
// waiting to confirm is dropped: the address it would replace is gone.
// A change of letter case alone keeps both.
func (upd *ProfileUpdate) emailEffects(before *User) {
	next := &upd.User
	if strings.EqualFold(next.Email, before.Email) {
		return
	}
	next.PreviousEmail = before.Email
	next.EmailVerified, next.EmailVerifiedAt, next.PendingEmail, next.PendingEmailAt = false, nil, "", nil
	upd.Columns = appendMissing(upd.Columns, "previous_email", "email_verified", "email_verified_at", "pending_email", "pending_email_at")
}

func fieldIndex(fields []ProfileField, name string) int {
	return slices.IndexFunc(fields, func(f ProfileField) bool { return f.Name == name })
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

func cleanNumber(label, raw string) (string, error) {
	s, msg := CleanText(label, raw, 40)
	if msg != nil || s == "" {
		return s, msg
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return "", Invalid(label + " must be a number, like 12 or 3.5")
	}
	return strconv.FormatFloat(n, 'f', -1, 64), nil
}

// DateTimeLayout is how custom date-time values are stored: what a
// datetime-local input sends.
const DateTimeLayout = "2006-01-02T15:04"

func cleanDateTime(label, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{DateTimeLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(DateTimeLayout), nil
		}
	}
	return "", Invalid(label + " must be a real date and time, like 2024-07-14 22:59")
}

func cleanChoice(label, raw string, options []string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	for _, o := range options {
		if s == o {
			return s, nil
		}
	}
	return "", Invalid("Select " + strings.ToLower(label) + " from the list")
}
