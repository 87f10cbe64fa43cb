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
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		for _, path := range []string{"/login", "/account", "/account/profile/edit", "/nope", "/healthz", "/static/js/app.js"} {
			res := c.Get(path)
			csp := res.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s CSP: got %q, want %q in it", path, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("%s CSP allows unsafe sources: %q", path, csp)
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
				if got := res.Header.Get(h); got != want {
					t.Errorf("%s %s: got %q, want %q", path, h, got, want)
				}
			}
			if !strings.Contains(res.Header.Get("Permissions-Policy"), "camera=()") {
				t.Errorf("%s Permissions-Policy: got %q", path, res.Header.Get("Permissions-Policy"))
			}
		}
		// No inline script or style anywhere in the pages.
		for _, path := range []string{"/account", "/account/profile/edit", "/account/password", "/account/email"} {
			doc := c.Get(path).Doc(t)
			if n := doc.Find("script:not([src])").Length(); n != 0 {
				t.Errorf("%s: %d inline scripts", path, n)
			}
			if n := doc.Find("style, [style]").Length(); n != 0 {
				t.Errorf("%s: %d inline styles", path, n)
			}
			if n := doc.Find("[hx-on], [onclick], [onload], [onsubmit]").Length(); n != 0 {
				t.Errorf("%s: %d inline event handlers", path, n)
			}
			cfg, _ := doc.Find(`meta[name="htmx-config"]`).Attr("content")
			if !strings.Contains(cfg, `"allowEval":false`) || !strings.Contains(cfg, `"includeIndicatorStyles":false`) {
				t.Errorf("%s htmx config: got %q", path, cfg)
			}
		}
	})
}

func TestHSTSOnlyBehindHTTPS(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--base-url", "https://example.test")
	res := app.Client(t).Get("/login")
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("HSTS behind https: got %q", hsts)
	}
}

func TestConfiguredBodyLimit(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--max-body-bytes", "4096")
	c := app.Client(t)
	res := c.Post("/login", url.Values{"login": {strings.Repeat("a", 5000)}, "password": {"x"}})
	testapp.Want(t, res, http.StatusRequestEntityTooLarge)
}

func TestSignInRateLimits(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b, "--signin-rate-ip", "4", "--signin-rate-account", "2")
		c := app.Client(t)
		// Per account: the third attempt within the minute is refused, even
		// with the right password, before any password is checked.
		for i := range 2 {
			res := c.Post("/login", url.Values{"login": {"demo.guest"}, "password": {"Wrong#2026"}})
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			_ = i
		}
		res := c.Post("/login", url.Values{"login": {"DEMO.GUEST"}, "password": {"Guest#2026"}})
		testapp.Want(t, res, http.StatusTooManyRequests)
		secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 60 {
			t.Errorf("Retry-After: got %q", res.Header.Get("Retry-After"))
		}
		if msg := res.Doc(t).Find("#login-error").Text(); !strings.Contains(msg, "Too many sign-in attempts") {
			t.Errorf("message: got %q", msg)
		}
		if u := app.User(t, "demo.guest"); u.FailedLoginCount != 2 {
			t.Errorf("failed count: got %d, want 2 (the refused attempt is not checked)", u.FailedLoginCount)
		}
		// Per address: the three attempts above took 3 of the address's 4;
		// one more account may be tried, then even a new one is refused.
		testapp.Want(t, c.Post("/login", url.Values{"login": {"nobody.1"}, "password": {"x"}}), http.StatusUnprocessableEntity)
		testapp.Want(t, c.Post("/login", url.Values{"login": {"nobody.2"}, "password": {"x"}}), http.StatusTooManyRequests)
		app2 := testapp.New(t, b, "--signin-rate-ip", "2", "--signin-rate-account", "100")
		c2 := app2.Client(t)
		testapp.Want(t, c2.Post("/login", url.Values{"login": {"a.1"}, "password": {"x"}}), http.StatusUnprocessableEntity)
		testapp.Want(t, c2.Post("/login", url.Values{"login": {"b.2"}, "password": {"x"}}), http.StatusUnprocessableEntity)
		testapp.Want(t, c2.Post("/login", url.Values{"login": {"c.3"}, "password": {"x"}}), http.StatusTooManyRequests)
		// htmx swaps the 429 form too.
		c2.HTMX = true
		res = c2.Post("/login", url.Values{"login": {"d.4"}, "password": {"x"}})
		testapp.Want(t, res, http.StatusTooManyRequests)
		if strings.Contains(res.Body, "<html") {
			t.Errorf("htmx 429: got a full page, want the form fragment")
		}
	})
}
