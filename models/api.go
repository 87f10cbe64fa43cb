package models

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The JSON API's control fields: they steer an edit and are never stored.
const (
	APIVersion        = "version"
	APIEnforceUnique  = "enforce_unique_fields"
	APIBirthdayFormat = "birthday_field_format"
	APICustomFields   = "custom_fields"
)

// The names a create takes for NewUser's GenerateMember and GenerateCard
// (Sticky Street's card_number_generate).
const (
	APIGenerateMember = "member_number_generate"
	APIGenerateCard   = "card_number_generate"
)

// ErrAdminRecord refuses an integration's key any change to a merchant
// admin's record. A key manages guests: were it to change an admin's
// email, a password reset would hand the admin's account to whoever holds
// the key; were it to change their status, it could lock the merchant
// out of its own console. Admins edit admins, in the console. It is a
// kind of ErrForbidden.
var ErrAdminRecord = fmt.Errorf("an API key cannot change a merchant admin's record: %w", ErrForbidden)

// CheckKeyEdit refuses an edit of subject by actor when actor is an
// integration's key and subject a merchant admin (ErrAdminRecord). Users
// edit as their own rules say; a key may read an admin, never change one.
func CheckKeyEdit(actor Actor, subject *User) error {
	if actor.Key != nil && subject.IsAdmin() {
		return ErrAdminRecord
	}
	return nil
}

// Patch is a partial update as an integration sends it (Paytronix
// editAccount, Spaaza alter-user), decoded from JSON or a form: raw values
// by field name, "" to clear; custom field values by key; and the control
// fields. Decoding problems (a custom field that is not text, a name sent
// twice in a form) are already field errors in Invalid.
type Patch struct {
	Fields map[string]string
	// Booleans names the fields of Fields sent as JSON true or false
	// (held there as "true" or "false"): only a yes-or-no field takes one.
	Booleans map[string]bool
	// NotText names fields sent with a value no field takes: a number,
	// an object or a list.
	NotText        map[string]bool
	Custom         map[string]string
	Version        string // "" when not sent
	EnforceUnique  []string
	BirthdayFormat string
	Invalid        FieldErrors
}

// Who may write which fields through the API.
var (
	// guestWritable are the fields of the profile a guest edits (their
	// email has its own verified flow).
	guestWritable = func() []string {
		var out []string
		for _, f := range guestFields {
			out = append(out, f.Name)
		}
		return out
	}()
	// keyWritable are what an integration's key may also change.
	keyWritable = []string{"email", "member_number", "card_number", "external_id", "organization", "job_title", "department", "status"}
	// readOnly are the user's fields no caller may set: identity,
	// loyalty, bookkeeping and everything about signing in.
	readOnly = []string{"id", "username", "referral_code", "roles", "loyalty_status", "loyalty_tier", "points_balance", "home_store",
		"programme_joined_at", "created_at", "updated_at", "password", "password_hash", "must_change_password", "failed_login_count",
		"locked_at", "locked_by", "locked_until", "merchant_id", "previous_email", "email_verified", "pending_email", "first_login_at", "last_login_at", "terms_accepted",
		"privacy_accepted", "mailing_list_offered", "auxiliary_id", "sessions"}
)

// UniqueOnRequest are the fields enforce_unique_fields may name.
var UniqueOnRequest = []string{"email", "mobile_phone", "member_number", "card_number", "external_id"}

// BirthdayFormats are the layouts birthday_field_format may name, as Spaaza
// names them, with the Go layout each reads. The default is ISO 8601.
var BirthdayFormats = map[string]string{
	"YYYY-MM-DD": DateLayout,
	"DD-MM-YYYY": "02-01-2006",
	"D-M-YYYY":   "2-1-2006",
	"DD/MM/YYYY": "02/01/2006",
	"D/M/YYYY":   "2/1/2006",
}

// Input is the edit as a profile input over fields, for a caller that may
// write the fields of the guest's profile and, for an integration's key
// (byKey), the admin's too: raw values by field name, ready for
// EditProfile, and the refusals. A name no field has is "Unknown field";
// a field the caller may not change is refused, never applied; so is a
// value of the wrong type: true or false for a text, a number, an object
// or a list for anything. No field at all is ErrNoChanges' cousin: the
// caller learns it from NoFields.
func (p Patch) Input(fields []ProfileField, byKey bool) (map[string]string, FieldErrors) {
	errs := FieldErrors{}
	errs.Merge(p.Invalid)
	writable := slices.Clone(guestWritable)
	if byKey {
		writable = append(writable, keyWritable...)
	}
	values := map[string]string{}
	names := sortedKeys(p.Fields)
	for name := range p.NotText {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		i := fieldIndex(fields, name)
		mayWrite := i >= 0 && slices.Contains(writable, name)
		switch {
		case mayWrite && fields[i].Kind == KindBool && p.NotText[name]:
			errs.Add(name, fields[i].Label+" must be true or false")
		case mayWrite && fields[i].Kind != KindBool && (p.NotText[name] || p.Booleans[name]):
			errs.Add(name, fields[i].Label+" must be text, or null to clear it")
		case mayWrite:
			values[name] = p.Fields[name]
		case i >= 0 || slices.Contains(readOnly, name) || slices.Contains(keyWritable, name):
			errs.Add(name, name+" cannot be changed here")
		default:
			errs.Add(name, "Unknown field")
		}
	}
	for _, key := range sortedKeys(p.Custom) {
		name := CustomFieldName(key)
		if fieldIndex(fields, name) < 0 {
			errs.Add(APICustomFields+"."+key, "Unknown custom field")
			continue
		}
		values[name] = p.Custom[key]
	}
	if raw, ok := values["birthday"]; ok {
		v, err := birthdayInISO(raw, p.BirthdayFormat)
		if err != nil {
			errs.Refuse("birthday", err)
			delete(values, "birthday")
		} else {
			values["birthday"] = v
		}
	}
	for _, name := range p.EnforceUnique {
		if !slices.Contains(UniqueOnRequest, name) {
			errs.Add(APIEnforceUnique, "enforce_unique_fields may name only "+strings.Join(UniqueOnRequest, ", "))
			break
		}
	}
	if p.Version != "" {
		if v, err := strconv.Atoi(p.Version); err != nil || v < 1 {
			errs.Add(APIVersion, "version must be the record's version, a whole number")
		}
	}
	return values, errs
}

// NoFields reports whether the edit names no field to change: at least
// one is required.
func (p Patch) NoFields() bool {
	return len(p.Fields) == 0 && len(p.NotText) == 0 && len(p.Custom) == 0 && len(p.Invalid) == 0
}

// FormVersion is the version the edit was made from, or 0 when none was
// sent.
func (p Patch) FormVersion() int {
	v, _ := strconv.Atoi(p.Version)
	return max(v, 0)
}

// birthdayInISO reads a birthday in the named format (ISO 8601 by default,
// where an extended date-time gives its UTC date) as YYYY-MM-DD, for the
// birthday rule to check. "" stays "" (clear).
func birthdayInISO(raw, format string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	if format == "" {
		format = "YYYY-MM-DD"
	}
	layout, ok := BirthdayFormats[format]
	if !ok {
		return "", Invalid("birthday_field_format must be one of YYYY-MM-DD, DD-MM-YYYY, D-M-YYYY, DD/MM/YYYY or D/M/YYYY")
	}
	if layout == DateLayout {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC().Format(DateLayout), nil
		}
		return s, nil // the birthday rule says what is wrong with it
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return "", Invalid("Birthday must be a real date written " + format)
	}
	return t.Format(DateLayout), nil
}

// APINames is fe with each field named as an API request names it: a
// custom field as custom_fields.<key>, not by its form name, and the
// lengths of numbers to generate by a create's names for them.
func APINames(fe FieldErrors, fields []ProfileField) FieldErrors {
	out := FieldErrors{}
	for name, msgs := range fe {
		switch i := fieldIndex(fields, name); {
		case i >= 0 && fields[i].Group == GroupCustom:
			name = APICustomFields + "." + strings.TrimPrefix(name, CustomFieldName(""))
		case name == GenerateMemberInput:
			name = APIGenerateMember
		case name == GenerateCardInput:
			name = APIGenerateCard
		}
		out[name] = append(out[name], msgs...)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
