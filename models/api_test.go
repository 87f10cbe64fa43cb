package models

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// apiMerchant has two custom fields, as the demo's Harbor Coffee does.
func apiMerchant() *Merchant {
	return &Merchant{
		ID: "m-harbor", Code: "harbor", Name: "Harbor Coffee", PasswordPolicy: VELAPolicy, MaxFailedLogins: 5,
		CustomFields: CustomFieldDefs{
			{Key: "favourite_drink", Label: "Favourite drink", Type: CustomList, Options: []string{"Espresso", "Latte", "Tea"}},
			{Key: "first_visit", Label: "First visit", Type: CustomDate},
		},
	}
}

// birthdayInISO reads ISO 8601 dates and date-times (a date-time gives
// its UTC date) by default, and the formats birthday_field_format names,
// each strictly; "" stays "" (clear).
func TestBirthdayInISO(t *testing.T) {
	for _, tc := range []struct{ raw, format, want, err string }{
		{"1986-01-30", "", "1986-01-30", ""},
		{" 1986-01-30 ", "YYYY-MM-DD", "1986-01-30", ""},
		{"1986-01-30T23:30:00-05:00", "", "1986-01-31", ""},
		{"1986-01-31T01:30:00+02:00", "", "1986-01-30", ""},
		{"1986-01-30T12:00:00.123Z", "", "1986-01-30", ""},
		{"", "", "", ""},
		{"  ", "DD/MM/YYYY", "", ""},
		{"30-01-1986", "DD-MM-YYYY", "1986-01-30", ""},
		{"3-1-1986", "D-M-YYYY", "1986-01-03", ""},
		{"30-1-1986", "D-M-YYYY", "1986-01-30", ""},
		{"30/01/1986", "DD/MM/YYYY", "1986-01-30", ""},
		{"3/1/1986", "D/M/YYYY", "1986-01-03", ""},
		// Left for the birthday rule to refuse, with its own message.
		{"30/01/1986", "", "30/01/1986", ""},
		{"3/1/1986", "DD/MM/YYYY", "", "Birthday must be a real date written DD/MM/YYYY"},
		{"31/02/1986", "DD/MM/YYYY", "", "Birthday must be a real date written DD/MM/YYYY"},
		{"1986-01-30", "D-M-YYYY", "", "Birthday must be a real date written D-M-YYYY"},
		{"1986-01-30", "MM/DD/YYYY", "", "birthday_field_format must be one of"},
	} {
		got, err := birthdayInISO(tc.raw, tc.format)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%q as %q: got %q, %v; want %q", tc.raw, tc.format, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q as %q: got %q, %v; want the error %q", tc.raw, tc.format, got, err, tc.err)
		}
	}
}

// Patch.Input says what an edit may change: a guest their profile, a key
// the admin's fields too, nobody roles or security fields; unknown names
// and values of the wrong type are field errors, under the request's names.
func TestPatchInput(t *testing.T) {
	m := apiMerchant()
	guestFields, keyFields := GuestProfileFields(m), AdminProfileFields(m)
	p := Patch{
		Fields:   map[string]string{"city": "Savannah", "mailing_list_subscribed": "true", "email": "a@example.com", "status": "LOCKED", "birthday": "30/01/1986", "roles": "MERCHANT_ADMIN", "shoe": "42"},
		Booleans: map[string]bool{"mailing_list_subscribed": true},
		NotText:  map[string]bool{"postal_code": true, "opt_in_secondary": true},
		Custom:   map[string]string{"favourite_drink": "Tea", "nope": "x"}, BirthdayFormat: "DD/MM/YYYY",
		Invalid: FieldErrors{"custom_fields.first_visit": {"A custom field's value must be text, or null to clear it"}},
	}
	values, errs := p.Input(keyFields, true)
	wantValues := map[string]string{"city": "Savannah", "mailing_list_subscribed": "true", "email": "a@example.com", "status": "LOCKED",
		"birthday": "1986-01-30", CustomFieldName("favourite_drink"): "Tea"}
	if !reflect.DeepEqual(values, wantValues) {
		t.Errorf("by a key, values: got %v, want %v", values, wantValues)
	}
	wantErrs := FieldErrors{
		"roles": {"roles cannot be changed here"}, "shoe": {"Unknown field"}, "postal_code": {"Postal code must be text, or null to clear it"},
		"opt_in_secondary": {"Send me offers from partners must be true or false"}, "custom_fields.nope": {"Unknown custom field"},
		"custom_fields.first_visit": {"A custom field's value must be text, or null to clear it"},
	}
	if !reflect.DeepEqual(errs, wantErrs) {
		t.Errorf("by a key, refusals: got %v, want %v", errs, wantErrs)
	}
	_, errs = p.Input(guestFields, false)
	for _, name := range []string{"email", "status", "roles"} {
		if !reflect.DeepEqual(errs[name], []string{name + " cannot be changed here"}) {
			t.Errorf("by the guest, %s: got %v, want it refused", name, errs[name])
		}
	}
	// true or false only a yes-or-no field takes.
	_, errs = Patch{Fields: map[string]string{"city": "true"}, Booleans: map[string]bool{"city": true}}.Input(guestFields, false)
	if !reflect.DeepEqual(errs, FieldErrors{"city": {"Town or city must be text, or null to clear it"}}) {
		t.Errorf("true for a text: got %v", errs)
	}
	for _, tc := range []struct {
		p    Patch
		want FieldErrors
	}{
		{Patch{Fields: map[string]string{"city": "X"}, EnforceUnique: []string{"city"}},
			FieldErrors{APIEnforceUnique: {"enforce_unique_fields may name only email, mobile_phone, member_number, card_number, external_id"}}},
		{Patch{Fields: map[string]string{"city": "X"}, Version: "0"}, FieldErrors{APIVersion: {"version must be the record's version, a whole number"}}},
		{Patch{Fields: map[string]string{"city": "X"}, Version: "3"}, FieldErrors{}},
		{Patch{Fields: map[string]string{"birthday": "1986-01-30"}, BirthdayFormat: "MM/DD/YYYY"},
			FieldErrors{"birthday": {"birthday_field_format must be one of YYYY-MM-DD, DD-MM-YYYY, D-M-YYYY, DD/MM/YYYY or D/M/YYYY"}}},
	} {
		if _, got := tc.p.Input(keyFields, true); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.p, got, tc.want)
		}
	}
	if !(Patch{}).NoFields() || (Patch{Invalid: FieldErrors{"x": {"y"}}}).NoFields() || (Patch{Custom: map[string]string{"k": ""}}).NoFields() {
		t.Errorf("NoFields: a patch with nothing to change is the only one without fields")
	}
}

// A key may read a merchant admin but never change them, however the
// change is made; a user may, as their own rules say.
func TestCheckKeyEdit(t *testing.T) {
	m := apiMerchant()
	key := Actor{Key: &APIKey{ID: "k1", Name: "Till"}}
	admin := &User{ID: "u-admin", Roles: StringList{RoleMerchantAdmin}, Status: StatusActive, Email: "admin@example.com"}
	both := &User{ID: "u-both", Roles: StringList{RoleCustomer, RoleMerchantAdmin}, Status: StatusActive}
	guest := &User{ID: "u-guest", Roles: StringList{RoleCustomer}, Status: StatusActive}
	for _, u := range []*User{admin, both} {
		if err := CheckKeyEdit(key, u); !errors.Is(err, ErrAdminRecord) || !errors.Is(err, ErrForbidden) {
			t.Errorf("a key on %s: got %v, want ErrAdminRecord, a kind of ErrForbidden", u.ID, err)
		}
		if _, err := EditProfile(key, m, u, AdminProfileFields(m), map[string]string{"email": "attacker@example.net"}, time.Now()); !errors.Is(err, ErrAdminRecord) {
			t.Errorf("EditProfile by a key on %s: got %v, want ErrAdminRecord", u.ID, err)
		}
	}
	if err := CheckKeyEdit(key, guest); err != nil {
		t.Errorf("a key on a guest: got %v", err)
	}
	if err := CheckKeyEdit(ByUser(both), admin); err != nil {
		t.Errorf("an admin on an admin: got %v", err)
	}
}

// APINames names refusals as the request did: a custom field by
// custom_fields.<key>, a length to generate by the create's name for it.
func TestAPINames(t *testing.T) {
	fields := AdminProfileFields(apiMerchant())
	got := APINames(FieldErrors{CustomFieldName("first_visit"): {"bad"}, GenerateCardInput: {"length"}, GenerateMemberInput: {"length"},
		"city": {"city"}, "custom_unknown": {"kept"}}, fields)
	want := FieldErrors{"custom_fields.first_visit": {"bad"}, APIGenerateCard: {"length"}, APIGenerateMember: {"length"}, "city": {"city"}, "custom_unknown": {"kept"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
