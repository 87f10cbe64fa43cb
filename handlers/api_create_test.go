package handlers_test

import (
	"net/http"
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

// A create's refusals come under the names the request used: nothing is
// created.
func TestAPICreateRefusals(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		key, _ := newKey(t, app, "sandpiper", "Website")
		c, h := app.Client(t), bearerHeader(key)
		createAs(t, c, h, []apiCall{
			{name: "a length not offered", off: true, body: newMember("x.one", map[string]any{"card_number_generate": 7}),
				fields: map[string]string{"card_number_generate": "Choose a length from the list"}},
			{name: "a length that is no number, in a form", off: true, ctype: "form", body: form("username", "x.two", "password", "Sandbar#Kite-4821",
				"first_name", "A", "last_name", "B", "member_number_generate", "ten"), fields: map[string]string{"member_number_generate": "Choose a length from the list"}},
			{name: "typed and generated", body: newMember("x.three", map[string]any{"card_number": "60001234", "card_number_generate": 16}),
				fields: map[string]string{"card_number": "Either type a number or generate one, not both"}},
		})
		var n int64
		app.DB.Model(&models.User{}).Where("username LIKE ?", "x.%").Count(&n)
		if n != 0 {
			t.Errorf("refused creates made %d users", n)
		}
	})
}
