package handlers_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// notText are values no person types: PostgreSQL refuses them in text.
var notText = map[string]string{
	"NUL":             "demo\x00guest",
	"invalid UTF-8":   "demo\xffguest",
	"lone surrogate":  "demo\xed\xa0\x80guest",
	"overlong UTF-8":  "\xc0\xaf",
	"truncated UTF-8": "caf\xc3",
}

// overlong are values far longer than any field takes, but still text.
var overlong = map[string]string{
	"100,000 letters": strings.Repeat("a", 100_000),
	"20,000 words":    strings.Repeat("ab ", 20_000),
	"5,000 emoji":     strings.Repeat("😀", 5_000),
}

// edgeParams are the names the pages read from a query string or a form,
// plus one no page knows.
func edgeParams(m *models.Merchant) []string {
	names := []string{
		"q", "status", "role", "sort", "dir", "after", "before", "actor", "subject", "action", "from", "to", "next",
		"login", "password", "current_password", "new_password", "confirm_password", "new_email", "confirm_email",
		"version", "original", "username", "email", "roles", "member_number", "card_number", "generate_member", "generate_card",
		"_shown", "unknown_field",
	}
	for _, f := range models.AdminProfileFields(m) {
		names = append(names, f.Name)
	}
	for _, n := range models.SettingsNumbers() {
		names = append(names, n.Name)
	}
	return names
}

// edgeRoute is a route of the app with its parameters filled in, and who
// must be signed in to get past the door.
type edgeRoute struct {
	method, path, who string
}

// everyRoute lists every route the app has registered, with :id filled in
// by a user of the admin's merchant (or a session id), so a test covers
// routes added later without being told.
func everyRoute(t *testing.T, app *testapp.App, userID string) []edgeRoute {
	t.Helper()
	var out []edgeRoute
	seen := map[string]bool{}
	for _, r := range app.Echo.Routes() {
		if strings.Contains(r.Path, "*") && r.Path != "/static/*" {
			continue // not-found catch-alls
		}
		path := r.Path
		switch {
		case path == "/static/*":
			path = "/static/css/app.css"
		case strings.HasPrefix(path, "/account/sessions/:id"):
			path = strings.Replace(path, ":id", "0123456789abcdef", 1)
		default:
			path = strings.Replace(path, ":id", userID, 1)
		}
		who := ""
		switch {
		case strings.HasPrefix(path, "/admin"):
			who = "admin"
		case strings.HasPrefix(path, "/account"):
			who = "guest"
		case strings.HasPrefix(path, "/api/v1/users"):
			who = "api-key"
		case strings.HasPrefix(path, "/api/v1/me"):
			who = "api-guest"
		}
		if key := r.Method + " " + path; !seen[key] {
			seen[key] = true
			out = append(out, edgeRoute{r.Method, path, who})
		}
	}
	if len(out) < 30 {
		t.Fatalf("routes: got %d, want every route of the app (30 or more)", len(out))
	}
	return out
}

// edgeClient is a client signed in as who, with the demo accounts made
// usable again first: a test that sends wrong passwords must not lock
// them for the next request.
func edgeClient(t *testing.T, app *testapp.App, who string) *testapp.Client {
	t.Helper()
	app.DB.Exec("UPDATE users SET failed_login_count = 0, status = ?, locked_at = NULL, must_change_password = ? WHERE username IN ('demo.guest', 'demo.admin')",
		models.StatusActive, false)
	c := app.Client(t)
	switch who {
	case "guest":
		c.SignInGuest()
	case "admin":
		c.SignIn("demo.admin", "Admin#2026")
	case "api-key":
		c.Header = http.Header{"Authorization": {"Bearer " + app.DemoAPIKey}}
	case "api-guest":
		c.SignInGuest()
		c.Header = http.Header{"X-Csrf-Token": {c.CSRF()}}
	}
	return c
}

// Every route, with NUL bytes, invalid UTF-8 and overlong values in every
// parameter a page reads, from the query string and from a form body:
// never a server error, and input that cannot be text is refused at the
// edge with 400 before any handler or the database sees it.
func TestBadBytesStopAtTheEdge(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		target := activeUserOf(t, app, "sandpiper")
		params := edgeParams(app.Merchant(t, "sandpiper"))
		for _, r := range everyRoute(t, app, target.ID) {
			for name, v := range notText {
				c := edgeClient(t, app, r.who)
				query := url.Values{}
				for _, p := range params {
					query.Set(p, v)
				}
				res := c.Do(r.method, r.path+"?"+query.Encode(), nil, nil)
				if res.StatusCode != http.StatusBadRequest {
					t.Errorf("%s %s with %s in the query: got %d, want 400", r.method, r.path, name, res.StatusCode)
				}
				// One bad key is enough, too.
				res = c.Do(r.method, r.path+"?"+url.QueryEscape("q"+v)+"=x", nil, nil)
				if res.StatusCode != http.StatusBadRequest {
					t.Errorf("%s %s with %s in a query key: got %d, want 400", r.method, r.path, name, res.StatusCode)
				}
				if r.method != http.MethodPost {
					continue
				}
				for _, p := range params {
					res := c.Post(r.path, url.Values{p: {v}})
					if res.StatusCode != http.StatusBadRequest {
						t.Errorf("POST %s with %s in %s: got %d, want 400", r.path, name, p, res.StatusCode)
					}
				}
			}
			for name, v := range overlong {
				c := edgeClient(t, app, r.who)
				query := url.Values{}
				for _, p := range []string{"q", "status", "role", "actor", "subject", "action", "from", "to", "next", "after", "before", "sort"} {
					query.Set(p, v[:min(len(v), 2000)])
				}
				if res := c.Do(r.method, r.path+"?"+query.Encode(), nil, nil); res.StatusCode >= 500 {
					t.Errorf("%s %s with %s in the query: got %d, want no server error", r.method, r.path, name, res.StatusCode)
				}
				if r.method != http.MethodPost {
					continue
				}
				form := url.Values{}
				for _, p := range params {
					form.Set(p, v)
				}
				if res := c.Post(r.path, form); res.StatusCode >= 500 {
					t.Errorf("POST %s with %s in every field: got %d, want no server error", r.path, name, res.StatusCode)
				}
			}
		}
		if strings.Contains(app.Log.String(), "level=ERROR") {
			t.Errorf("an error was logged:\n%s", errorLines(app.Log.String()))
		}
	})
}

// Which refusal comes back: the 400 page says what was wrong.
func TestNotTextPage(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "a NUL in the login", Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {"demo\x00guest"}, "password": {"x"}},
		Status: http.StatusBadRequest, Count: map[string]int{`[data-testid="error-page"]`: 1}, Text: map[string]string{"h1": "What you sent is not text"},
		After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
			if n := auditCounts(t, app, app.User(t, guestLogin).ID)[models.ActionSignInFailed]; n != 0 {
				t.Errorf("failed sign-ins recorded: got %d, want 0", n)
			}
		},
	}})
}

// A form is read from the body only: a login, password or CSRF token in
// the query string of a POST is not taken.
func TestFormsReadOnlyTheBody(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)

		c := app.Client(t)
		q := url.Values{"login": {guestLogin}, "password": {guestPassword}}
		testapp.Scenario{Method: http.MethodPost, Path: "/login?" + q.Encode(), Form: url.Values{},
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"login": msgEnterLogin}}.Send(t, c)
		if n := countSessions(t, app, guest.ID); n != 0 {
			t.Errorf("sessions of the guest: got %d, want 0", n)
		}

		// The token in the query string alone is a missing token.
		testapp.Scenario{Method: http.MethodPost, Path: "/login?_csrf=" + url.QueryEscape(c.CSRF()), Form: q, NoCSRF: true, Status: http.StatusForbidden}.Send(t, c)
		if n := countSessions(t, app, guest.ID); n != 0 {
			t.Errorf("sessions of the guest after a token in the query: got %d, want 0", n)
		}

		// A signed-in profile post takes its fields from the body only.
		c.SignInGuest()
		before := app.User(t, guestLogin)
		testapp.Want(t, c.Post("/account/profile?city=Query+Town&first_name=Query", profileForm(t, c)), http.StatusSeeOther)
		if after := app.User(t, guestLogin); after.City != before.City || after.FirstName != before.FirstName {
			t.Errorf("query values saved: city %q → %q, first name %q → %q", before.City, after.City, before.FirstName, after.FirstName)
		}
	})
}

// A body that is not a form gets 415 on every page that takes a POST, and
// nothing changes.
func TestPagesTakeOnlyForms(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		before := app.User(t, guestLogin)
		for _, ct := range []string{"application/json", "text/plain", "application/xml", "nonsense"} {
			body := `{"city":"Json Town","mailing_list_subscribed":false,"_csrf":"` + c.CSRF() + `"}`
			req, _ := http.NewRequest(http.MethodPost, app.URL+"/account/profile", strings.NewReader(body))
			req.Header.Set("Content-Type", ct)
			req.Header.Set("X-CSRF-Token", c.CSRF())
			res := c.Send(req)
			if res.StatusCode != http.StatusUnsupportedMediaType {
				t.Errorf("POST /account/profile as %s: got %d, want 415", ct, res.StatusCode)
			}
		}
		after := app.User(t, guestLogin)
		if after.Version != before.Version || after.MailingListSubscribed != before.MailingListSubscribed {
			t.Errorf("the profile changed: version %d → %d", before.Version, after.Version)
		}

		// A multipart form is a form.
		d := app.Client(t)
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("_csrf", d.CSRF())
		_ = w.WriteField("login", guestLogin)
		_ = w.WriteField("password", guestPassword)
		_ = w.Close()
		req, _ := http.NewRequest(http.MethodPost, app.URL+"/login", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		testapp.Want(t, d.Send(req), http.StatusSeeOther)
	})
}

// HEAD answers on every GET route as GET does, without a body: health
// checks and monitors use it.
func TestHeadOnEveryGetRoute(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		target := activeUserOf(t, app, "sandpiper")
		n := 0
		for _, r := range everyRoute(t, app, target.ID) {
			if r.method != http.MethodGet {
				continue
			}
			n++
			c := edgeClient(t, app, r.who)
			get := c.Get(r.path)
			head := c.Do(http.MethodHead, r.path, nil, nil)
			if head.StatusCode != get.StatusCode {
				t.Errorf("HEAD %s: got %d, want %d as GET", r.path, head.StatusCode, get.StatusCode)
			}
			if head.Body != "" {
				t.Errorf("HEAD %s: got a body of %d bytes, want none", r.path, len(head.Body))
			}
			if got, want := head.Header.Get("Content-Type"), get.Header.Get("Content-Type"); got != want {
				t.Errorf("HEAD %s: got Content-Type %q, want %q", r.path, got, want)
			}
		}
		for _, path := range []string{"/healthz", "/readyz", "/login"} {
			res := app.Client(t).Do(http.MethodHead, path, nil, nil)
			testapp.Want(t, res, http.StatusOK)
		}
		if n < 15 {
			t.Errorf("GET routes: got %d, want every one", n)
		}
		// HEAD is not a way around a POST-only route.
		testapp.Want(t, edgeClient(t, app, "guest").Do(http.MethodHead, "/logout", nil, nil), http.StatusNotFound)
	})
}

// A chunked body over --max-body-bytes gets 413, as one that says its
// length does.
func TestChunkedBodyOverLimit(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--max-body-bytes", "4096")
	c := app.Client(t)
	body := "_csrf=" + url.QueryEscape(c.CSRF()) + "&login=demo.guest&password=" + strings.Repeat("x", 8000)
	for _, chunked := range []bool{false, true} {
		var r io.Reader = strings.NewReader(body)
		if chunked {
			r = io.MultiReader(r) // no length known: sent chunked
		}
		req, _ := http.NewRequest(http.MethodPost, app.URL+"/login", r)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res := c.Send(req)
		if chunked && len(res.TransferEncoding) == 0 && res.Request.ContentLength > 0 {
			t.Fatalf("the request was not sent chunked")
		}
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked=%v: got %d, want 413", chunked, res.StatusCode)
		}
	}
}

// A next path with letters outside ASCII is percent-encoded in Location.
func TestNonASCIINextIsEncoded(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		c := testapp.New(t, b).Client(t)
		testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {guestLogin}, "password": {guestPassword}, "next": {"/account/café?x=ü ö"}},
			Status: http.StatusSeeOther, Headers: location("/account/caf%C3%A9?x=%C3%BC%20%C3%B6")}.Send(t, c)
		testapp.Scenario{Name: "when signed in", Path: "/login?next=" + url.QueryEscape("/account/é"), Status: http.StatusSeeOther, Headers: location("/account/%C3%A9")}.Send(t, c)
	})
}

func errorLines(log string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A User-Agent that is not UTF-8 (browsers never send one, a script may)
// is stored as text in the session and the audit trail, never a 500.
func TestUserAgentNotUTF8IsStoredAsText(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		token := c.CSRF()
		body := url.Values{"_csrf": {token}, "login": {guestLogin}, "password": {guestPassword}}.Encode()
		addr := strings.TrimPrefix(app.URL, "http://")
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		agent := "Mozilla/5.0 \xff\xfe\xc3 (X11)\tBot/" + strings.Repeat("é", 400)
		req := "POST /login HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: " + agent +
			"\r\nCookie: myaccount_csrf=" + token + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
			strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body
		if _, err := io.WriteString(conn, req); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in with that User-Agent: got %d, want 303", res.StatusCode)
		}
		guest := app.User(t, guestLogin)
		var agents []string
		app.DB.Model(&models.Session{}).Where("user_id = ?", guest.ID).Pluck("user_agent", &agents)
		var audited []string
		app.DB.Model(&models.AuditEvent{}).Where("subject_id = ? AND action = ?", guest.ID, models.ActionSignIn).Pluck("user_agent", &audited)
		if len(agents) != 1 || len(audited) != 1 {
			t.Fatalf("stored agents: got %d sessions and %d audit events, want 1 and 1", len(agents), len(audited))
		}
		for _, got := range append(agents, audited...) {
			if !utf8.ValidString(got) || strings.ContainsAny(got, "\t\x00") || len(got) > models.MaxUserAgent {
				t.Errorf("stored User-Agent %q: want UTF-8 text without controls, at most %d bytes", got, models.MaxUserAgent)
			}
			if !strings.HasPrefix(got, "Mozilla/5.0 \uFFFD") {
				t.Errorf("stored User-Agent %q: want what was sent, with U+FFFD for the bytes that are not UTF-8", got)
			}
		}
	})
}

// GET /admin/users — a search too long to look up is refused with a
// message next to the search field, not sent to the database.
func TestSearchTooLong(t *testing.T) {
	testapp.RunScenarios(t, listRefusals([]listRefusal{
		{"11 words", "q=" + url.QueryEscape(strings.Repeat("a ", 11)), "input#q", "Search must be 10 words or fewer"},
		{"201 characters", "q=" + url.QueryEscape(strings.Repeat("a", 201)), "input#q", "Search must be 200 characters or fewer"},
		{"a control character", "q=" + url.QueryEscape("maya\u202e"), "input#q", "Search must not contain control characters"},
		{"10 words", "q=" + url.QueryEscape(strings.Repeat("ab ", 10)), "", ""},
	}))
}

// GET /admin/users — a status or role the list does not offer (a hand-made
// address) is refused next to its select, not searched for under a select
// that says "Any".
func TestListFilterNotOffered(t *testing.T) {
	testapp.RunScenarios(t, listRefusals([]listRefusal{
		{"status", "status=NOPE", "select#status", "Select a status from the list"},
		{"role", "role=OWNER", "select#role", "Select a role from the list"},
		{"lower-case status", "status=active", "select#status", "Select a status from the list"},
		{"an offered status and role", "status=ACTIVE&role=MERCHANT_ADMIN", "", ""},
	}))
}

// listRefusal is a user list address, the control its refusal marks
// invalid and the message; none for an address that is searched.
type listRefusal struct{ name, query, control, want string }

// listRefusals are the scenarios of each address as a page and over htmx:
// 422 with the message in the results and, on the page, the control
// marked invalid; else 200 without a message.
func listRefusals(cases []listRefusal) []testapp.Scenario {
	var scenarios []testapp.Scenario
	for _, tc := range cases {
		for _, htmx := range []bool{false, true} {
			s := testapp.Scenario{Name: fmt.Sprintf("%s htmx=%v", tc.name, htmx), As: "admin", Path: "/admin/users?" + tc.query, HTMX: htmx, Shared: true,
				Status: http.StatusOK, Text: map[string]string{`[data-testid="search-error"]`: tc.want}}
			if tc.want != "" {
				s.Status = http.StatusUnprocessableEntity
				if !htmx {
					s.Count = map[string]int{tc.control + `[aria-invalid="true"]`: 1}
				}
			}
			scenarios = append(scenarios, s)
		}
	}
	return scenarios
}

// A request id from the client or a proxy names the request in its
// answer when it looks like one; one too long or with other characters is
// replaced by one the server makes, as is none.
func TestClientRequestID(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"})
	c := app.Client(t)
	for _, tc := range []struct {
		name, sent string
		kept       bool
	}{
		{"a proxy's", "lb-7f3a:2026.12.03_42", true},
		{"64 characters", strings.Repeat("a", 64), true},
		{"65 characters", strings.Repeat("a", 65), false},
		{"500 characters", strings.Repeat("x", 500), false},
		{"spaces and quotes", `a" "b`, false},
		{"not ASCII", "zoë", false},
		{"none", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.sent != "" {
				h.Set("X-Request-Id", tc.sent)
			}
			got := c.Do(http.MethodGet, "/login", nil, h).Header.Get("X-Request-Id")
			switch {
			case tc.kept && got != tc.sent:
				t.Errorf("got %q, want %q kept", got, tc.sent)
			case !tc.kept && (got == tc.sent || len(got) != 32):
				t.Errorf("got %q, want one the server made (32 characters)", got)
			}
		})
	}
}
