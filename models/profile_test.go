package models_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"myaccount/models"
)

var profileNow = time.Date(2026, time.March, 15, 10, 30, 0, 0, time.UTC)

func testMerchant() *models.Merchant {
	return &models.Merchant{
		ID: "m-sandpiper", Code: "sandpiper", Name: "Sandpiper Bay",
		PasswordPolicy:  models.VELAPolicy,
		MaxFailedLogins: 5,
		UniqueEmail:     true, UniqueMobile: true,
		RequiredFields: models.StringList{"last_name", "country", "birthday", "gender", "language", "middle_initial"},
		CustomFields: models.CustomFieldDefs{
			{Key: "shoe_size", Label: "Shoe size", Type: models.CustomNumber},
			{Key: "anniversary", Label: "Anniversary", Type: models.CustomDate},
			{Key: "last_visit", Label: "Last visit", Type: models.CustomDateTime},
			{Key: "tshirt", Label: "T-shirt size", Type: models.CustomList, Options: []string{"S", "M", "L"}},
			{Key: "drink", Label: "Favourite drink", Type: models.CustomText},
			{Key: "home_club", Label: "Home club", Type: models.CustomList, Options: []string{"North", "South"}, Required: true},
			{Key: "visits", Label: "Visits per year", Type: models.CustomNumber, Required: true},
		},
	}
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// testUser is a guest with a complete profile; each call returns a fresh copy.
func testUser() *models.User {
	return &models.User{
		ID: "u-maya", MerchantID: "m-sandpiper",
		Username: "demo.guest", Email: "demo.guest@example.com",
		MemberNumber: "1000000001", CardNumber: "6000301001234321",
		FirstName: "Maya", MiddleInitial: "J", LastName: "Thompson",
		Mobile: "+14155550188", MobileCountry: "US",
		Country: "US", AddressLine1: "1 Market St", City: "San Francisco", State: "CA", PostalCode: "94105",
		Language: "en-US", Gender: "F", Birthday: date(1986, time.January, 30),
		MailingListSubscribed: true,
		LoyaltyStatus:         "ACTIVE", LoyaltyTier: "Gold", PointsBalance: 2480,
		CustomFields: models.CustomValues{"shoe_size": "38", "tshirt": "M", "home_club": "North", "visits": "12"},
		PasswordHash: "$2a$11$hash", Status: models.StatusActive, Roles: models.StringList{models.RoleCustomer},
		Version: 3,
	}
}

// applyProfileCase is a guest's profile form that ApplyProfile accepts.
type applyProfileCase struct {
	name        string
	setup       func(u *models.User) // applied to the stored user before the update
	input       map[string]string
	wantChanges models.Changes
	wantColumns []string
	check       func(t *testing.T, got *models.User)
}

var applyProfileCases = []applyProfileCase{
	{
		name:        "one field changed",
		input:       map[string]string{"first_name": "Maia"},
		wantChanges: models.Changes{{Field: "first_name", Old: "Maya", New: "Maia"}},
		wantColumns: []string{"first_name"},
		check: func(t *testing.T, got *models.User) {
			if got.FirstName != "Maia" || got.LastName != "Thompson" {
				t.Errorf("name: got %q %q, want Maia Thompson", got.FirstName, got.LastName)
			}
		},
	},
	{
		name:        "values trimmed before comparing",
		input:       map[string]string{"first_name": "  Maya ", "last_name": "Thompson-Reyes"},
		wantChanges: models.Changes{{Field: "last_name", Old: "Thompson", New: "Thompson-Reyes"}},
		wantColumns: []string{"last_name"},
	},
	{
		name:  "same values in another form change nothing",
		input: map[string]string{"country": "us", "language": "EN-us", "gender": "f", "mobile_phone": "(415) 555-0188", "middle_initial": "j.", "custom_shoe_size": "38.0"},
	},
	{
		name:  "empty input changes nothing",
		input: map[string]string{},
	},
	{
		name:  "unknown and forbidden fields are ignored",
		input: map[string]string{"status": "LOCKED", "roles": "MERCHANT_ADMIN", "points_balance": "999999", "password_hash": "x", "email": "evil@example.com", "username": "admin", "merchant_id": "other", "loyalty_tier": "Platinum"},
	},
	{
		name:        "empty value clears an optional field",
		input:       map[string]string{"first_name": "", "address_line1": ""},
		wantChanges: models.Changes{{Field: "first_name", Old: "Maya", New: ""}, {Field: "address_line1", Old: "1 Market St", New: ""}},
		wantColumns: []string{"first_name", "address_line1"},
	},
	{
		name:        "clearing a phone clears its country",
		input:       map[string]string{"mobile_phone": ""},
		wantChanges: models.Changes{{Field: "mobile_phone", Old: "+14155550188", New: ""}},
		wantColumns: []string{"mobile", "mobile_country"},
		check: func(t *testing.T, got *models.User) {
			if got.Mobile != "" || got.MobileCountry != "" {
				t.Errorf("mobile: got %q %q, want both empty", got.Mobile, got.MobileCountry)
			}
		},
	},
	{
		name:        "international phone sets its country",
		input:       map[string]string{"mobile_phone": "+32 470 12 34 56"},
		wantChanges: models.Changes{{Field: "mobile_phone", Old: "+14155550188", New: "+32470123456"}},
		wantColumns: []string{"mobile", "mobile_country"},
		check: func(t *testing.T, got *models.User) {
			if got.MobileCountry != "BE" || got.Country != "US" {
				t.Errorf("got mobile country %q, country %q; want BE, US", got.MobileCountry, got.Country)
			}
		},
	},
	{
		name:  "national phone read with the country from the same input",
		input: map[string]string{"country": "BE", "mobile_phone": "0470 12 34 56"},
		wantChanges: models.Changes{
			{Field: "mobile_phone", Old: "+14155550188", New: "+32470123456"},
			{Field: "country", Old: "US", New: "BE"},
		},
		wantColumns: []string{"mobile", "mobile_country", "country"},
		check: func(t *testing.T, got *models.User) {
			if got.MobileCountry != "BE" || got.Country != "BE" {
				t.Errorf("got mobile country %q, country %q; want BE, BE", got.MobileCountry, got.Country)
			}
		},
	},
	{
		name:        "national phone read with a lower-case country from the same input",
		input:       map[string]string{"country": "be", "phone": "02 555 12 34"},
		wantChanges: models.Changes{{Field: "phone", Old: "", New: "+3225551234"}, {Field: "country", Old: "US", New: "BE"}},
		wantColumns: []string{"phone", "phone_country", "country"},
		check: func(t *testing.T, got *models.User) {
			if got.PhoneCountry != "BE" {
				t.Errorf("phone country: got %q, want BE", got.PhoneCountry)
			}
		},
	},
	{
		name:        "national phone read with the stored country",
		setup:       func(u *models.User) { u.Country = "BE" },
		input:       map[string]string{"mobile_phone": "0470 12 34 56"},
		wantChanges: models.Changes{{Field: "mobile_phone", Old: "+14155550188", New: "+32470123456"}},
		wantColumns: []string{"mobile", "mobile_country"},
	},
	{
		name:        "national phone without any country is read as US",
		setup:       func(u *models.User) { u.Country = "" },
		input:       map[string]string{"fax": "(415) 555-2671"},
		wantChanges: models.Changes{{Field: "fax", Old: "", New: "+14155552671"}},
		wantColumns: []string{"fax", "fax_country"},
	},
	{
		name:        "birthday",
		input:       map[string]string{"birthday": "1990-12-24"},
		wantChanges: models.Changes{{Field: "birthday", Old: "1986-01-30", New: "1990-12-24"}},
		wantColumns: []string{"birthday"},
		check: func(t *testing.T, got *models.User) {
			if got.Birthday == nil || !got.Birthday.Equal(*date(1990, time.December, 24)) {
				t.Errorf("birthday: got %v, want 1990-12-24", got.Birthday)
			}
		},
	},
	{
		name:        "preferences normalised",
		input:       map[string]string{"gender": "m", "language": "nl-be", "mailing_list_subscribed": "", "opt_in_secondary": "on"},
		wantChanges: models.Changes{{Field: "gender", Old: "F", New: "M"}, {Field: "language", Old: "en-US", New: "nl-BE"}, {Field: "mailing_list_subscribed", Old: "true", New: "false"}, {Field: "opt_in_secondary", Old: "false", New: "true"}},
		wantColumns: []string{"gender", "language", "mailing_list_subscribed", "opt_in_secondary"},
	},
	{
		name:        "joining the programme sets the join date",
		input:       map[string]string{"programme_opted_in": "on"},
		wantChanges: models.Changes{{Field: "programme_opted_in", Old: "false", New: "true"}},
		wantColumns: []string{"programme_opted_in", "programme_joined_at"},
		check: func(t *testing.T, got *models.User) {
			if !got.ProgrammeOptedIn || got.ProgrammeJoinedAt == nil || !got.ProgrammeJoinedAt.Equal(profileNow) {
				t.Errorf("got opted in %v, joined %v; want true, %v", got.ProgrammeOptedIn, got.ProgrammeJoinedAt, profileNow)
			}
		},
	},
	{
		name:        "rejoining keeps the first join date",
		setup:       func(u *models.User) { u.ProgrammeJoinedAt = date(2020, time.May, 1) },
		input:       map[string]string{"programme_opted_in": "true"},
		wantChanges: models.Changes{{Field: "programme_opted_in", Old: "false", New: "true"}},
		wantColumns: []string{"programme_opted_in"},
		check: func(t *testing.T, got *models.User) {
			if got.ProgrammeJoinedAt == nil || !got.ProgrammeJoinedAt.Equal(*date(2020, time.May, 1)) {
				t.Errorf("joined: got %v, want 2020-05-01", got.ProgrammeJoinedAt)
			}
		},
	},
	{
		name:  "staying in the programme changes nothing",
		setup: func(u *models.User) { u.ProgrammeOptedIn = true; u.ProgrammeJoinedAt = date(2020, time.May, 1) },
		input: map[string]string{"programme_opted_in": "on"},
	},
	{
		name:        "leaving the programme",
		setup:       func(u *models.User) { u.ProgrammeOptedIn = true; u.ProgrammeJoinedAt = date(2020, time.May, 1) },
		input:       map[string]string{"programme_opted_in": ""},
		wantChanges: models.Changes{{Field: "programme_opted_in", Old: "true", New: "false"}},
		wantColumns: []string{"programme_opted_in"},
	},
	{
		name:  "custom fields share one column",
		input: map[string]string{"custom_shoe_size": "39", "custom_tshirt": "L", "custom_drink": "Flat white"},
		wantChanges: models.Changes{
			{Field: "custom_shoe_size", Old: "38", New: "39"},
			{Field: "custom_tshirt", Old: "M", New: "L"},
			{Field: "custom_drink", Old: "", New: "Flat white"},
		},
		wantColumns: []string{"custom_fields"},
		check: func(t *testing.T, got *models.User) {
			want := models.CustomValues{"shoe_size": "39", "tshirt": "L", "home_club": "North", "visits": "12", "drink": "Flat white"}
			if !reflect.DeepEqual(got.CustomFields, want) {
				t.Errorf("custom fields: got %v, want %v", got.CustomFields, want)
			}
		},
	},
	{
		name:        "clearing a custom field removes its key",
		input:       map[string]string{"custom_tshirt": ""},
		wantChanges: models.Changes{{Field: "custom_tshirt", Old: "M", New: ""}},
		wantColumns: []string{"custom_fields"},
		check: func(t *testing.T, got *models.User) {
			if _, ok := got.CustomFields["tshirt"]; ok {
				t.Errorf("custom fields: got %v, want no tshirt key", got.CustomFields)
			}
		},
	},
	{
		name:        "custom field on a user without custom values",
		setup:       func(u *models.User) { u.CustomFields = nil },
		input:       map[string]string{"custom_anniversary": "2024-07-14"},
		wantChanges: models.Changes{{Field: "custom_anniversary", Old: "", New: "2024-07-14"}},
		wantColumns: []string{"custom_fields"},
		check: func(t *testing.T, got *models.User) {
			if want := (models.CustomValues{"anniversary": "2024-07-14"}); !reflect.DeepEqual(got.CustomFields, want) {
				t.Errorf("custom fields: got %v, want %v", got.CustomFields, want)
			}
		},
	},
}

func TestApplyProfile(t *testing.T) {
	for _, tc := range applyProfileCases {
		t.Run(tc.name, func(t *testing.T) {
			m := testMerchant()
			u, before := testUser(), testUser()
			if tc.setup != nil {
				tc.setup(u)
				tc.setup(before)
			}
			got, err := models.ApplyProfile(m, u, models.GuestProfileFields(m), tc.input, profileNow)
			if err != nil {
				t.Fatalf("ApplyProfile: got error %v, want none", err)
			}
			if !reflect.DeepEqual(got.Changes, tc.wantChanges) {
				t.Errorf("Changes:\n got %+v\nwant %+v", got.Changes, tc.wantChanges)
			}
			if !reflect.DeepEqual(got.Columns, tc.wantColumns) {
				t.Errorf("Columns: got %q, want %q", got.Columns, tc.wantColumns)
			}
			if !reflect.DeepEqual(u, before) {
				t.Errorf("the stored user was changed:\n got %+v\nwant %+v", u, before)
			}
			if len(tc.wantChanges) == 0 && !reflect.DeepEqual(&got.User, before) {
				t.Errorf("no change wanted, but the returned user differs:\n got %+v\nwant %+v", got.User, *before)
			}
			// The user's loyalty and security fields are never touched.
			if got.User.Status != before.Status || !reflect.DeepEqual(got.User.Roles, before.Roles) || got.User.PasswordHash != before.PasswordHash ||
				got.User.PointsBalance != before.PointsBalance || got.User.MerchantID != before.MerchantID || got.User.Email != before.Email ||
				got.User.Username != before.Username || got.User.LoyaltyTier != before.LoyaltyTier || got.User.Version != before.Version {
				t.Errorf("a guest-protected field changed: got %+v", got.User)
			}
			if tc.check != nil {
				tc.check(t, &got.User)
			}
		})
	}
}

// TestApplyProfileUnchangedForm submits every field with the value the form
// shows: a save without edits writes nothing.
func TestApplyProfileUnchangedForm(t *testing.T) {
	m, u := testMerchant(), testUser()
	fields := models.GuestProfileFields(m)
	input := map[string]string{}
	for _, f := range fields {
		input[f.Name] = f.Value(u)
	}
	got, err := models.ApplyProfile(m, u, fields, input, profileNow)
	if err != nil {
		t.Fatalf("ApplyProfile: got error %v, want none", err)
	}
	if len(got.Changes) != 0 || len(got.Columns) != 0 {
		t.Errorf("got changes %+v, columns %q; want none", got.Changes, got.Columns)
	}
}

func TestApplyProfileCustomFieldValues(t *testing.T) {
	const (
		number   = "Shoe size must be a number, like 12 or 3.5"
		dateMsg  = "Anniversary must be a real date, like 1986-01-30"
		dateTime = "Last visit must be a real date and time, like 2024-07-14 22:59"
		list     = "Select t-shirt size from the list"
	)
	cases := []struct {
		name    string
		key     string // custom field key
		raw     string
		want    string // the stored value when accepted
		wantMsg string
	}{
		{"number integer", "shoe_size", "12", "12", ""},
		{"number trailing zero dropped", "shoe_size", "3.50", "3.5", ""},
		{"number negative", "shoe_size", "-2", "-2", ""},
		{"number exponent", "shoe_size", "1e3", "1000", ""},
		{"number trimmed", "shoe_size", " 41 ", "41", ""},
		{"number letters", "shoe_size", "abc", "", number},
		{"number with unit", "shoe_size", "42 EU", "", number},
		{"number comma decimal", "shoe_size", "3,5", "", number},
		{"number NaN", "shoe_size", "NaN", "", number},
		{"number Inf", "shoe_size", "Inf", "", number},
		{"number -Infinity", "shoe_size", "-Infinity", "", number},
		{"number overflows", "shoe_size", "1e400", "", number},
		{"date", "anniversary", "2024-07-14", "2024-07-14", ""},
		{"date leap day", "anniversary", "2024-02-29", "2024-02-29", ""},
		{"date day first", "anniversary", "14/07/2024", "", dateMsg},
		{"date with time", "anniversary", "2024-07-14T22:59", "", dateMsg},
		{"date not real", "anniversary", "2023-02-29", "", dateMsg},
		{"datetime local input", "last_visit", "2024-07-14T22:59", "2024-07-14T22:59", ""},
		{"datetime with space", "last_visit", "2024-07-14 22:59", "2024-07-14T22:59", ""},
		{"datetime trimmed", "last_visit", " 2024-07-14T22:59 ", "2024-07-14T22:59", ""},
		{"datetime date only", "last_visit", "2024-07-14", "", dateTime},
		{"datetime hour 24", "last_visit", "2024-07-14T24:00", "", dateTime},
		{"datetime not real", "last_visit", "2024-02-30T10:00", "", dateTime},
		{"datetime words", "last_visit", "tomorrow", "", dateTime},
		{"list option", "tshirt", "L", "L", ""},
		{"list option trimmed", "tshirt", " S ", "S", ""},
		{"list other case", "tshirt", "l", "", list},
		{"list not an option", "tshirt", "XXL", "", list},
		{"text", "drink", "Flat white", "Flat white", ""},
		{"text control character", "drink", "Flat\x00white", "", "Favourite drink must not contain control characters"},
		{"required list empty", "home_club", "", "", "Select your home club"},
		{"required number empty", "visits", " ", "", "Enter your visits per year"},
		{"required list set", "home_club", "South", "South", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, u := testMerchant(), testUser()
			name := models.CustomFieldName(tc.key)
			got, err := models.ApplyProfile(m, u, models.GuestProfileFields(m), map[string]string{name: tc.raw}, profileNow)
			if tc.wantMsg != "" {
				want := models.FieldErrors{name: {tc.wantMsg}}
				var fe models.FieldErrors
				if !errors.As(err, &fe) || !reflect.DeepEqual(fe, want) {
					t.Errorf("got error %v, want %v", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if v := got.User.CustomFields[tc.key]; v != tc.want {
				t.Errorf("stored %q, want %q", v, tc.want)
			}
			if old := u.CustomFields[tc.key]; old != testUser().CustomFields[tc.key] {
				t.Errorf("the stored user's custom value changed to %q", old)
			}
		})
	}
}

func TestApplyProfileDoesNotShareCustomValues(t *testing.T) {
	m, u := testMerchant(), testUser()
	original := u.CustomFields
	got, err := models.ApplyProfile(m, u, models.GuestProfileFields(m), map[string]string{"custom_shoe_size": "40", "custom_tshirt": ""}, profileNow)
	if err != nil {
		t.Fatal(err)
	}
	if want := testUser().CustomFields; !reflect.DeepEqual(original, want) || !reflect.DeepEqual(u.CustomFields, want) {
		t.Errorf("input user's custom values: got %v, want %v", u.CustomFields, want)
	}
	got.User.CustomFields["drink"] = "Tea"
	if _, ok := u.CustomFields["drink"]; ok {
		t.Errorf("the returned user's custom values share a map with the input user's")
	}
}

// invalidProfileCase is a guest's profile form that ApplyProfile refuses
// with the errors in want.
type invalidProfileCase struct {
	name  string
	input map[string]string
	want  models.FieldErrors
}

var invalidProfileCases = []invalidProfileCase{
	{
		name:  "required last name",
		input: map[string]string{"last_name": ""},
		want:  models.FieldErrors{"last_name": {"Enter your last name"}},
	},
	{
		name:  "required last name of spaces",
		input: map[string]string{"last_name": "   ", "first_name": "Maia"},
		want:  models.FieldErrors{"last_name": {"Enter your last name"}},
	},
	{
		name:  "required selects",
		input: map[string]string{"country": "", "gender": "", "language": ""},
		want: models.FieldErrors{
			"country":  {"Select your country"},
			"gender":   {"Select your gender"},
			"language": {"Select your language"},
		},
	},
	{
		name:  "required birthday",
		input: map[string]string{"birthday": ""},
		want:  models.FieldErrors{"birthday": {"Enter your birthday"}},
	},
	{
		name:  "birthday in the future",
		input: map[string]string{"birthday": "2030-01-01"},
		want:  models.FieldErrors{"birthday": {"Birthday must be in the past"}},
	},
	{
		name: "several invalid fields, one message each",
		input: map[string]string{
			"first_name":       "R2D2",
			"mobile_phone":     "call me",
			"birthday":         "2023-02-29",
			"country":          "ZZ",
			"postal_code":      "94105#",
			"custom_shoe_size": "abc",
			"custom_tshirt":    "XXL",
			"last_name":        "Thompson", // valid: no entry
		},
		want: models.FieldErrors{
			"first_name":       {"First name must only include letters, spaces, hyphens, apostrophes and full stops"},
			"mobile_phone":     {"Enter a mobile phone like +1 415 555 0132, or a number of your country"},
			"birthday":         {"Birthday must be a real date, like 1986-01-30"},
			"country":          {"Select a country from the list"},
			"postal_code":      {"Postal code must only include letters, numbers, spaces and hyphens"},
			"custom_shoe_size": {"Shoe size must be a number, like 12 or 3.5"},
			"custom_tshirt":    {"Select t-shirt size from the list"},
		},
	},
	{
		name:  "US number read as a Belgian one",
		input: map[string]string{"country": "BE", "phone": "(415) 555-2671"},
		want:  models.FieldErrors{"phone": {"Enter a phone like +1 415 555 0132, or a number of your country"}},
	},
	{
		name:  "invalid country does not change how a phone is read",
		input: map[string]string{"country": "ZZ", "mobile_phone": "(415) 555-2671"},
		want:  models.FieldErrors{"country": {"Select a country from the list"}},
	},
	{
		name:  "too long",
		input: map[string]string{"city": "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogochxxxxx"},
		want:  models.FieldErrors{"city": {"Town or city must be 60 characters or fewer"}},
	},
	{
		name:  "middle initial required",
		input: map[string]string{"middle_initial": ""},
		want:  nil, // not requirable: the merchant cannot require it, so clearing it is fine
	},
}

func TestApplyProfileInvalid(t *testing.T) {
	for _, tc := range invalidProfileCases {
		t.Run(tc.name, func(t *testing.T) {
			m, u, before := testMerchant(), testUser(), testUser()
			got, err := models.ApplyProfile(m, u, models.GuestProfileFields(m), tc.input, profileNow)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			var fe models.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("got error %v (%T), want FieldErrors", err, err)
			}
			if !reflect.DeepEqual(fe, tc.want) {
				t.Errorf("FieldErrors:\n got %q\nwant %q", fe, tc.want)
			}
			if got.Changes != nil || got.Columns != nil || !reflect.DeepEqual(got.User, models.User{}) {
				t.Errorf("an invalid submit returned an update: %+v", got)
			}
			if !reflect.DeepEqual(u, before) {
				t.Errorf("the stored user was changed by an invalid submit")
			}
		})
	}
}

func TestGuestProfileFields(t *testing.T) {
	m := testMerchant()
	want := []string{
		"name_prefix", "first_name", "middle_initial", "last_name", "name_suffix", "gender", "birthday",
		"mobile_phone", "mobile_carrier", "phone", "fax",
		"address_line1", "address_line2", "address_line3", "city", "state", "postal_code", "country",
		"language", "mailing_list_subscribed", "printed_mailing_list_subscribed", "opt_in_secondary", "programme_opted_in",
		"custom_shoe_size", "custom_anniversary", "custom_last_visit", "custom_tshirt", "custom_drink", "custom_home_club", "custom_visits",
	}
	fields := models.GuestProfileFields(m)
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("names:\n got %q\nwant %q", names, want)
	}

	forbidden := []string{"status", "roles", "password_hash", "points_balance", "merchant_id", "email", "username",
		"id", "loyalty_status", "loyalty_tier", "home_store", "member_number", "card_number", "failed_login_count",
		"locked_at", "must_change_password", "version", "previous_email", "programme_joined_at"}
	u := testUser()
	for _, f := range fields {
		for _, bad := range forbidden {
			if f.Name == bad {
				t.Errorf("guest may edit %q", bad)
			}
			for _, col := range f.Columns {
				if col == bad {
					t.Errorf("field %q writes column %q", f.Name, bad)
				}
			}
		}
		if f.Label == "" || len(f.Columns) == 0 {
			t.Errorf("field %q: label %q, columns %q; want both", f.Name, f.Label, f.Columns)
		}
		_ = f.Value(u) // every field reads from a user without panicking
	}

	t.Run("no custom fields", func(t *testing.T) {
		if n := len(models.GuestProfileFields(&models.Merchant{})); n != 23 {
			t.Errorf("got %d fields, want the 23 built-in ones", n)
		}
	})

	t.Run("labels", func(t *testing.T) {
		// The visible labels are part of the contract (SPEC §4).
		want := map[string]string{
			"first_name": "First name", "last_name": "Last name", "mobile_phone": "Mobile phone", "phone": "Phone",
			"birthday": "Birthday", "country": "Country", "language": "Language",
			"custom_tshirt": "T-shirt size",
		}
		for _, f := range fields {
			if w, ok := want[f.Name]; ok && f.Label != w {
				t.Errorf("label of %q: got %q, want %q", f.Name, f.Label, w)
			}
		}
	})

	t.Run("columns", func(t *testing.T) {
		want := map[string][]string{
			"first_name": {"first_name"}, "mobile_phone": {"mobile", "mobile_country"}, "phone": {"phone", "phone_country"},
			"fax": {"fax", "fax_country"}, "programme_opted_in": {"programme_opted_in"}, "custom_tshirt": {"custom_fields"},
		}
		for _, f := range fields {
			if w, ok := want[f.Name]; ok && !reflect.DeepEqual(f.Columns, w) {
				t.Errorf("columns of %q: got %q, want %q", f.Name, f.Columns, w)
			}
		}
	})
}

func TestRequirableFields(t *testing.T) {
	want := []string{"first_name", "last_name", "gender", "birthday", "mobile_phone", "phone", "fax",
		"address_line1", "city", "state", "postal_code", "country", "language"}
	var got []string
	for _, f := range models.RequirableFields() {
		got = append(got, f.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestProfileFieldIsRequired(t *testing.T) {
	m := testMerchant()
	byName := map[string]models.ProfileField{}
	for _, f := range models.GuestProfileFields(m) {
		byName[f.Name] = f
	}
	cases := []struct {
		field string
		want  bool
	}{
		{"last_name", true},
		{"country", true},
		{"first_name", false},         // requirable, not required by m
		{"middle_initial", false},     // listed by m, but not requirable
		{"custom_home_club", true},    // required by its definition
		{"custom_tshirt", false},      // optional custom field
		{"programme_opted_in", false}, // a checkbox is never required
	}
	for _, tc := range cases {
		if got := byName[tc.field].IsRequired(m); got != tc.want {
			t.Errorf("IsRequired(%q): got %v, want %v", tc.field, got, tc.want)
		}
	}
}
