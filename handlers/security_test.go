package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"myaccount/internal/testapp"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, path := range []string{"/login", "/account", "/account/profile/edit", "/nope", "/healthz", "/static/js/app.js"} {
		scenarios = append(scenarios, testapp.Scenario{Name: path, As: "guest", Path: path, Shared: true,
			Headers: map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Permissions-Policy": "*camera=()*"},
			After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				csp := res.Header.Get("Content-Security-Policy")
				for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("CSP: got %q, want %q in it", csp, want)
					}
				}
				if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
					t.Errorf("CSP allows unsafe sources: %q", csp)
				}
			}})
	}
	// No inline script or style anywhere in the pages.
	for _, path := range []string{"/account", "/account/profile/edit", "/account/password", "/account/email"} {
		scenarios = append(scenarios, testapp.Scenario{Name: path + " inline", As: "guest", Path: path, Shared: true,
			Absent:   []string{"script:not([src])", "style, [style]", "[hx-on], [onclick], [onload], [onsubmit]"},
			Contains: map[string][]string{`meta[name="htmx-config"]@content`: {`"allowEval":false`, `"includeIndicatorStyles":false`}}})
	}
	testapp.RunScenarios(t, scenarios)
}

func TestHSTSOnlyBehindHTTPS(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--base-url", "https://example.test")
	testapp.Scenario{Path: "/login", Headers: map[string]string{"Strict-Transport-Security": "*max-age=*"}}.Run(t, app)
}

func TestConfiguredBodyLimit(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--max-body-bytes", "4096")
	testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {strings.Repeat("a", 5000)}, "password": {"x"}},
		Status: http.StatusRequestEntityTooLarge}.Run(t, app)
}

func TestSignInRateLimits(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b, "--signin-rate-ip", "4", "--signin-rate-account", "2")
		c := app.Client(t)
		signIn := func(c *testapp.Client, login, password string, status int) *testapp.Response {
			return testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {login}, "password": {password}}, Status: status}.Send(t, c)
		}
		// Per account: the third attempt within the minute is refused, even
		// with the right password, before any password is checked.
		for range 2 {
			signIn(c, "demo.guest", "Wrong#2026", http.StatusUnprocessableEntity)
		}
		res := testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {"DEMO.GUEST"}, "password": {"Guest#2026"}},
			Status: http.StatusTooManyRequests, Contains: map[string][]string{"#login-error": {"Too many sign-in attempts"}}}.Send(t, c)
		secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 60 {
			t.Errorf("Retry-After: got %q", res.Header.Get("Retry-After"))
		}
		if u := app.User(t, "demo.guest"); u.FailedLoginCount != 2 {
			t.Errorf("failed count: got %d, want 2 (the refused attempt is not checked)", u.FailedLoginCount)
		}
		// Per address: the three attempts above took 3 of the address's 4;
		// one more account may be tried, then even a new one is refused.
		signIn(c, "nobody.1", "x", http.StatusUnprocessableEntity)
		signIn(c, "nobody.2", "x", http.StatusTooManyRequests)
		c2 := testapp.New(t, b, "--signin-rate-ip", "2", "--signin-rate-account", "100").Client(t)
		signIn(c2, "a.1", "x", http.StatusUnprocessableEntity)
		signIn(c2, "b.2", "x", http.StatusUnprocessableEntity)
		signIn(c2, "c.3", "x", http.StatusTooManyRequests)
		// htmx swaps the 429 form too.
		testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {"d.4"}, "password": {"x"}}, HTMX: true,
			Status: http.StatusTooManyRequests, Fragment: true}.Send(t, c2)
	})
}
