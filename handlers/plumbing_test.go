package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// postRoutes is every state-changing route with a form that would change
// something were it accepted, and who must be signed in for it.
var postRoutes = []struct {
	path     string
	signedIn bool
	form     url.Values
}{
	{"/login", false, url.Values{"login": {guestLogin}, "password": {guestPassword}}},
	{"/logout", true, url.Values{}},
	{"/account/profile", true, url.Values{"first_name": {"Mallory"}}},
	{"/account/password", true, url.Values{"current_password": {guestPassword}, "new_password": {"Fresh#Pass42"}, "confirm_password": {"Fresh#Pass42"}}},
	{"/account/password/check", true, url.Values{"new_password": {"Fresh#Pass42"}}},
	{"/account/email", true, url.Values{"new_email": {"mallory@example.com"}, "confirm_email": {"mallory@example.com"}, "current_password": {guestPassword}}},
}

// guestState is what a forged request could change about the demo guest.
type guestState struct {
	Version, FailedLogins     int
	Email, FirstName, Hash    string
	Sessions, Audit, AllAudit int64
}

func snapshotGuest(t *testing.T, app *testapp.App) guestState {
	t.Helper()
	u := app.User(t, guestLogin)
	s := guestState{Version: u.Version, FailedLogins: u.FailedLoginCount, Email: u.Email, FirstName: u.FirstName, Hash: u.PasswordHash}
	s.Sessions = countSessions(t, app, u.ID)
	s.Audit = int64(len(app.Audit(t, u.ID)))
	if err := app.DB.Model(&models.AuditEvent{}).Count(&s.AllAudit).Error; err != nil {
		t.Fatalf("count audit: %v", err)
	}
	return s
}

// Every POST refuses a request without the form's token, or with a token
// that is not the visitor's, and changes nothing.
func TestCSRFRefusesForgedPosts(t *testing.T) {
	tokens := []struct {
		name   string
		form   func(t *testing.T, app *testapp.App, c *testapp.Client) string // "" sends no _csrf field
		header http.Header
		title  string
	}{
		{"no token", func(*testing.T, *testapp.App, *testapp.Client) string { return "" }, nil, "This form has expired"},
		{"wrong token", func(*testing.T, *testapp.App, *testapp.Client) string { return "not-the-token" }, nil, "This form has expired"},
		{"wrong header token", func(*testing.T, *testapp.App, *testapp.Client) string { return "" }, http.Header{"X-Csrf-Token": {"not-the-token"}}, "This form has expired"},
		{"token of another visitor", func(t *testing.T, app *testapp.App, _ *testapp.Client) string { return app.Client(t).CSRF() }, nil, "This form has expired"},
		// What echo puts in forms for a request with fetch metadata is
		// not a token a request without it can use.
		{"fetch-metadata placeholder", func(*testing.T, *testapp.App, *testapp.Client) string { return "_echo_csrf_using_sec_fetch_site_" }, nil, "This form has expired"},
		{"cross-site with the right token", func(_ *testing.T, _ *testapp.App, c *testapp.Client) string { return c.CSRF() }, http.Header{"Sec-Fetch-Site": {"cross-site"}}, ""},
	}
	var before guestState
	var scenarios []testapp.Scenario
	for _, r := range postRoutes {
		for _, tok := range tokens {
			s := testapp.Scenario{Name: r.path + " " + tok.name, Method: http.MethodPost, Path: r.path, Header: tok.header, NoCSRF: true, Shared: true,
				Before: func(t *testing.T, app *testapp.App, c *testapp.Client) {
					c.CSRF() // the visitor has a token of their own
					before = snapshotGuest(t, app)
				},
				FormFunc: func(t *testing.T, app *testapp.App, c *testapp.Client) url.Values {
					form := url.Values{}
					for k, v := range r.form {
						form[k] = v
					}
					if v := tok.form(t, app, c); v != "" {
						form.Set("_csrf", v)
					}
					return form
				},
				Status: http.StatusForbidden, Count: map[string]int{"[data-testid=error-page]": 1},
				After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
					if after := snapshotGuest(t, app); after != before {
						t.Errorf("guest changed: got %+v, want %+v", after, before)
					}
					if r.signedIn {
						testapp.Want(t, res.Client.Get("/account"), http.StatusOK)
					} else {
						testapp.Want(t, res.Client.Get("/account"), http.StatusSeeOther)
					}
					app.DB.Where("1 = 1").Delete(&models.Session{})
				}}
			if r.signedIn {
				s.As = "guest"
			}
			if tok.title != "" {
				s.Text = map[string]string{"[data-testid=error-page] h1": tok.title}
			}
			scenarios = append(scenarios, s)
		}
	}
	testapp.RunScenarios(t, scenarios)
}

// htmx sends the token as the X-CSRF-Token header; that alone is enough.
func TestCSRFHeaderAloneForHTMX(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		// post sends form with the token in the header only, as htmx does.
		post := func(path string, form url.Values, status int) *testapp.Response {
			return testapp.Scenario{Method: http.MethodPost, Path: path, Form: form, HTMX: true, NoCSRF: true,
				Header: http.Header{"X-Csrf-Token": {c.CSRF()}}, Status: status}.Send(t, c)
		}
		res := post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}}, http.StatusOK)
		if got := res.Header.Get("HX-Redirect"); got != "/account" {
			t.Fatalf("HX-Redirect: got %q, want /account", got)
		}
		post("/account/password/check", url.Values{"new_password": {"abc"}}, http.StatusOK)
		post("/account/profile", url.Values{"first_name": {"Mara"}, "version": {version(t, app, guestLogin)}}, http.StatusOK)
		if got := app.User(t, guestLogin).FirstName; got != "Mara" {
			t.Errorf("first name: got %q, want Mara", got)
		}

		// The token the page's hx-headers carries is the one that works.
		testapp.Scenario{Path: "/account", Status: http.StatusOK, After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
			if hx, want := res.Doc(t).Find("body").AttrOr("hx-headers", ""), `{"X-CSRF-Token":"`+c.CSRF()+`"}`; hx != want {
				t.Errorf("body hx-headers: got %q, want %q", hx, want)
			}
		}}.Send(t, c)
	})
}

// Every account page sends a signed-out visitor to sign in: a browser with
// 303 (and back afterwards for a GET), htmx with 401 and HX-Redirect.
func TestAccountRoutesNeedSignIn(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, htmx := range []bool{false, true} {
		for _, tc := range []struct {
			method, path string
			form         url.Values
			want         string
		}{
			{http.MethodGet, "/account", nil, "/login?next=%2Faccount"},
			{http.MethodGet, "/account/profile/edit", nil, "/login?next=%2Faccount%2Fprofile%2Fedit"},
			{http.MethodGet, "/account/password", nil, "/login?next=%2Faccount%2Fpassword"},
			{http.MethodGet, "/account/email", nil, "/login?next=%2Faccount%2Femail"},
			{http.MethodGet, "/account/email?from=menu", nil, "/login?next=" + url.QueryEscape("/account/email?from=menu")},
			{http.MethodPost, "/account/profile", url.Values{"first_name": {"Mallory"}}, "/login"},
			{http.MethodPost, "/account/password", url.Values{"current_password": {"x"}}, "/login"},
			{http.MethodPost, "/account/password/check", url.Values{"new_password": {"x"}}, "/login"},
			{http.MethodPost, "/account/email", url.Values{"new_email": {"m@example.com"}}, "/login"},
		} {
			s := testapp.Scenario{Name: fmt.Sprintf("%s %s htmx=%v", tc.method, tc.path, htmx), Method: tc.method, Path: tc.path, Form: tc.form, HTMX: htmx, Shared: true,
				Status: http.StatusSeeOther, Headers: location(tc.want)}
			if htmx {
				s.Status, s.Headers = http.StatusUnauthorized, map[string]string{"HX-Redirect": tc.want}
			}
			scenarios = append(scenarios, s)
		}
	}
	testapp.RunScenarios(t, append(scenarios, testapp.Scenario{Name: "GET /", Path: "/", Shared: true,
		Status: http.StatusSeeOther, Headers: location("/account"),
		After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
			if got := app.User(t, guestLogin).FirstName; got == "Mallory" {
				t.Errorf("first name: got %q, want it unchanged", got)
			}
		}}))
}

// GET /healthz and /readyz — liveness always, readiness while the database answers.
func TestHealthAndReadiness(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		testapp.Want(t, c.Get("/healthz"), http.StatusOK)
		testapp.Want(t, c.Get("/readyz"), http.StatusOK)

		closeDB(t, app)
		testapp.Want(t, c.Get("/healthz"), http.StatusOK)
		res := c.Get("/readyz")
		testapp.Want(t, res, http.StatusServiceUnavailable)
		if strings.Contains(res.Body, "sql:") || strings.Contains(res.Body, "closed") {
			t.Errorf("/readyz body: got %q, want no internal error text", res.Body)
		}
	})
}

// Unknown addresses get the plain 404 page; under /account a signed-out
// visitor is sent to sign in first, as for any account page.
func TestNotFoundPage(t *testing.T) {
	notFound := func(name, as, path string) testapp.Scenario {
		return testapp.Scenario{Name: name, As: as, Path: path, Shared: true, Status: http.StatusNotFound,
			Count: map[string]int{"[data-testid=error-page]": 1}, Text: map[string]string{"[data-testid=error-page] h1": "Page not found"}}
	}
	testapp.RunScenarios(t, []testapp.Scenario{
		notFound("unknown page", "", "/no-such-page"),
		notFound("unknown page signed in", "guest", "/no-such-page"),
		notFound("unknown static file", "", "/static/no-such-file.css"),
		notFound("static root", "", "/static/"),
		notFound("unknown account page signed in", "guest", "/account/no-such-page"),
		{Name: "unknown account page signed out", Path: "/account/no-such-page", Shared: true, Status: http.StatusSeeOther, Headers: location("/login?next=*")},
	})
}

// Pages carry the security headers and say they vary with HX-Request.
func TestSecurityHeadersAndVary(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tc := range []struct {
		name, as string
		htmx     bool
		path     string
		status   int
		wantVary bool
	}{
		{"sign-in page", "", false, "/login", http.StatusOK, true},
		{"account page", "guest", false, "/account", http.StatusOK, true},
		{"profile form", "guest", false, "/account/profile/edit", http.StatusOK, true},
		{"htmx page", "guest", true, "/account/password", http.StatusOK, true},
		{"not found page", "", false, "/nowhere", http.StatusNotFound, true},
		{"redirect", "", false, "/account", http.StatusSeeOther, false},
		{"health check", "", false, "/healthz", http.StatusOK, false},
	} {
		s := testapp.Scenario{Name: tc.name, As: tc.as, Path: tc.path, HTMX: tc.htmx, Shared: true, Status: tc.status,
			// No Strict-Transport-Security over http.
			Headers: map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY", "Strict-Transport-Security": ""},
			After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				if tc.wantVary && !headerListHas(res.Header, "Vary", "HX-Request") {
					t.Errorf("Vary: got %q, want it to include HX-Request", res.Header.Values("Vary"))
				}
			}}
		if tc.status == http.StatusOK && tc.path != "/healthz" {
			s.Headers["Content-Type"] = "text/html*"
		}
		scenarios = append(scenarios, s)
	}
	testapp.RunScenarios(t, scenarios)
}

// GET /static/* — the versioned URL in the page is cached for a year;
// any other is cached briefly; unknown files are 404.
func TestStaticFiles(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		doc := c.Get("/login").Doc(t)
		cssURL := doc.Find(`link[rel=stylesheet]`).AttrOr("href", "")
		jsURL := doc.Find(`script[src*="htmx"]`).AttrOr("src", "")
		if !strings.HasPrefix(cssURL, "/static/") || !strings.Contains(cssURL, "?v=") {
			t.Fatalf("stylesheet href: got %q, want /static/…?v=…", cssURL)
		}
		if !strings.HasPrefix(jsURL, "/static/") || !strings.Contains(jsURL, "?v=") {
			t.Fatalf("htmx src: got %q, want /static/…?v=…", jsURL)
		}
		bare, _, _ := strings.Cut(cssURL, "?")

		tests := []struct {
			name      string
			path      string
			wantType  string
			immutable bool
		}{
			{"stylesheet as linked", cssURL, "text/css", true},
			{"htmx as linked", jsURL, "javascript", true},
			{"stylesheet without version", bare, "text/css", false},
			{"stylesheet with an old version", bare + "?v=000000000000", "text/css", false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := c.Get(tc.path)
				testapp.Want(t, res, http.StatusOK)
				if got := res.Header.Get("Content-Type"); !strings.Contains(got, tc.wantType) {
					t.Errorf("Content-Type: got %q, want %s", got, tc.wantType)
				}
				if len(res.Body) == 0 {
					t.Errorf("body: got empty, want the file")
				}
				if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options: got %q, want nosniff", got)
				}
				cc := res.Header.Get("Cache-Control")
				if got := strings.Contains(cc, "immutable"); got != tc.immutable {
					t.Errorf("Cache-Control %q: got immutable=%v, want %v", cc, got, tc.immutable)
				}
				age := maxAge(cc)
				if tc.immutable && age < 30*24*3600 {
					t.Errorf("Cache-Control %q: got max-age %d, want at least a month", cc, age)
				}
				if !tc.immutable && (age < 0 || age > 3600) {
					t.Errorf("Cache-Control %q: got max-age %d, want at most an hour", cc, age)
				}
			})
		}

		// A revalidation with the current ETag costs no body.
		first := c.Get(cssURL)
		etag := first.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("ETag: got none, want one")
		}
		res := c.Do(http.MethodGet, cssURL, nil, http.Header{"If-None-Match": {etag}})
		testapp.Want(t, res, http.StatusNotModified)
		if res.Body != "" {
			t.Errorf("304 body: got %d bytes, want none", len(res.Body))
		}

		for _, path := range []string{"/static/css/nope.css", "/static/css/nope.css?v=1", "/static/../go.mod", "/static/css/../../main.go"} {
			res := c.Get(path)
			testapp.Want(t, res, http.StatusNotFound)
		}
	})
}

// A body over the limit is refused with 413 and a plain page, before any
// handler reads it.
func TestBodyLimit(t *testing.T) {
	big := strings.Repeat("a", 2<<20)
	tooLarge := func(path string) testapp.Scenario {
		return testapp.Scenario{Name: path, Method: http.MethodPost, Path: path, Form: url.Values{"login": {big}, "first_name": {big}}, Shared: true,
			Status: http.StatusRequestEntityTooLarge, Count: map[string]int{"[data-testid=error-page]": 1},
			// The page does not echo what was sent.
			NotInBody: []string{"aaaaaaaa"}}
	}
	testapp.RunScenarios(t, []testapp.Scenario{tooLarge("/login"), tooLarge("/account/profile"), {
		// Just under the limit is handled normally.
		Name: "just under", Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {strings.Repeat("a", 900<<10)}, "password": {"x"}}, Shared: true,
		Status: http.StatusUnprocessableEntity,
		After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
			if got := app.Log.String(); strings.Contains(got, "level=ERROR") {
				t.Errorf("log: got an error, want none:\n%s", got)
			}
		}}})
}

// An unexpected failure shows the apology page, never the error, and logs it.
func TestUnexpectedErrorPage(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.ClientAs(t, "guest")
		testapp.Want(t, c.Get("/account"), http.StatusOK)
		closeDB(t, app)

		for _, htmx := range []bool{false, true} {
			testapp.Scenario{Name: fmt.Sprintf("htmx=%v", htmx), Path: "/account", HTMX: htmx, Status: http.StatusInternalServerError,
				Count: map[string]int{"[data-testid=error-page]": 1}, Text: map[string]string{"[data-testid=error-page] h1": "Sorry, there is a problem with the service"},
				// No internal detail.
				NotInBody: []string{"sql:", "database is closed", "goroutine ", ".go:", "session:", "panic"}}.Send(t, c)
		}
		logs := app.Log.String()
		failed := regexp.MustCompile(`level=ERROR msg="request failed" .*path=/account( |$)`)
		if !failed.MatchString(logs) {
			t.Errorf("log: got no ERROR \"request failed\" line with path=/account, want one:\n%s", logs)
		}
		if !strings.Contains(logs, "database is closed") {
			t.Errorf("log: got no cause, want the error (database is closed) logged")
		}
	})
}

// closeDB closes the application's database, as when the server goes away.
func closeDB(t *testing.T, app *testapp.App) {
	t.Helper()
	sqlDB, err := app.DB.DB()
	if err != nil {
		t.Fatalf("db: %v", err)
	}
	if err := sqlDB.Close(); err != nil {
		t.Fatalf("close db: %v", err)
	}
}

// headerListHas reports whether a comma-separated header lists want.
func headerListHas(h http.Header, name, want string) bool {
	for _, v := range h.Values(name) {
		for _, item := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(item), want) {
				return true
			}
		}
	}
	return false
}

// maxAge is the max-age of a Cache-Control value, or -1.
func maxAge(cc string) int {
	for _, d := range strings.Split(cc, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(d), "max-age="); ok {
			n, err := strconv.Atoi(v)
			if err == nil {
				return n
			}
		}
	}
	return -1
}
