package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"myaccount/internal/testapp"
)

// Browsers send Sec-Fetch-Site. It must not replace the token: pages still
// carry a real token, a same-origin POST still needs it, and a cross-site
// POST is refused even with it.
func TestCSRFWithFetchMetadata(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		res := c.Do(http.MethodGet, "/login", nil, http.Header{"Sec-Fetch-Site": {"none"}})
		testapp.Want(t, res, http.StatusOK)
		token, _ := res.Doc(t).Find(`input[name="_csrf"]`).Attr("value")
		if token == "" || token != c.CSRF() {
			t.Fatalf("form token with Sec-Fetch-Site: got %q, want the cookie's token %q", token, c.CSRF())
		}
		form := url.Values{"login": {"demo.guest"}, "password": {"Guest#2026"}}
		res = c.Do(http.MethodPost, "/login", form, http.Header{"Sec-Fetch-Site": {"same-origin"}})
		testapp.Want(t, res, http.StatusForbidden)

		withToken := url.Values{"_csrf": {token}, "login": {"demo.guest"}, "password": {"Guest#2026"}}
		res = c.Do(http.MethodPost, "/login", withToken, http.Header{"Sec-Fetch-Site": {"cross-site"}})
		testapp.Want(t, res, http.StatusForbidden)
		res = c.Do(http.MethodPost, "/login", withToken, http.Header{"Sec-Fetch-Site": {"same-origin"}})
		testapp.Want(t, res, http.StatusSeeOther)
	})
}
