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
		c := testapp.New(t, b).Client(t)
		site := func(s string) http.Header { return http.Header{"Sec-Fetch-Site": {s}} }
		res := testapp.Scenario{Path: "/login", Header: site("none"), Status: http.StatusOK}.Send(t, c)
		token, _ := res.Doc(t).Find(`input[name="_csrf"]`).Attr("value")
		if token == "" || token != c.CSRF() {
			t.Fatalf("form token with Sec-Fetch-Site: got %q, want the cookie's token %q", token, c.CSRF())
		}
		signIn := url.Values{"login": {"demo.guest"}, "password": {"Guest#2026"}}
		testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: signIn, NoCSRF: true, Header: site("same-origin"), Status: http.StatusForbidden}.Send(t, c)
		testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: signIn, Header: site("cross-site"), Status: http.StatusForbidden}.Send(t, c)
		testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: signIn, Header: site("same-origin"), Status: http.StatusSeeOther}.Send(t, c)
	})
}
