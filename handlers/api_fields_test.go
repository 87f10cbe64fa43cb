package handlers_test

import (
	"net/http"
	"reflect"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// patchAs sends each call as a PATCH of path with the key in h, as JSON
// unless it says otherwise.
func patchAs(t *testing.T, c *testapp.Client, path string, h http.Header, calls []apiCall) {
	t.Helper()
	for _, tc := range calls {
		tc.method, tc.path = http.MethodPatch, path
		if tc.ctype == "" {
			tc.ctype = "json"
		}
		if tc.header == nil {
			tc.header = http.Header{}
		}
		tc.header["Authorization"] = h["Authorization"]
		tc.send(t, c)
	}
}

// customFieldsAre checks the answer's custom_fields.
func customFieldsAre(want map[string]any) func(*testing.T, map[string]any) {
	return func(t *testing.T, u map[string]any) {
		t.Helper()
		if got, _ := u["custom_fields"].(map[string]any); !reflect.DeepEqual(got, want) {
			t.Errorf("custom_fields: got %v, want %v", got, want)
		}
	}
}

// Harbor Coffee's custom fields are written through the API by their key,
// in JSON, urlencoded and multipart bodies, each checked by its type; a
// refusal names the field as the request did: custom_fields.<key>.
func TestAPICustomFields(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		key, _ := newKey(t, app, "harbor", "Harbor till")
		guest := someGuestOf(t, app, "harbor")
		c, h := app.Client(t), bearerHeader(key)
		path := "/api/v1/users/" + guest.ID
		patchAs(t, c, path, h, []apiCall{
			{name: "JSON", body: map[string]any{"custom_fields": map[string]any{"favourite_drink": "Latte", "first_visit": "2025-06-01"}},
				status: http.StatusOK, user: customFieldsAre(map[string]any{"favourite_drink": "Latte", "first_visit": "2025-06-01"})},
			{name: "a form", ctype: "form", body: form("custom_fields[favourite_drink]", "Tea"),
				status: http.StatusOK, user: customFieldsAre(map[string]any{"favourite_drink": "Tea", "first_visit": "2025-06-01"})},
			{name: "multipart", ctype: "multipart", body: form("custom_fields[first_visit]", "2024-02-29"),
				status: http.StatusOK, user: customFieldsAre(map[string]any{"favourite_drink": "Tea", "first_visit": "2024-02-29"})},
			{name: "null clears", body: map[string]any{"custom_fields": map[string]any{"favourite_drink": nil}},
				status: http.StatusOK, user: customFieldsAre(map[string]any{"first_visit": "2024-02-29"})},
		})
		if got := app.User(t, guest.Username).CustomFields; len(got) != 1 || got["first_visit"] != "2024-02-29" {
			t.Errorf("stored custom fields: got %v", got)
		}
		v := app.User(t, guest.Username).Version
		patchAs(t, c, path, h, []apiCall{
			{name: "values their types refuse", body: map[string]any{"custom_fields": map[string]any{"favourite_drink": "Whisky", "first_visit": "01/06/2025"}},
				status: http.StatusUnprocessableEntity, fields: map[string]string{
					"custom_fields.favourite_drink": "Select favourite drink from the list",
					"custom_fields.first_visit":     "First visit must be a real date, like 1986-01-30"}},
			{name: "in a form too", ctype: "form", body: form("custom_fields[first_visit]", "tomorrow"),
				status: http.StatusUnprocessableEntity, fields: map[string]string{"custom_fields.first_visit": "First visit must be a real date"}},
			{name: "a number", off: true, body: map[string]any{"custom_fields": map[string]any{"favourite_drink": 5}},
				status: http.StatusUnprocessableEntity, fields: map[string]string{"custom_fields.favourite_drink": "must be text"}},
			{name: "sent twice in a form", off: true, ctype: "form", body: form("custom_fields[favourite_drink]", "Tea", "custom_fields[favourite_drink]", "Latte"),
				status: http.StatusUnprocessableEntity, fields: map[string]string{"custom_fields.favourite_drink": "sent more than once"}},
			{name: "by its form name", off: true, body: map[string]any{"custom_favourite_drink": "Tea"},
				status: http.StatusUnprocessableEntity, fields: map[string]string{"custom_favourite_drink": "cannot be changed here"}},
		})
		if after := app.User(t, guest.Username); after.Version != v {
			t.Errorf("refused edits changed the record: version %d → %d", v, after.Version)
		}
	})
}

// A text field takes a JSON string or null, as the document says: true,
// false, a number, a list or an object is refused with a field error,
// never stored as its text. A yes-or-no field takes true or false. In a
// form, a name sent twice is refused, not read as its first value; only a
// list (enforce_unique_fields) may repeat.
func TestAPIValueTypes(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		key, _ := newKey(t, app, "sandpiper", "CRM")
		guest := app.User(t, guestLogin)
		c, h := app.Client(t), bearerHeader(key)
		path := "/api/v1/users/" + guest.ID
		patchAs(t, c, path, h, []apiCall{
			{name: "not text", off: true, body: map[string]any{"city": true, "postal_code": 30097, "first_name": []any{"Maya"}, "job_title": map[string]any{},
				"mailing_list_subscribed": 1, "birthday_field_format": 5, "birthday": "30/01/1986"},
				status: http.StatusUnprocessableEntity, fields: map[string]string{
					"city": "Town or city must be text", "postal_code": "Postal code must be text", "first_name": "First name must be text",
					"job_title": "Job title must be text", "mailing_list_subscribed": "must be true or false", "birthday_field_format": "must be text",
					"birthday": "Birthday must be a real date"}},
			{name: "sent twice in a form", off: true, ctype: "form", body: form("city", "Savannah", "city", "Tybee Island"),
				status: http.StatusUnprocessableEntity, fields: map[string]string{"city": "city is sent more than once"}},
			{name: "sent twice in multipart", off: true, ctype: "multipart", body: form("status", models.StatusActive, "status", models.StatusLocked),
				status: http.StatusUnprocessableEntity, fields: map[string]string{"status": "status is sent more than once"}},
		})
		after := app.User(t, guestLogin)
		if after.Version != guest.Version || after.City != guest.City || after.PostalCode != guest.PostalCode || after.Status != models.StatusActive {
			t.Fatalf("refused values were stored: %+v", after)
		}
		patchAs(t, c, path, h, []apiCall{
			{name: "true and false, and a number for the version", body: map[string]any{"mailing_list_subscribed": false, "opt_in_secondary": true, "version": guest.Version},
				status: http.StatusOK, user: userHas(map[string]any{"mailing_list_subscribed": false, "opt_in_secondary": true})},
			{name: "a list repeated in a form", ctype: "form", body: form("external_id", "pos-1", "enforce_unique_fields", "external_id", "enforce_unique_fields", "email"),
				status: http.StatusOK, user: userHas(map[string]any{"external_id": "pos-1"})},
		})
	})
}

// A lookup parameter sent twice is a bad request, not a lookup by its
// first value.
func TestAPILookupOnce(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"})
	key, _ := newKey(t, app, "sandpiper", "CRM")
	c := app.Client(t)
	for _, q := range []string{"username=demo.guest&username=demo.admin", "username=demo.guest&username=demo.guest", "email=demo.guest@example.com&email="} {
		apiCall{name: q, off: true, path: "/api/v1/users?" + q, header: bearerHeader(key), status: http.StatusBadRequest, code: "bad_request",
			message: "sent once"}.send(t, c)
	}
}
