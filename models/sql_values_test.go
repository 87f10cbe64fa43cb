package models_test

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"myaccount/models"
)

// The column types must satisfy database/sql both ways.
var (
	_ driver.Valuer = models.StringList(nil)
	_ sql.Scanner   = (*models.StringList)(nil)
	_ driver.Valuer = models.CustomValues(nil)
	_ sql.Scanner   = (*models.CustomValues)(nil)
	_ driver.Valuer = models.CustomFieldDefs(nil)
	_ sql.Scanner   = (*models.CustomFieldDefs)(nil)
	_ driver.Valuer = models.Changes(nil)
	_ sql.Scanner   = (*models.Changes)(nil)
)

func TestStringListValue(t *testing.T) {
	cases := []struct {
		name string
		in   models.StringList
		want string
	}{
		{"nil", nil, ""},
		{"empty", models.StringList{}, ""},
		{"one", models.StringList{"CUSTOMER"}, "CUSTOMER"},
		{"two", models.StringList{"CUSTOMER", "MERCHANT_ADMIN"}, "CUSTOMER,MERCHANT_ADMIN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.Value()
			if err != nil || got != tc.want {
				t.Errorf("Value(): got (%v, %v), want (%q, nil)", got, err, tc.want)
			}
		})
	}
}

func TestStringListScan(t *testing.T) {
	cases := []struct {
		name    string
		src     any
		want    models.StringList
		wantErr bool
	}{
		{"nil", nil, nil, false},
		{"empty string", "", nil, false},
		{"one", "CUSTOMER", models.StringList{"CUSTOMER"}, false},
		{"two", "A,B", models.StringList{"A", "B"}, false},
		{"bytes", []byte("A,B"), models.StringList{"A", "B"}, false},
		{"spaces and empty parts dropped", " A , ,B,", models.StringList{"A", "B"}, false},
		{"only commas", ",,", nil, false},
		{"integer", 42, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := models.StringList{"stale"}
			err := got.Scan(tc.src)
			if tc.wantErr {
				if err == nil {
					t.Errorf("Scan(%v): got %q, want an error", tc.src, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Scan(%v): got (%q, %v), want (%q, nil)", tc.src, got, err, tc.want)
			}
		})
	}
}

func TestStringListRoundTrip(t *testing.T) {
	for _, in := range []models.StringList{nil, {"CUSTOMER"}, {"CUSTOMER", "MERCHANT_ADMIN"}, {"last_name", "birthday", "mobile"}} {
		v, err := in.Value()
		if err != nil {
			t.Fatal(err)
		}
		scansBack(t, v, in)
	}
}

func TestStringListContains(t *testing.T) {
	l := models.StringList{"CUSTOMER", "MERCHANT_ADMIN"}
	cases := []struct {
		in   string
		want bool
	}{{"CUSTOMER", true}, {"MERCHANT_ADMIN", true}, {"customer", false}, {"", false}}
	for _, tc := range cases {
		if got := l.Contains(tc.in); got != tc.want {
			t.Errorf("Contains(%q): got %v, want %v", tc.in, got, tc.want)
		}
	}
	if models.StringList(nil).Contains("CUSTOMER") {
		t.Errorf("nil list contains CUSTOMER")
	}
}

func TestCustomValuesValueScan(t *testing.T) {
	cases := []struct {
		name      string
		in        models.CustomValues
		wantValue string
		wantBack  models.CustomValues
	}{
		{"nil is an empty object", nil, "{}", models.CustomValues{}},
		{"empty", models.CustomValues{}, "{}", models.CustomValues{}},
		{"values", models.CustomValues{"shoe_size": "38", "tshirt": "M"}, `{"shoe_size":"38","tshirt":"M"}`, models.CustomValues{"shoe_size": "38", "tshirt": "M"}},
		{"quotes and unicode", models.CustomValues{"note": `say "hi" — 😀`}, `{"note":"say \"hi\" — 😀"}`, models.CustomValues{"note": `say "hi" — 😀`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			valueScansBack(t, tc.in, tc.wantValue, tc.wantBack)
		})
	}
}

func TestCustomValuesScan(t *testing.T) {
	cases := []struct {
		name    string
		src     any
		want    models.CustomValues
		wantErr bool
	}{
		{"NULL is an empty map", nil, models.CustomValues{}, false},
		{"empty text is an empty map", "", models.CustomValues{}, false},
		{"empty bytes", []byte{}, models.CustomValues{}, false},
		{"object", `{"a":"1"}`, models.CustomValues{"a": "1"}, false},
		{"not JSON", "{bad", nil, true},
		{"array", `["a"]`, nil, true},
		{"number values", `{"a":1}`, nil, true},
		{"integer source", 42, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got models.CustomValues
			err := got.Scan(tc.src)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Scan(%v): got error %v, want error %v", tc.src, err, tc.wantErr)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Scan(%v): got %v, want %v", tc.src, got, tc.want)
			}
			if !tc.wantErr && got == nil {
				t.Errorf("Scan(%v): got a nil map, want one that can be written to", tc.src)
			}
		})
	}
}

func TestCustomValuesClone(t *testing.T) {
	orig := models.CustomValues{"a": "1"}
	c := orig.Clone()
	c["a"] = "2"
	c["b"] = "3"
	if !reflect.DeepEqual(orig, models.CustomValues{"a": "1"}) {
		t.Errorf("changing a clone changed the original: %v", orig)
	}
	nilClone := models.CustomValues(nil).Clone()
	nilClone["x"] = "ok" // must not panic
}

func TestCustomFieldDefsValueScan(t *testing.T) {
	defs := models.CustomFieldDefs{
		{Key: "shoe_size", Label: "Shoe size", Type: models.CustomNumber},
		{Key: "tshirt", Label: "T-shirt size", Type: models.CustomList, Options: []string{"S", "M", "L"}, Required: true},
	}
	cases := []struct {
		name      string
		in        models.CustomFieldDefs
		wantValue string
		wantBack  models.CustomFieldDefs
	}{
		{"nil is an empty array", nil, "[]", models.CustomFieldDefs{}},
		{"definitions", defs,
			`[{"key":"shoe_size","label":"Shoe size","type":"number"},{"key":"tshirt","label":"T-shirt size","type":"list","options":["S","M","L"],"required":true}]`,
			defs},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			valueScansBack(t, tc.in, tc.wantValue, tc.wantBack)
		})
	}
	t.Run("scan errors and NULL", func(t *testing.T) {
		var d models.CustomFieldDefs
		if err := d.Scan(nil); err != nil || d != nil {
			t.Errorf("Scan(nil): got (%v, %v), want (nil, nil)", d, err)
		}
		for _, src := range []any{"{", `{"key":"a"}`, 3.5} {
			if err := d.Scan(src); err == nil {
				t.Errorf("Scan(%v): got no error, want one", src)
			}
		}
	})
}

func TestChangesValueScan(t *testing.T) {
	changes := models.Changes{
		{Field: "first_name", Old: "Maya", New: "Maia"},
		{Field: "password", Old: models.Secret, New: models.Secret},
	}
	cases := []struct {
		name      string
		in        models.Changes
		wantValue string
		wantBack  models.Changes
	}{
		{"nil is an empty array", nil, "[]", models.Changes{}},
		{"changes", changes,
			`[{"field":"first_name","old":"Maya","new":"Maia"},{"field":"password","old":"changed","new":"changed"}]`,
			changes},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			valueScansBack(t, tc.in, tc.wantValue, tc.wantBack)
		})
	}
	t.Run("scan errors and NULL", func(t *testing.T) {
		c := models.Changes{{Field: "stale"}}
		if err := c.Scan(nil); err != nil || c != nil {
			t.Errorf("Scan(nil): got (%v, %v), want (nil, nil)", c, err)
		}
		for _, src := range []any{"[", `{"field":"a"}`, true} {
			if err := c.Scan(src); err == nil {
				t.Errorf("Scan(%v): got no error, want one", src)
			}
		}
	})
}

func TestFieldErrors(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		fe := models.FieldErrors{}
		if err := fe.Err(); err != nil {
			t.Errorf("Err(): got %v, want nil", err)
		}
		if fe.Has("email") {
			t.Errorf("Has(email): got true, want false")
		}
		if got := fe.Fields(); len(got) != 0 {
			t.Errorf("Fields(): got %q, want none", got)
		}
		var nilErrs models.FieldErrors
		if nilErrs.Err() != nil || nilErrs.Has("x") {
			t.Errorf("a nil FieldErrors is not empty")
		}
	})

	t.Run("add, has, fields, error", func(t *testing.T) {
		fe := models.FieldErrors{}
		fe.Add("mobile_phone", "Enter a mobile phone like +1 415 555 0132, or a number of your country")
		fe.Add("email", "Enter an email in the correct format, like name@example.com")
		fe.Add("email", "This email is already used")
		cases := []struct {
			field string
			want  bool
		}{{"email", true}, {"mobile_phone", true}, {"first_name", false}, {"", false}}
		for _, tc := range cases {
			if got := fe.Has(tc.field); got != tc.want {
				t.Errorf("Has(%q): got %v, want %v", tc.field, got, tc.want)
			}
		}
		if got, want := fe.Fields(), []string{"email", "mobile_phone"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Fields(): got %q, want %q", got, want)
		}
		if got, want := fe["email"], []string{"Enter an email in the correct format, like name@example.com", "This email is already used"}; !reflect.DeepEqual(got, want) {
			t.Errorf("messages keep their order: got %q, want %q", got, want)
		}
		want := "invalid input: email: Enter an email in the correct format, like name@example.com, This email is already used; mobile_phone: Enter a mobile phone like +1 415 555 0132, or a number of your country"
		if got := fe.Error(); got != want {
			t.Errorf("Error():\n got %q\nwant %q", got, want)
		}
		err := fe.Err()
		if err == nil {
			t.Fatalf("Err(): got nil, want an error")
		}
		var back models.FieldErrors
		if !errors.As(fmt.Errorf("saving profile: %w", err), &back) || !reflect.DeepEqual(back, fe) {
			t.Errorf("errors.As through a wrap: got %v", back)
		}
	})

	t.Run("merge", func(t *testing.T) {
		fe := models.FieldErrors{"email": {"first"}}
		fe.Merge(models.FieldErrors{"email": {"second"}, "phone": {"bad"}})
		fe.Merge(nil)
		want := models.FieldErrors{"email": {"first", "second"}, "phone": {"bad"}}
		if !reflect.DeepEqual(fe, want) {
			t.Errorf("Merge: got %v, want %v", fe, want)
		}
	})

	t.Run("not a sentinel", func(t *testing.T) {
		err := models.FieldErrors{"x": {"y"}}.Err()
		for _, sentinel := range []error{models.ErrNotFound, models.ErrConflict, models.ErrForbidden, models.ErrNoChanges, models.ErrSelf} {
			if errors.Is(err, sentinel) {
				t.Errorf("FieldErrors is %v", sentinel)
			}
		}
	})
}

// valueScansBack checks that in is stored as wantValue and that the value
// scans back into wantBack.
func valueScansBack[T driver.Valuer, P interface {
	*T
	sql.Scanner
}](t *testing.T, in T, wantValue string, wantBack T) {
	t.Helper()
	v, err := in.Value()
	if err != nil || v != wantValue {
		t.Fatalf("Value(): got (%v, %v), want (%q, nil)", v, err, wantValue)
	}
	scansBack[T, P](t, v, wantBack)
}

// scansBack checks that the stored value v, as a string and as bytes (the
// drivers give either), scans into want.
func scansBack[T any, P interface {
	*T
	sql.Scanner
}](t *testing.T, v driver.Value, want T) {
	t.Helper()
	for _, src := range []any{v, []byte(v.(string))} {
		var out T
		if err := P(&out).Scan(src); err != nil || !reflect.DeepEqual(out, want) {
			t.Errorf("Scan(%T %v): got (%+v, %v), want (%+v, nil)", src, src, out, err, want)
		}
	}
}
