package models_test

import (
	"testing"

	"myaccount/models"
)

// Days and moments read the same way on every page, in the order of the
// reader's language, and sized inputs follow what the field holds.
func TestDisplayForAndInputWidth(t *testing.T) {
	byName := map[string]models.ProfileField{}
	for _, f := range models.AdminProfileFields(&models.Merchant{}) {
		byName[f.Name] = f
	}
	for _, tc := range []struct {
		field, lang, value, want string
	}{
		{"birthday", "en-US", "1986-01-30", "January 30, 1986"},
		{"birthday", "en-GB", "1986-01-30", "30 January 1986"},
		{"birthday", "nl-BE", "1986-01-30", "30 January 1986"},
		{"birthday", "", "1986-01-30", "30 January 1986"},
		{"birthday", "en-US", "", ""},
	} {
		if got := byName[tc.field].DisplayFor(tc.lang, tc.value); got != tc.want {
			t.Errorf("%s %q for %q: got %q, want %q", tc.field, tc.value, tc.lang, got, tc.want)
		}
	}
	for name, want := range map[string]int{
		"name_prefix": 5, "middle_initial": 1, "state": 10, "postal_code": 10, "city": 20,
		"first_name": 30, "birthday": 10, "mobile_phone": 20, "country": models.WidthAuto,
	} {
		f, ok := byName[name]
		if !ok {
			t.Fatalf("no field %s", name)
		}
		if in := f.Input(""); in.Width != want {
			t.Errorf("%s input width: got %d, want %d", name, in.Width, want)
		}
	}
}
