package models_test

import (
	"reflect"
	"testing"
	"time"

	"myaccount/models"
)

// NewUser.Validate uses the profile's rules and messages for the same
// fields, and the merchant's policy for the initial password.
func TestNewUserValidate(t *testing.T) {
	m := settingsMerchant() // requires first and last name
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	good := models.NewUser{Username: " new.guest ", Email: "New@Example.COM", FirstName: " Ana ", LastName: "Silva",
		Roles: []string{"", "CUSTOMER"}, Password: "Sandbar#Kite-4821", GenerateCard: "16"}
	out, errs := good.Validate(m, now)
	if len(errs) != 0 {
		t.Fatalf("good input: got %v", errs)
	}
	u := out.User
	if u.Username != "new.guest" || u.Email != "New@example.com" || u.FirstName != "Ana" || !reflect.DeepEqual([]string(u.Roles), []string{"CUSTOMER"}) ||
		out.GenerateCard != 16 || out.GenerateMember != 0 || out.Password != good.Password {
		t.Errorf("cleaned: got %+v", out)
	}
	for _, tc := range []struct {
		name string
		edit func(*models.NewUser)
		want models.FieldErrors
	}{
		{"no username", func(in *models.NewUser) { in.Username = " " }, models.FieldErrors{"username": {"Enter a username"}}},
		{"bad username", func(in *models.NewUser) { in.Username = "-x" }, models.FieldErrors{"username": {"Username must be 3 to 64 letters, numbers, dots, hyphens, underscores or @, starting with a letter or number"}}},
		{"required first name, as the profile says it", func(in *models.NewUser) { in.FirstName = "" }, models.FieldErrors{"first_name": {"Enter your first name"}}},
		{"a name with digits", func(in *models.NewUser) { in.LastName = "S1lva" }, models.FieldErrors{"last_name": {"Last name must only include letters, spaces, hyphens, apostrophes and full stops"}}},
		{"no role", func(in *models.NewUser) { in.Roles = []string{""} }, models.FieldErrors{"roles": {"Select at least one role"}}},
		{"a length not offered", func(in *models.NewUser) { in.GenerateCard = "7" }, models.FieldErrors{models.GenerateCardInput: {"Choose a length from the list"}}},
		{"typed and generated", func(in *models.NewUser) { in.CardNumber = "6000 1234" }, models.FieldErrors{"card_number": {"Either type a number or generate one, not both"}}},
		{"no password", func(in *models.NewUser) { in.Password = "" }, models.FieldErrors{"password": {"Enter an initial password"}}},
	} {
		in := good
		tc.edit(&in)
		if _, got := in.Validate(m, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// An invitation needs an address and takes no password, even one typed
// into the field a page without JavaScript still shows; a password needs
// the password's checks; anything else is no choice.
func TestNewUserFirstSignIn(t *testing.T) {
	m := settingsMerchant()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	base := models.NewUser{Username: "new.guest", Email: "new@example.com", FirstName: "Ana", LastName: "Silva", Roles: []string{"CUSTOMER"}}
	for _, tc := range []struct {
		name       string
		edit       func(*models.NewUser)
		want       models.FieldErrors
		wantInvite bool
	}{
		{"an invitation", func(in *models.NewUser) { in.FirstSignIn = models.FirstSignInInvite }, models.FieldErrors{}, true},
		{"an invitation, a password typed as well", func(in *models.NewUser) { in.FirstSignIn, in.Password = models.FirstSignInInvite, "weak" }, models.FieldErrors{}, true},
		{"an invitation without an address", func(in *models.NewUser) { in.FirstSignIn, in.Email = models.FirstSignInInvite, "" },
			models.FieldErrors{"email": {"Enter an email address to send the invitation to"}}, true},
		{"an invitation to a bad address", func(in *models.NewUser) { in.FirstSignIn, in.Email = models.FirstSignInInvite, "bad@" },
			models.FieldErrors{"email": {"Enter an email in the correct format, like name@example.com"}}, true},
		{"a password, not given", func(in *models.NewUser) { in.FirstSignIn = models.FirstSignInPassword },
			models.FieldErrors{"password": {"Enter an initial password"}}, false},
		{"a password, too short", func(in *models.NewUser) { in.FirstSignIn, in.Password = models.FirstSignInPassword, "Ab#1" },
			models.FieldErrors{"password": {"Initial password must have at least 6 characters"}}, false},
		{"no choice given: a password, as before", func(in *models.NewUser) { in.Password = "Sandbar#Kite-4821" }, models.FieldErrors{}, false},
		{"another choice", func(in *models.NewUser) { in.FirstSignIn = "carrier-pigeon" },
			models.FieldErrors{"first_sign_in": {"Choose how they will sign in the first time"}}, false},
	} {
		in := base
		tc.edit(&in)
		out, got := in.Validate(m, now)
		if !reflect.DeepEqual(got, tc.want) || out.Invite != tc.wantInvite || (out.Invite && out.Password != "") {
			t.Errorf("%s: got %v, invite %v, password %q; want %v, invite %v", tc.name, got, out.Invite, out.Password, tc.want, tc.wantInvite)
		}
	}
}

// A create's other profile fields are checked and set by the profile's
// rules, and kept for the audit trail; NewUser's own fields and status
// are not taken from them.
func TestNewUserProfile(t *testing.T) {
	m := settingsMerchant()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	in := models.NewUser{Username: "new.guest", FirstName: "Ana", LastName: "Silva", Roles: []string{"CUSTOMER"}, Password: "Sandbar#Kite-4821",
		Profile: map[string]string{"country": "US", "phone": "(415) 555-0111", "postal_code": "30097", "programme_opted_in": "true",
			models.CustomFieldName("favourite_drink"): "Tea"},
		Unique: []string{"external_id"}}
	out, errs := in.Validate(m, now)
	if len(errs) != 0 {
		t.Fatalf("good input: got %v", errs)
	}
	u := out.User
	if u.Phone != "+14155550111" || u.PhoneCountry != "US" || u.PostalCode != "30097" || u.CustomFields["favourite_drink"] != "Tea" ||
		!u.ProgrammeOptedIn || u.ProgrammeJoinedAt == nil || !u.ProgrammeJoinedAt.Equal(now) || !reflect.DeepEqual(out.Unique, []string{"external_id"}) {
		t.Errorf("set: got %+v", out)
	}
	if len(out.Changes) != 5 || len(out.Consents) != 1 || out.Consents[0].Field != "programme_opted_in" {
		t.Errorf("changes: got %v, consents %v", out.Changes, out.Consents)
	}
	in.Profile = map[string]string{"postal_code": "!", models.CustomFieldName("first_visit"): "soon", "status": "LOCKED", "email": "x@example.com", "nope": "x"}
	_, errs = in.Validate(m, now)
	want := models.FieldErrors{
		"postal_code":                         {"Postal code must only include letters, numbers, spaces and hyphens"},
		models.CustomFieldName("first_visit"): {"First visit must be a real date, like 1986-01-30"},
		"status":                              {"status cannot be set here"}, "email": {"email cannot be set here"}, "nope": {"nope cannot be set here"},
	}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("refused: got %v, want %v", errs, want)
	}
}
