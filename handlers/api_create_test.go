package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// createAs sends each call as a POST /api/v1/users with the key in h, as
// JSON unless it says otherwise; one that names no status must be refused
// as validation_failed.
func createAs(t *testing.T, c *testapp.Client, h http.Header, calls []apiCall) {
	t.Helper()
	for _, tc := range calls {
		tc.method, tc.path, tc.header = http.MethodPost, "/api/v1/users", h
		if tc.ctype == "" {
			tc.ctype = "json"
		}
		if tc.status == 0 {
			tc.status, tc.code = http.StatusUnprocessableEntity, "validation_failed"
		}
		tc.send(t, c)
	}
}

// A create takes what a till or a website sends with it (Sticky Street's
// record_customer: a phone, a postal code, custom fields): every field a
// key may change, by the same rules, set with the user and audited with
// its creation; a consent is audited on its own, as an edit's is.
func TestAPICreateWithProfile(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		key, row := newKey(t, app, "harbor", "Harbor website")
		c, h := app.Client(t), bearerHeader(key)
		createAs(t, c, h, []apiCall{
			{name: "JSON", body: newMember("tide.pool", map[string]any{"phone": "+14155550111", "postal_code": "30097", "city": "Savannah",
				"birthday": "30/01/1990", "birthday_field_format": "DD/MM/YYYY", "mailing_list_subscribed": true, "external_id": "pos-77",
				"job_title": "Chef", "custom_fields": map[string]any{"favourite_drink": "Tea", "first_visit": "2025-06-01"}}),
				status: http.StatusCreated, user: func(t *testing.T, u map[string]any) {
					userHas(map[string]any{"phone": "+14155550111", "postal_code": "30097", "city": "Savannah", "birthday": "1990-01-30",
						"mailing_list_subscribed": true, "external_id": "pos-77", "job_title": "Chef", "status": "ACTIVE"})(t, u)
					customFieldsAre(map[string]any{"favourite_drink": "Tea", "first_visit": "2025-06-01"})(t, u)
				}},
			{name: "a form", ctype: "form", body: url.Values{"username": {"sand.dune"}, "password": {"Sandbar#Kite-4821"}, "first_name": {"Ana"},
				"last_name": {"Silva"}, "phone": {"+14155550112"}, "postal_code": {"31401"}, "custom_fields[favourite_drink]": {"Latte"}},
				status: http.StatusCreated, user: func(t *testing.T, u map[string]any) {
					userHas(map[string]any{"phone": "+14155550112", "postal_code": "31401"})(t, u)
					customFieldsAre(map[string]any{"favourite_drink": "Latte"})(t, u)
				}},
			{name: "multipart", ctype: "multipart", body: url.Values{"username": {"sea.glass"}, "password": {"Sandbar#Kite-4821"}, "first_name": {"Ana"},
				"last_name": {"Silva"}, "postal_code": {"31402"}, "custom_fields[first_visit]": {"2024-02-29"}, "card_number_generate": {"12"}},
				status: http.StatusCreated, user: func(t *testing.T, u map[string]any) {
					userHas(map[string]any{"postal_code": "31402"})(t, u)
					customFieldsAre(map[string]any{"first_visit": "2024-02-29"})(t, u)
					if n, _ := u["card_number"].(string); len(n) != 12 {
						t.Errorf("card_number: got %q, want 12 digits", n)
					}
				}},
		})
		u := app.User(t, "tide.pool")
		if u.PostalCode != "30097" || u.Phone != "+14155550111" || u.CustomFields["favourite_drink"] != "Tea" || u.ProgrammeJoinedAt != nil || !u.MailingListSubscribed {
			t.Errorf("stored: %+v", u)
		}
		evs := app.Audit(t, u.ID)
		var created *models.AuditEvent
		for i := range evs {
			if evs[i].Action == models.ActionCreated {
				created = &evs[i]
			}
		}
		if created == nil || created.ActorKeyID == nil || *created.ActorKeyID != row.ID ||
			!slices.ContainsFunc(created.Changes, func(ch models.Change) bool { return ch.Field == "postal_code" && ch.New == "30097" }) ||
			!slices.ContainsFunc(created.Changes, func(ch models.Change) bool { return ch.Field == "custom_favourite_drink" && ch.New == "Tea" }) {
			t.Errorf("creation audited: got %+v, want the key and the profile fields set", created)
		}
		if n := auditCounts(t, app, u.ID)[models.ActionConsentGiven]; n != 1 {
			t.Errorf("consents given audited: got %d, want 1", n)
		}
	})
}

// A create's refusals come under the names the request used, with the
// messages of an edit: nothing is created.
func TestAPICreateRefusals(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		key, _ := newKey(t, app, "sandpiper", "Website")
		c, h := app.Client(t), bearerHeader(key)
		guest := app.User(t, guestLogin)
		createAs(t, c, h, []apiCall{
			{name: "a length not offered", off: true, body: newMember("x.one", map[string]any{"card_number_generate": 7}),
				fields: map[string]string{"card_number_generate": "Choose a length from the list"}},
			{name: "a length that is no number, in a form", off: true, ctype: "form", body: form("username", "x.two", "password", "Sandbar#Kite-4821",
				"first_name", "A", "last_name", "B", "member_number_generate", "ten"), fields: map[string]string{"member_number_generate": "Choose a length from the list"}},
			{name: "typed and generated", body: newMember("x.three", map[string]any{"card_number": "60001234", "card_number_generate": 16}),
				fields: map[string]string{"card_number": "Either type a number or generate one, not both"}},
			{name: "what a new user does not take", off: true, body: newMember("x.four", map[string]any{"status": "LOCKED", "version": 3, "points_balance": 10}),
				fields: map[string]string{"status": "cannot be set here", "version": "cannot be set here", "points_balance": "cannot be changed here"}},
			{name: "the profile's rules", body: newMember("x.five", map[string]any{"mobile_phone": "12", "postal_code": "!", "birthday": "1990-02-30"}),
				fields: map[string]string{"mobile_phone": "Enter a mobile phone like", "postal_code": "Postal code must only include",
					"birthday": "Birthday must be a real date"}},
			{name: "the merchant's unique mobile", body: newMember("x.five", map[string]any{"mobile_phone": guest.Mobile}),
				fields: map[string]string{"mobile_phone": "Another account already uses this mobile phone number"}},
			{name: "unique on request", body: newMember("x.six", map[string]any{"external_id": guest.ExternalID, "enforce_unique_fields": []any{"external_id"}}),
				fields: map[string]string{"external_id": "Another account already has this external id"}},
			{name: "no custom fields here", body: newMember("x.seven", map[string]any{"custom_fields": map[string]any{"favourite_drink": "Tea"}}),
				fields: map[string]string{"custom_fields.favourite_drink": "Unknown custom field"}},
			{name: "not text", off: true, body: newMember("x.eight", map[string]any{"first_name": true, "city": 5, "invite": "maybe"}),
				fields: map[string]string{"first_name": "first_name must be text", "city": "Town or city must be text", "invite": "invite must be true or false"}},
			{name: "sent twice", off: true, ctype: "form", body: form("username", "x.nine", "username", "x.ten", "password", "Sandbar#Kite-4821", "first_name", "A",
				"last_name", "B", "city", "A", "city", "B"), fields: map[string]string{"username": "username is sent more than once", "city": "city is sent more than once"}},
		})
		var n int64
		app.DB.Model(&models.User{}).Where("username LIKE ?", "x.%").Count(&n)
		if n != 0 {
			t.Errorf("refused creates made %d users", n)
		}
		// Harbor's custom fields are checked by their types, named by key.
		harborKey, _ := newKey(t, app, "harbor", "Harbor till")
		createAs(t, c, bearerHeader(harborKey), []apiCall{
			{name: "a custom field its type refuses", body: newMember("x.eleven", map[string]any{"custom_fields": map[string]any{"first_visit": "2025-13-01"}}),
				fields: map[string]string{"custom_fields.first_visit": "First visit must be a real date"}},
		})
	})
}
