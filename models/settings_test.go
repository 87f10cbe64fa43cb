package models_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"myaccount/models"
)

// settingsMerchant is Harbor Coffee as the demo data has it; each call
// returns a fresh copy.
func settingsMerchant() *models.Merchant {
	return &models.Merchant{
		ID: "m-harbor", Code: "harbor", Name: "Harbor Coffee",
		PasswordPolicy:  models.VELAPolicy,
		MaxFailedLogins: 5, Lockout: models.DefaultLockout,
		UniqueEmail:    true,
		RequiredFields: models.StringList{"first_name", "last_name"},
		CustomFields: models.CustomFieldDefs{
			{Key: "favourite_drink", Label: "Favourite drink", Type: models.CustomList, Options: []string{"Espresso", "Flat white", "Latte", "Tea"}},
			{Key: "first_visit", Label: "First visit", Type: models.CustomDate},
		},
		Version: 4,
	}
}

// newRow fills the form's blank row (row 3, index 2).
func newRow(key, label, typ, options string) func(in *models.SettingsInput) {
	return func(in *models.SettingsInput) {
		in.Custom[2] = models.CustomFieldInput{Key: key, Label: label, Type: typ, Options: options}
	}
}

func setNumber(name, v string) func(in *models.SettingsInput) {
	return func(in *models.SettingsInput) { in.Numbers[name] = v }
}

func lines(n int, prefix string) string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i+1)
	}
	return strings.Join(out, "\n")
}

func TestNewSettingsInput(t *testing.T) {
	in := models.NewSettingsInput(settingsMerchant())
	wantNumbers := map[string]string{
		"password_min_length": "6", "password_min_lower": "1", "password_min_upper": "1", "password_min_digits": "1",
		"password_min_special": "1", "password_min_score": "0", "password_history": "5", "password_max_age_days": "0", "max_failed_logins": "5",
		"lockout_first_wait_minutes": "5", "lockout_max_wait_minutes": "60", "lockout_reset_minutes": "720", "lockout_permanent_after": "0",
	}
	if !reflect.DeepEqual(in.Numbers, wantNumbers) {
		t.Errorf("numbers: got %v, want %v", in.Numbers, wantNumbers)
	}
	if !in.UniqueEmail || in.UniqueMobile {
		t.Errorf("unique: got email %v mobile %v, want true false", in.UniqueEmail, in.UniqueMobile)
	}
	if !reflect.DeepEqual(in.Required, []string{"first_name", "last_name"}) {
		t.Errorf("required: got %v", in.Required)
	}
	wantRows := []models.CustomFieldInput{
		{Key: "favourite_drink", Label: "Favourite drink", Type: "list", Options: "Espresso\nFlat white\nLatte\nTea"},
		{Key: "first_visit", Label: "First visit", Type: "date"},
		{Type: "text"}, // the blank row for a new field
	}
	if !reflect.DeepEqual(in.Custom, wantRows) {
		t.Errorf("custom rows: got %+v, want %+v", in.Custom, wantRows)
	}

	// No blank row once the merchant has the most custom fields there can be.
	full := settingsMerchant()
	full.CustomFields = nil
	for i := range models.MaxCustomFields {
		full.CustomFields = append(full.CustomFields, models.CustomFieldDef{Key: "f" + strconv.Itoa(i), Label: "F" + strconv.Itoa(i), Type: models.CustomText})
	}
	if got := len(models.NewSettingsInput(full).Custom); got != models.MaxCustomFields {
		t.Errorf("rows at the limit: got %d, want %d (no blank row)", got, models.MaxCustomFields)
	}
}

// settingsValidCase is an edit of the settings form that Apply accepts.
type settingsValidCase struct {
	name        string
	edit        func(in *models.SettingsInput)
	wantChanges models.Changes
	// anyChanges skips comparing the changes; check looks at the result.
	anyChanges bool
	check      func(t *testing.T, next models.Merchant)
}

var settingsValidCases = []settingsValidCase{
	{
		name: "nothing changed",
		edit: func(in *models.SettingsInput) {},
	},
	{
		name:        "minimum length",
		edit:        setNumber("password_min_length", "8"),
		wantChanges: models.Changes{{Field: "password_min_length", Old: "6", New: "8"}},
		check: func(t *testing.T, next models.Merchant) {
			if next.PasswordPolicy.MinLength != 8 {
				t.Errorf("min length: got %d, want 8", next.PasswordPolicy.MinLength)
			}
		},
	},
	{
		name:        "numbers trimmed",
		edit:        setNumber("max_failed_logins", "  3 "),
		wantChanges: models.Changes{{Field: "max_failed_logins", Old: "5", New: "3"}},
	},
	{
		name: "every number at its lower bound",
		edit: func(in *models.SettingsInput) {
			for name, v := range map[string]string{
				"password_min_length": "1", "password_min_lower": "0", "password_min_upper": "0", "password_min_digits": "0",
				"password_min_special": "0", "password_history": "0", "password_max_age_days": "0", "max_failed_logins": "1",
			} {
				in.Numbers[name] = v
			}
		},
		wantChanges: models.Changes{
			{Field: "password_min_length", Old: "6", New: "1"},
			{Field: "password_min_lower", Old: "1", New: "0"},
			{Field: "password_min_upper", Old: "1", New: "0"},
			{Field: "password_min_digits", Old: "1", New: "0"},
			{Field: "password_min_special", Old: "1", New: "0"},
			{Field: "password_history", Old: "5", New: "0"},
			{Field: "max_failed_logins", Old: "5", New: "1"},
		},
	},
	{
		name: "every number at its upper bound",
		edit: func(in *models.SettingsInput) {
			for name, v := range map[string]string{
				"password_min_length": "64", "password_min_lower": "16", "password_min_upper": "16", "password_min_digits": "16",
				"password_min_special": "16", "password_min_score": "4", "password_history": "24", "password_max_age_days": "3650", "max_failed_logins": "100",
			} {
				in.Numbers[name] = v
			}
		},
		check: func(t *testing.T, next models.Merchant) {
			want := models.PasswordPolicy{MinLength: 64, MinLower: 16, MinUpper: 16, MinDigits: 16, MinSpecial: 16, MinScore: 4, History: 24, MaxAgeDays: 3650}
			if next.PasswordPolicy != want || next.MaxFailedLogins != 100 {
				t.Errorf("policy: got %+v and %d, want %+v and 100", next.PasswordPolicy, next.MaxFailedLogins, want)
			}
		},
		wantChanges: models.Changes{
			{Field: "password_min_length", Old: "6", New: "64"},
			{Field: "password_min_lower", Old: "1", New: "16"},
			{Field: "password_min_upper", Old: "1", New: "16"},
			{Field: "password_min_digits", Old: "1", New: "16"},
			{Field: "password_min_special", Old: "1", New: "16"},
			{Field: "password_min_score", Old: "0", New: "4"},
			{Field: "password_history", Old: "5", New: "24"},
			{Field: "password_max_age_days", Old: "0", New: "3650"},
			{Field: "max_failed_logins", Old: "5", New: "100"},
		},
	},
	{
		name: "class minimums adding up to the length",
		edit: func(in *models.SettingsInput) {
			in.Numbers["password_min_length"] = "8"
			in.Numbers["password_min_digits"] = "5"
		},
		wantChanges: models.Changes{{Field: "password_min_length", Old: "6", New: "8"}, {Field: "password_min_digits", Old: "1", New: "5"}},
	},
	{
		name: "unique fields",
		edit: func(in *models.SettingsInput) { in.UniqueEmail, in.UniqueMobile = false, true },
		wantChanges: models.Changes{
			{Field: "unique_email", Old: "true", New: "false"},
			{Field: "unique_mobile", Old: "false", New: "true"},
		},
	},
	{
		name:        "signed in after choosing a password from a link",
		edit:        func(in *models.SettingsInput) { in.SignInAfterReset = true },
		wantChanges: models.Changes{{Field: "sign_in_after_reset", Old: "false", New: "true"}},
		check: func(t *testing.T, next models.Merchant) {
			if !next.SignInAfterReset {
				t.Errorf("sign in after reset: got off")
			}
		},
	},
	{
		name:        "required field added, stored in form order",
		edit:        func(in *models.SettingsInput) { in.Required = []string{"birthday", "last_name", "first_name"} },
		wantChanges: models.Changes{{Field: "required_fields", Old: "first_name, last_name", New: "first_name, last_name, birthday"}},
		check: func(t *testing.T, next models.Merchant) {
			if !reflect.DeepEqual(next.RequiredFields, models.StringList{"first_name", "last_name", "birthday"}) {
				t.Errorf("required: got %v", next.RequiredFields)
			}
		},
	},
	{
		name: "required fields in another order are no change",
		edit: func(in *models.SettingsInput) { in.Required = []string{"last_name", "first_name", "last_name"} },
	},
	{
		name:        "no required fields",
		edit:        func(in *models.SettingsInput) { in.Required = nil },
		wantChanges: models.Changes{{Field: "required_fields", Old: "first_name, last_name", New: "none"}},
	},
	{
		name: "custom date field added",
		edit: newRow(" anniversary ", " Anniversary ", "date", ""),
		wantChanges: models.Changes{{
			Field: "custom_fields",
			Old:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date)`,
			New:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date); anniversary "Anniversary" (date)`,
		}},
		check: func(t *testing.T, next models.Merchant) {
			want := models.CustomFieldDef{Key: "anniversary", Label: "Anniversary", Type: models.CustomDate}
			if len(next.CustomFields) != 3 || !reflect.DeepEqual(next.CustomFields[2], want) {
				t.Errorf("custom fields: got %+v, want the third %+v", next.CustomFields, want)
			}
		},
	},
	{
		name: "required list field added, options trimmed and blank lines skipped",
		edit: func(in *models.SettingsInput) {
			in.Custom[2] = models.CustomFieldInput{Key: "size", Label: "T-shirt size", Type: "list", Options: " S \r\n\r\nM\n  \nL\n", Required: true}
		},
		check: func(t *testing.T, next models.Merchant) {
			want := models.CustomFieldDef{Key: "size", Label: "T-shirt size", Type: models.CustomList, Options: []string{"S", "M", "L"}, Required: true}
			if !reflect.DeepEqual(next.CustomFields[2], want) {
				t.Errorf("new field: got %+v, want %+v", next.CustomFields[2], want)
			}
			if got := next.CustomFields[2].Summary(); got != `size "T-shirt size" (list of options: S, M, L; required)` {
				t.Errorf("summary: got %q", got)
			}
		},
		wantChanges: models.Changes{{
			Field: "custom_fields",
			Old:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date)`,
			New:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date); size "T-shirt size" (list of options: S, M, L; required)`,
		}},
	},
	{
		name: "number and date-time fields, longest key, label and option",
		edit: func(in *models.SettingsInput) {
			in.Custom[2] = models.CustomFieldInput{Key: "a" + strings.Repeat("b_9", 9) + "zz", Label: strings.Repeat("é", 50), Type: "number"}
			in.Custom = append(in.Custom, models.CustomFieldInput{Key: "last_visit", Label: "Last visit", Type: "datetime"})
			in.Custom = append(in.Custom, models.CustomFieldInput{Key: "many", Label: "Many", Type: "list", Options: lines(49, "o") + "\n" + strings.Repeat("x", 50)})
		},
		check: func(t *testing.T, next models.Merchant) {
			if len(next.CustomFields) != 5 || next.CustomFields[2].Type != models.CustomNumber || next.CustomFields[3].Type != models.CustomDateTime || len(next.CustomFields[4].Options) != 50 {
				t.Errorf("custom fields: got %+v", next.CustomFields)
			}
		},
		anyChanges: true,
	},
	{
		name: "blank row ignored, whatever its type",
		edit: func(in *models.SettingsInput) {
			in.Custom[2] = models.CustomFieldInput{Key: " ", Type: "list", Options: "\n \n"}
		},
	},
	{
		name: "field removed, its invalid input ignored",
		edit: func(in *models.SettingsInput) {
			in.Custom[0].Remove = true
			in.Custom[0].Key = "Not a key!"
			in.Custom[0].Options = ""
		},
		wantChanges: models.Changes{{
			Field: "custom_fields",
			Old:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date)`,
			New:   `first_visit "First visit" (date)`,
		}},
	},
	{
		name: "every field removed",
		edit: func(in *models.SettingsInput) { in.Custom[0].Remove, in.Custom[1].Remove = true, true },
		wantChanges: models.Changes{{
			Field: "custom_fields",
			Old:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date)`,
			New:   "none",
		}},
	},
	{
		name: "a removed field's key and label used again",
		edit: func(in *models.SettingsInput) {
			in.Custom[1].Remove = true
			in.Custom[2] = models.CustomFieldInput{Key: "first_visit", Label: "First visit", Type: "datetime"}
		},
		check: func(t *testing.T, next models.Merchant) {
			if len(next.CustomFields) != 2 || next.CustomFields[1].Type != models.CustomDateTime {
				t.Errorf("custom fields: got %+v", next.CustomFields)
			}
		},
		wantChanges: models.Changes{{
			Field: "custom_fields",
			Old:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date)`,
			New:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date and time)`,
		}},
	},
	{
		name: "type changed, label changed and made required",
		edit: func(in *models.SettingsInput) {
			in.Custom[1].Type, in.Custom[1].Label, in.Custom[1].Required = "text", "First visit (where)", true
		},
		wantChanges: models.Changes{{
			Field: "custom_fields",
			Old:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date)`,
			New:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit (where)" (text; required)`,
		}},
	},
	{
		name: "list options changed",
		edit: func(in *models.SettingsInput) { in.Custom[0].Options = "Espresso\nCortado" },
		check: func(t *testing.T, next models.Merchant) {
			if !reflect.DeepEqual(next.CustomFields[0].Options, []string{"Espresso", "Cortado"}) {
				t.Errorf("options: got %q", next.CustomFields[0].Options)
			}
		},
		wantChanges: models.Changes{{
			Field: "custom_fields",
			Old:   `favourite_drink "Favourite drink" (list of options: Espresso, Flat white, Latte, Tea); first_visit "First visit" (date)`,
			New:   `favourite_drink "Favourite drink" (list of options: Espresso, Cortado); first_visit "First visit" (date)`,
		}},
	},
}

func TestSettingsApplyValid(t *testing.T) {
	for _, tc := range settingsValidCases {
		t.Run(tc.name, func(t *testing.T) {
			m := settingsMerchant()
			in := models.NewSettingsInput(m)
			tc.edit(&in)
			next, changes, err := in.Validate(m)
			if err != nil {
				t.Fatalf("Apply: got %v, want no error", err)
			}
			if !tc.anyChanges && !reflect.DeepEqual(changes, tc.wantChanges) {
				t.Errorf("changes:\n got %+v\nwant %+v", changes, tc.wantChanges)
			}
			if next.ID != m.ID || next.Code != m.Code || next.Name != m.Name || next.Version != m.Version {
				t.Errorf("identity: got %s %s %s v%d, want the merchant's, unchanged", next.ID, next.Code, next.Name, next.Version)
			}
			if !reflect.DeepEqual(m, settingsMerchant()) {
				t.Errorf("Apply changed the stored merchant: %+v", m)
			}
			if tc.check != nil {
				tc.check(t, next)
			}
			if len(tc.wantChanges) == 0 && tc.check == nil {
				if !reflect.DeepEqual(&next, m) {
					t.Errorf("next: got %+v, want the stored merchant", next)
				}
			}
		})
	}
}

// fiftyFields makes the form hold the most custom fields there can be.
func fiftyFields(in *models.SettingsInput) {
	in.Custom = in.Custom[:2]
	for i := 2; i < models.MaxCustomFields; i++ {
		in.Custom = append(in.Custom, models.CustomFieldInput{Key: "f" + strconv.Itoa(i), Label: "F" + strconv.Itoa(i), Type: "text"})
	}
}

// settingsInvalidCase is an edit of the settings form that Apply refuses
// with the errors in want.
type settingsInvalidCase struct {
	name string
	edit func(in *models.SettingsInput)
	want map[string][]string
}

var settingsInvalidCases = []settingsInvalidCase{
	{"minimum length empty", setNumber("password_min_length", " "),
		map[string][]string{"password_min_length": {"Enter the minimum password length"}}},
	{"minimum length not a number", setNumber("password_min_length", "eight"),
		map[string][]string{"password_min_length": {"Minimum password length must be a whole number from 1 to 64"}}},
	{"minimum length a fraction", setNumber("password_min_length", "8.5"),
		map[string][]string{"password_min_length": {"Minimum password length must be a whole number from 1 to 64"}}},
	{"minimum length 0", setNumber("password_min_length", "0"),
		map[string][]string{"password_min_length": {"Minimum password length must be a whole number from 1 to 64"}}},
	{"minimum length 65", setNumber("password_min_length", "65"),
		map[string][]string{"password_min_length": {"Minimum password length must be a whole number from 1 to 64"}}},
	{"minimum length too big for an int", setNumber("password_min_length", "99999999999999999999999"),
		map[string][]string{"password_min_length": {"Minimum password length must be a whole number from 1 to 64"}}},
	{"lowercase 17", setNumber("password_min_lower", "17"),
		map[string][]string{"password_min_lower": {"Minimum lowercase letters must be a whole number from 0 to 16"}}},
	{"lowercase empty", setNumber("password_min_lower", ""),
		map[string][]string{"password_min_lower": {"Enter the minimum number of lowercase letters"}}},
	{"uppercase negative", setNumber("password_min_upper", "-1"),
		map[string][]string{"password_min_upper": {"Minimum uppercase letters must be a whole number from 0 to 16"}}},
	{"uppercase empty", setNumber("password_min_upper", ""),
		map[string][]string{"password_min_upper": {"Enter the minimum number of uppercase letters"}}},
	{"digits 17", setNumber("password_min_digits", "17"),
		map[string][]string{"password_min_digits": {"Minimum digits must be a whole number from 0 to 16"}}},
	{"digits empty", setNumber("password_min_digits", ""),
		map[string][]string{"password_min_digits": {"Enter the minimum number of digits"}}},
	{"special 1e1", setNumber("password_min_special", "1e1"),
		map[string][]string{"password_min_special": {"Minimum special characters must be a whole number from 0 to 16"}}},
	{"special empty", setNumber("password_min_special", ""),
		map[string][]string{"password_min_special": {"Enter the minimum number of special characters"}}},
	{"strength 5", setNumber("password_min_score", "5"),
		map[string][]string{"password_min_score": {"Lowest password strength accepted (0–4, 0 = any) must be a whole number from 0 to 4"}}},
	{"strength negative", setNumber("password_min_score", "-1"),
		map[string][]string{"password_min_score": {"Lowest password strength accepted (0–4, 0 = any) must be a whole number from 0 to 4"}}},
	{"strength empty", setNumber("password_min_score", ""),
		map[string][]string{"password_min_score": {"Enter the lowest password strength accepted, from 0 to 4"}}},
	{"an invalid strength does not hide the length rule", func(in *models.SettingsInput) {
		in.Numbers["password_min_digits"] = "4"
		in.Numbers["password_min_score"] = "x"
	}, map[string][]string{
		"password_min_score":  {"Lowest password strength accepted (0–4, 0 = any) must be a whole number from 0 to 4"},
		"password_min_length": {"Minimum password length must be at least 7, the minimum lowercase letters, uppercase letters, digits and special characters added together"},
	}},
	{"history 25", setNumber("password_history", "25"),
		map[string][]string{"password_history": {"Previous passwords that may not be reused must be a whole number from 0 to 24"}}},
	{"history empty", setNumber("password_history", ""),
		map[string][]string{"password_history": {"Enter how many previous passwords may not be reused"}}},
	{"expiry 3651 days", setNumber("password_max_age_days", "3651"),
		map[string][]string{"password_max_age_days": {"Password expires after (days, 0 = never) must be a whole number from 0 to 3650"}}},
	{"expiry empty", setNumber("password_max_age_days", ""),
		map[string][]string{"password_max_age_days": {"Enter after how many days a password expires, or 0 for never"}}},
	{"failed sign-ins 0", setNumber("max_failed_logins", "0"),
		map[string][]string{"max_failed_logins": {"Failed sign-ins before a lock must be a whole number from 1 to 100"}}},
	{"failed sign-ins 101", setNumber("max_failed_logins", "101"),
		map[string][]string{"max_failed_logins": {"Failed sign-ins before a lock must be a whole number from 1 to 100"}}},
	{"failed sign-ins empty", setNumber("max_failed_logins", ""),
		map[string][]string{"max_failed_logins": {"Enter how many failed sign-ins lock an account"}}},
	{"class minimums add up to more than the length", func(in *models.SettingsInput) {
		in.Numbers["password_min_digits"] = "4"
	}, map[string][]string{"password_min_length": {"Minimum password length must be at least 7, the minimum lowercase letters, uppercase letters, digits and special characters added together"}}},
	{"sum not checked while a minimum is invalid", func(in *models.SettingsInput) {
		in.Numbers["password_min_digits"] = "16"
		in.Numbers["password_min_upper"] = "x"
	}, map[string][]string{"password_min_upper": {"Minimum uppercase letters must be a whole number from 0 to 16"}}},
	{"unknown required field", func(in *models.SettingsInput) {
		in.Required = []string{"birthday", "email", "password_hash"}
	}, map[string][]string{"required_fields": {"Select required fields from the list"}}},
	{"new field without key", newRow("", "Anniversary", "date", ""),
		map[string][]string{"custom_key_2": {"Enter a key for custom field 3"}}},
	{"key in capitals", newRow("Anniversary", "Anniversary", "date", ""),
		map[string][]string{"custom_key_2": {"Key of custom field 3 must start with a lowercase letter and have only lowercase letters, digits and underscores, up to 30, like favourite_drink"}}},
	{"key starting with a digit", newRow("1st_visit", "Anniversary", "date", ""),
		map[string][]string{"custom_key_2": {"Key of custom field 3 must start with a lowercase letter and have only lowercase letters, digits and underscores, up to 30, like favourite_drink"}}},
	{"key with a hyphen", newRow("first-visit", "Anniversary", "date", ""),
		map[string][]string{"custom_key_2": {"Key of custom field 3 must start with a lowercase letter and have only lowercase letters, digits and underscores, up to 30, like favourite_drink"}}},
	{"key of 31 characters", newRow("a"+strings.Repeat("b", 30), "Anniversary", "date", ""),
		map[string][]string{"custom_key_2": {"Key of custom field 3 must start with a lowercase letter and have only lowercase letters, digits and underscores, up to 30, like favourite_drink"}}},
	{"key with an accent", newRow("café", "Anniversary", "date", ""),
		map[string][]string{"custom_key_2": {"Key of custom field 3 must start with a lowercase letter and have only lowercase letters, digits and underscores, up to 30, like favourite_drink"}}},
	{"key used twice", newRow("favourite_drink", "Anniversary", "date", ""),
		map[string][]string{"custom_key_2": {"Key of custom field 3 is already the key of custom field 1"}}},
	{"label empty", newRow("anniversary", " ", "date", ""),
		map[string][]string{"custom_label_2": {"Enter a label for custom field 3"}}},
	{"label of 51 characters", newRow("anniversary", strings.Repeat("a", 51), "date", ""),
		map[string][]string{"custom_label_2": {"Label of custom field 3 must be 50 characters or fewer"}}},
	{"label with a control character", newRow("anniversary", "Anni\u0007versary", "date", ""),
		map[string][]string{"custom_label_2": {"Label of custom field 3 must not contain control characters"}}},
	{"label of a built-in field", newRow("bday", "birthday", "date", ""),
		map[string][]string{"custom_label_2": {"Label of custom field 3 must be different from the built-in field “Birthday”"}}},
	{"label used twice, whatever the case", newRow("drink", "favourite DRINK", "text", ""),
		map[string][]string{"custom_label_2": {"Label of custom field 3 is already the label of custom field 1"}}},
	{"no type", newRow("anniversary", "Anniversary", "", ""),
		map[string][]string{"custom_type_2": {"Select a type for custom field 3"}}},
	{"unknown type", newRow("anniversary", "Anniversary", "colour", ""),
		map[string][]string{"custom_type_2": {"Select a type for custom field 3"}}},
	{"list without options", newRow("size", "Size", "list", "\n  \n"),
		map[string][]string{"custom_options_2": {"Enter the options of custom field 3, one per line"}}},
	{"list of 51 options", newRow("size", "Size", "list", lines(51, "o")),
		map[string][]string{"custom_options_2": {"A list can have at most 50 options: custom field 3 has 51"}}},
	{"option of 51 characters", newRow("size", "Size", "list", "S\n"+strings.Repeat("x", 51)),
		map[string][]string{"custom_options_2": {"Each option of custom field 3 must be 50 characters or fewer"}}},
	{"option with a control character", newRow("size", "Size", "list", "S\tM"),
		map[string][]string{"custom_options_2": {"Each option of custom field 3 must not contain control characters"}}},
	{"option listed twice, whatever the case", newRow("size", "Size", "list", "Tea\nCoffee\n tea "),
		map[string][]string{"custom_options_2": {"Options of custom field 3 must be different: “tea” is listed twice"}}},
	{"options on a text field", newRow("note", "Note", "text", "a\nb"),
		map[string][]string{"custom_options_2": {"Only lists have options: clear the options of custom field 3, or make it a list of options"}}},
	{"list turned into a date, options kept", func(in *models.SettingsInput) { in.Custom[0].Type = "date" },
		map[string][]string{"custom_options_0": {"Only lists have options: clear the options of custom field 1, or make it a list of options"}}},
	{"required checkbox alone makes the row a field", func(in *models.SettingsInput) { in.Custom[2].Required = true },
		map[string][]string{"custom_key_2": {"Enter a key for custom field 3"}, "custom_label_2": {"Enter a label for custom field 3"}}},
	{"one field too many", func(in *models.SettingsInput) {
		fiftyFields(in)
		in.Custom = append(in.Custom, models.CustomFieldInput{Key: "one_more", Label: "One more", Type: "text"})
	}, map[string][]string{"custom_key_50": {"There can be at most 50 custom fields: remove one to add custom field 51"}}},
	{"everything wrong at once", func(in *models.SettingsInput) {
		in.Numbers["password_min_length"] = ""
		in.Numbers["max_failed_logins"] = "0"
		in.Required = []string{"nope"}
		in.Custom[0].Label = ""
		in.Custom[2] = models.CustomFieldInput{Key: "X", Label: "Y", Type: "list"}
	}, map[string][]string{
		"password_min_length": {"Enter the minimum password length"},
		"max_failed_logins":   {"Failed sign-ins before a lock must be a whole number from 1 to 100"},
		"required_fields":     {"Select required fields from the list"},
		"custom_label_0":      {"Enter a label for custom field 1"},
		"custom_key_2":        {"Key of custom field 3 must start with a lowercase letter and have only lowercase letters, digits and underscores, up to 30, like favourite_drink"},
		"custom_options_2":    {"Enter the options of custom field 3, one per line"},
	}},
}

func TestSettingsApplyInvalid(t *testing.T) {
	for _, tc := range settingsInvalidCases {
		t.Run(tc.name, func(t *testing.T) {
			m := settingsMerchant()
			in := models.NewSettingsInput(m)
			tc.edit(&in)
			_, changes, err := in.Validate(m)
			var fe models.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("Apply: got %v, want FieldErrors", err)
			}
			if !reflect.DeepEqual(map[string][]string(fe), tc.want) {
				t.Errorf("errors:\n got %q\nwant %q", fe, tc.want)
			}
			if changes != nil {
				t.Errorf("changes: got %v, want none on invalid input", changes)
			}
		})
	}

	// Exactly the most fields there can be is fine.
	m := settingsMerchant()
	in := models.NewSettingsInput(m)
	fiftyFields(&in)
	if next, _, err := in.Validate(m); err != nil || len(next.CustomFields) != models.MaxCustomFields {
		t.Errorf("%d fields: got %v and %d fields, want no error", models.MaxCustomFields, err, len(next.CustomFields))
	}
}

func TestCustomFieldSummary(t *testing.T) {
	cases := []struct {
		defs models.CustomFieldDefs
		want string
	}{
		{nil, "none"},
		{models.CustomFieldDefs{{Key: "shoe", Label: "Shoe size", Type: models.CustomNumber}}, `shoe "Shoe size" (number)`},
		{models.CustomFieldDefs{{Key: "seen", Label: "Last seen", Type: models.CustomDateTime, Required: true}}, `seen "Last seen" (date and time; required)`},
		{models.CustomFieldDefs{
			{Key: "note", Label: `Say "hi"`, Type: models.CustomText},
			{Key: "size", Label: "Size", Type: models.CustomList, Options: []string{"S", "M"}},
		}, `note "Say \"hi\"" (text); size "Size" (list of options: S, M)`},
	}
	for _, tc := range cases {
		if got := tc.defs.Summary(); got != tc.want {
			t.Errorf("Summary: got %q, want %q", got, tc.want)
		}
	}
}

// The settings numbers carry the labels the admin page shows.
func TestSettingsNumberLabels(t *testing.T) {
	var got []string
	for _, n := range models.SettingsNumbers() {
		got = append(got, n.Label)
	}
	want := []string{
		"Minimum password length", "Minimum lowercase letters", "Minimum uppercase letters", "Minimum digits",
		"Minimum special characters", "Lowest password strength accepted (0–4, 0 = any)", "Previous passwords that may not be reused", "Password expires after (days, 0 = never)",
		"Failed sign-ins before a lock", "First lock lasts (minutes)", "Longest lock (minutes)", "Forget failed sign-ins after (minutes)", "Temporary locks before a permanent lock (0 = never)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("labels: got %q, want %q", got, want)
	}
}

// eightCharacters is VELA's policy with 8 characters instead of 6: a custom policy.
var eightCharacters = func() models.PasswordPolicy {
	p := models.VELAPolicy
	p.MinLength = 8
	return p
}()

// presetCase is a password policy preset chosen over a stored policy.
type presetCase struct {
	name        string
	stored      models.PasswordPolicy
	edit        func(in *models.SettingsInput)
	want        models.PasswordPolicy
	wantChanges models.Changes
	wantErrs    map[string][]string
}

var presetCases = []presetCase{
	{
		name:   "NIST chosen: its numbers win over the typed ones, history and expiry stay",
		stored: models.VELAPolicy,
		edit: func(in *models.SettingsInput) {
			in.Preset = "nist"
			in.Numbers["password_min_lower"] = "3" // ignored
			in.Numbers["password_min_score"] = "1" // ignored
			in.Numbers["password_min_length"] = "x"
			in.Numbers["password_max_age_days"] = "90"
		},
		want: models.PasswordPolicy{MinLength: 15, MinScore: 3, History: 5, MaxAgeDays: 90},
		wantChanges: models.Changes{
			{Field: "password_min_length", Old: "6", New: "15"},
			{Field: "password_min_lower", Old: "1", New: "0"},
			{Field: "password_min_upper", Old: "1", New: "0"},
			{Field: "password_min_digits", Old: "1", New: "0"},
			{Field: "password_min_special", Old: "1", New: "0"},
			{Field: "password_min_score", Old: "0", New: "3"},
			{Field: "password_max_age_days", Old: "0", New: "90"},
		},
	},
	{
		name:        "NIST kept, strength raised: the policy becomes custom",
		stored:      models.NISTPolicy,
		edit:        setNumber("password_min_score", "4"),
		want:        models.PasswordPolicy{MinLength: 15, MinScore: 4},
		wantChanges: models.Changes{{Field: "password_min_score", Old: "3", New: "4"}},
	},
	{
		name:   "VELA chosen over NIST turns the strength rule off",
		stored: models.NISTPolicy,
		edit:   func(in *models.SettingsInput) { in.Preset = "vela" },
		want:   models.PasswordPolicy{MinLength: 6, MinLower: 1, MinUpper: 1, MinDigits: 1, MinSpecial: 1},
		wantChanges: models.Changes{
			{Field: "password_min_length", Old: "15", New: "6"},
			{Field: "password_min_lower", Old: "0", New: "1"},
			{Field: "password_min_upper", Old: "0", New: "1"},
			{Field: "password_min_digits", Old: "0", New: "1"},
			{Field: "password_min_special", Old: "0", New: "1"},
			{Field: "password_min_score", Old: "3", New: "0"},
		},
	},
	{
		name:   "VELA chosen over a custom policy",
		stored: eightCharacters,
		edit:   func(in *models.SettingsInput) { in.Preset = "vela" },
		want:   models.VELAPolicy,
		wantChanges: models.Changes{
			{Field: "password_min_length", Old: "8", New: "6"},
		},
	},
	{
		name:        "list left as it was: the typed number wins and the policy becomes custom",
		stored:      models.VELAPolicy,
		edit:        setNumber("password_min_length", "8"),
		want:        eightCharacters,
		wantChanges: models.Changes{{Field: "password_min_length", Old: "6", New: "8"}},
	},
	{
		name:   "custom: the numbers as typed",
		stored: models.VELAPolicy,
		edit: func(in *models.SettingsInput) {
			in.Preset = ""
			in.Numbers["password_min_length"] = "15"
			for _, n := range []string{"password_min_lower", "password_min_upper", "password_min_digits", "password_min_special"} {
				in.Numbers[n] = "0"
			}
		},
		want: models.PasswordPolicy{MinLength: 15, History: 5},
		wantChanges: models.Changes{
			{Field: "password_min_length", Old: "6", New: "15"},
			{Field: "password_min_lower", Old: "1", New: "0"},
			{Field: "password_min_upper", Old: "1", New: "0"},
			{Field: "password_min_digits", Old: "1", New: "0"},
			{Field: "password_min_special", Old: "1", New: "0"},
		},
	},
	{
		name:     "unknown preset",
		stored:   models.VELAPolicy,
		edit:     func(in *models.SettingsInput) { in.Preset = "fort-knox" },
		wantErrs: map[string][]string{"password_preset": {"Select a password policy from the list"}},
	},
}

func TestSettingsPasswordPresets(t *testing.T) {
	for _, tc := range presetCases {
		t.Run(tc.name, func(t *testing.T) {
			m := settingsMerchant()
			m.PasswordPolicy = tc.stored
			in := models.NewSettingsInput(m)
			if in.Preset != tc.stored.Preset() {
				t.Errorf("form preset: got %q, want %q", in.Preset, tc.stored.Preset())
			}
			tc.edit(&in)
			next, changes, err := in.Validate(m)
			if tc.wantErrs != nil {
				var fe models.FieldErrors
				if !errors.As(err, &fe) || !reflect.DeepEqual(map[string][]string(fe), tc.wantErrs) {
					t.Errorf("errors: got %v, want %v", err, tc.wantErrs)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: got %v, want no error", err)
			}
			if next.PasswordPolicy != tc.want {
				t.Errorf("policy: got %+v, want %+v", next.PasswordPolicy, tc.want)
			}
			if !reflect.DeepEqual(changes, tc.wantChanges) {
				t.Errorf("changes:\n got %+v\nwant %+v", changes, tc.wantChanges)
			}
		})
	}
	if got := models.NewSettingsInput(settingsMerchant()).Preset; got != "vela" {
		t.Errorf("the demo merchant's form: got preset %q, want vela", got)
	}
}

// The longest lock may not be shorter than the first.
func TestSettingsLockoutWaits(t *testing.T) {
	m := settingsMerchant()
	in := models.NewSettingsInput(m)
	in.Numbers["lockout_first_wait_minutes"], in.Numbers["lockout_max_wait_minutes"], in.Numbers["lockout_permanent_after"] = "30", "10", "3"
	_, _, err := in.Validate(m)
	var fe models.FieldErrors
	if !errors.As(err, &fe) || !reflect.DeepEqual(fe, models.FieldErrors{"lockout_max_wait_minutes": {"Longest lock must be at least the first lock, 30 minutes"}}) {
		t.Fatalf("longest shorter than first: got %v", err)
	}
	in.Numbers["lockout_max_wait_minutes"] = "120"
	next, changes, err := in.Validate(m)
	if err != nil {
		t.Fatal(err)
	}
	if next.Lockout != (models.LockoutPolicy{FirstWaitMinutes: 30, MaxWaitMinutes: 120, ResetMinutes: 720, PermanentAfter: 3}) || len(changes) != 3 {
		t.Errorf("got %+v with changes %+v", next.Lockout, changes)
	}
}
