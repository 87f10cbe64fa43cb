package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

const (
	guestLogin    = "demo.guest"
	guestPassword = store.DemoGuestPassword
	guestEmail    = "demo.guest@example.com"

	msgNoMatch       = "The username or email and password do not match an account"
	msgEnterLogin    = "Enter your username or email"
	msgEnterPassword = "Enter your password"
)

// GET /login — the form's labels, token and htmx wiring.
func TestLoginPage(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "a fresh form", Path: "/login", Status: http.StatusOK,
		Text: map[string]string{
			"label[for=login]": "Username or email", "label[for=password]": "Password",
			"#login-form form@hx-post": "/login", "#login-form form@action": "/login",
		},
		Count: map[string]int{
			"input#login[name=login]": 1, "input#password[name=password][type=password]": 1, "#login-form form[method=post i]": 1,
			"#login-form form input[type=hidden][name=_csrf]": 1, `#login-form form input[type=hidden][name=_csrf]:not([value=""])`: 1,
		},
		// No next without ?next, and no error summary on a fresh form.
		Absent: []string{"#login-form form input[name=next]", "[data-testid=error-summary]"},
	}})
}

// GET /login when already signed in goes on to the account, or to a safe next.
func TestLoginPageSignedInRedirects(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tc := range []struct{ name, next, want string }{
		{"no next", "", "/account"},
		{"next on this site", "/account/email", "/account/email"},
		{"next protocol-relative", "//evil.example", "/account"},
		{"next absolute", "https://evil.example", "/account"},
	} {
		path := "/login"
		if tc.next != "" {
			path += "?next=" + url.QueryEscape(tc.next)
		}
		scenarios = append(scenarios, testapp.Scenario{Name: tc.name, As: "guest", Path: path, Shared: true,
			Status: http.StatusSeeOther, Headers: location(tc.want)})
	}
	testapp.RunScenarios(t, scenarios)
}

// POST /login — a username in any case or an email naming one account
// signs in, and next is followed only when it stays on this site.
func TestLoginSucceeds(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tc := range []struct{ name, login, next, want string }{
		{"username", "demo.guest", "", "/account"},
		{"username in upper case", "DEMO.GUEST", "", "/account"},
		{"username with spaces around", "  demo.guest  ", "", "/account"},
		{"email", guestEmail, "", "/account"},
		{"email in mixed case", "Demo.Guest@EXAMPLE.com", "", "/account"},
		{"next on this site", "demo.guest", "/account/email", "/account/email"},
		{"next with a query", "demo.guest", "/account/profile/edit?x=1", "/account/profile/edit?x=1"},
		{"next protocol-relative", "demo.guest", "//evil.example", "/account"},
		{"next absolute", "demo.guest", "https://evil.example", "/account"},
		{"next backslash", "demo.guest", `/\evil.example`, "/account"},
		{"next not a path", "demo.guest", "evil.example", "/account"},
		{"next javascript", "demo.guest", "javascript:alert(1)", "/account"},
		{"next with a newline", "demo.guest", "/account\r\nSet-Cookie: x=y", "/account"},
		// Browsers drop tabs and newlines from URLs, so "/\t/evil" is "//evil".
		{"next with a tab", "demo.guest", "/\t/evil.example", "/account"},
	} {
		form := url.Values{"login": {tc.login}, "password": {guestPassword}}
		if tc.next != "" {
			form.Set("next", tc.next)
		}
		scenarios = append(scenarios, testapp.Scenario{
			Name: tc.name, Method: http.MethodPost, Path: "/login", Form: form, Shared: true,
			Status: http.StatusSeeOther, Headers: location(tc.want),
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				if res.Client.SessionCookie() == "" {
					t.Fatalf("session cookie: got none, want one")
				}
				testapp.Want(t, res.Client.Get("/account"), http.StatusOK)
				if n := countSessions(t, app, app.User(t, guestLogin).ID); n < 1 {
					t.Errorf("sessions of the guest: got %d, want at least 1", n)
				}
			},
		})
	}
	testapp.RunScenarios(t, scenarios)
}

// GET /login?next= — a safe next is carried in the form; an unsafe one is
// dropped before it reaches the page.
func TestLoginPageCarriesSafeNext(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tc := range []struct{ next, want string }{
		{"/account/email", "/account/email"},
		{"//evil.example", ""},
		{"https://evil.example", ""},
		{`/\evil`, ""},
		{"/\t/evil.example", ""},
	} {
		scenarios = append(scenarios, testapp.Scenario{Name: "next=" + tc.next, Path: "/login?next=" + url.QueryEscape(tc.next), Shared: true,
			Status: http.StatusOK, Text: map[string]string{"#login-form input[name=next]@value": tc.want}})
	}
	testapp.RunScenarios(t, scenarios)
}

// A signed-out visit to an account page comes back there after sign-in.
func TestLoginReturnsToThePageAsked(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		c := testapp.New(t, b).Client(t)
		asked := "/login?next=" + url.QueryEscape("/account/email")
		testapp.Scenario{Path: "/account/email", Status: http.StatusSeeOther, Headers: location(asked)}.Send(t, c)
		res := testapp.Scenario{Path: asked, Status: http.StatusOK}.Send(t, c)
		next := res.Doc(t).Find("#login-form input[name=next]").AttrOr("value", "")
		testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {guestLogin}, "password": {guestPassword}, "next": {next}},
			Status: http.StatusSeeOther, Headers: location("/account/email")}.Send(t, c)
		testapp.Want(t, c.Get("/account/email"), http.StatusOK)
	})
}

// POST /login — an email shared by two accounts names neither.
func TestLoginEmailOfTwoAccountsDoesNotSignIn(t *testing.T) {
	const twin = "harbor.maya"
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "the guest's email, also a Harbor Coffee account's", Method: http.MethodPost, Path: "/login",
		Form: url.Values{"login": {guestEmail}, "password": {guestPassword}},
		Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) {
			u := *app.User(t, guestLogin)
			u.ID, u.Username, u.MerchantID = store.NewID(), twin, app.Merchant(t, "harbor").ID
			if err := app.DB.Create(&u).Error; err != nil {
				t.Fatalf("create second account: %v", err)
			}
		},
		Status: http.StatusUnprocessableEntity, Errors: map[string]string{"login": msgNoMatch},
		After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
			if n := countSessions(t, app, app.User(t, guestLogin).ID) + countSessions(t, app, app.User(t, twin).ID); n != 0 {
				t.Errorf("sessions: got %d, want 0", n)
			}
			testapp.Want(t, res.Client.Get("/account"), http.StatusSeeOther)
			// The usernames still work.
			for _, login := range []string{guestLogin, twin} {
				app.Client(t).SignIn(login, guestPassword)
			}
		},
	}})
}

// POST /login — refusals re-render the form with 422, keep what was typed
// except the password, and never tell an unknown account from a wrong
// password: both get the same message, and so the same page.
func TestLoginRefusals(t *testing.T) {
	const typed = "Wr0ng#Secret-typed"
	var scenarios []testapp.Scenario
	for _, tc := range []struct {
		name, login, password string
		wantLogin             string // message next to the login field
		wantPassword          string // message next to the password field
	}{
		{"unknown user", "nobody.here", typed, msgNoMatch, ""},
		{"unknown email", "nobody@example.com", typed, msgNoMatch, ""},
		{"wrong password", guestLogin, typed, msgNoMatch, ""},
		{"wrong password by email", guestEmail, typed, msgNoMatch, ""},
		{"empty login", "", typed, msgEnterLogin, ""},
		{"blank login", "   ", typed, msgEnterLogin, ""},
		{"empty password", guestLogin, "", "", msgEnterPassword},
		{"both empty", "", "", msgEnterLogin, msgEnterPassword},
	} {
		s := testapp.Scenario{
			Name: tc.name, Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {tc.login}, "password": {tc.password}}, Shared: true,
			Status:  http.StatusUnprocessableEntity,
			Errors:  map[string]string{"login": tc.wantLogin, "password": tc.wantPassword},
			Text:    map[string]string{"input#login@value": strings.TrimSpace(tc.login), "input#password@value": ""},
			Summary: []string{},
			After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				if res.Client.SessionCookie() != "" {
					t.Errorf("session cookie after a refusal: got one, want none")
				}
			},
		}
		for _, f := range []struct{ field, msg string }{{"login", tc.wantLogin}, {"password", tc.wantPassword}} {
			if f.msg == "" {
				s.Text["input#"+f.field+"@aria-invalid"] = ""
			} else {
				s.Invalid = append(s.Invalid, f.field)
				s.Summary = append(s.Summary, f.msg)
			}
		}
		if tc.password != "" {
			s.NotInBody = []string{tc.password}
		}
		scenarios = append(scenarios, s)
	}
	testapp.RunScenarios(t, scenarios)
}

// POST /login — wrong passwords are counted and, at the merchant's limit,
// pause sign-in to the account for a while. During the pause the right
// password gets exactly the answer a wrong one does, and nothing is
// counted; after it, the right password works. The account stays active
// and keeps its sessions: strangers cannot end them.
func TestLoginPausesAccountAtLimit(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		m := app.Merchant(t, "sandpiper")
		if m.MaxFailedLogins != 5 || m.Lockout != models.DefaultLockout {
			t.Fatalf("sandpiper: got limit %d, lockout %+v; want 5 and the default", m.MaxFailedLogins, m.Lockout)
		}
		owner := app.Client(t)
		owner.SignInGuest()
		c := app.Client(t)
		for i := 1; i <= m.MaxFailedLogins; i++ {
			testapp.Scenario{Name: fmt.Sprintf("attempt %d", i), Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {guestLogin}, "password": {"Wrong#2026"}},
				Status: http.StatusUnprocessableEntity, Errors: map[string]string{"login": msgNoMatch}, Count: map[string]int{`[data-testid="lock-hint"]`: 1}}.Send(t, c)
			u := app.User(t, guestLogin)
			if want := i % m.MaxFailedLogins; u.FailedLoginCount != want {
				t.Errorf("after %d failures: got failed_login_count %d, want %d", i, u.FailedLoginCount, want)
			}
		}
		u := app.User(t, guestLogin)
		if u.Status != models.StatusActive || u.LockoutCount != 1 || !u.Budget().LockedAt(time.Now()) {
			t.Fatalf("after %d failures: got status %s, locks %d, until %v; want ACTIVE and paused", m.MaxFailedLogins, u.Status, u.LockoutCount, u.LockedUntil)
		}
		if wait := u.LockedUntil.Sub(time.Now()); wait < 4*time.Minute || wait > 5*time.Minute {
			t.Errorf("pause: got %v, want the first wait, 5 minutes", wait)
		}

		right := c.Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}})
		wrong := c.Post("/login", url.Values{"login": {guestLogin}, "password": {"Wrong#2026"}})
		unknown := c.Post("/login", url.Values{"login": {"nobody.here"}, "password": {guestPassword}})
		for name, res := range map[string]*testapp.Response{"right": right, "wrong": wrong, "unknown account": unknown} {
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			if got := section(t, res, "#login-form"); got != section(t, wrong, "#login-form") && name != "unknown account" {
				t.Errorf("%s password while paused: the form differs from a wrong password's:\n%s\n%s", name, got, section(t, wrong, "#login-form"))
			}
			if got := testapp.FieldError(res.Doc(t), "login"); got != msgNoMatch {
				t.Errorf("%s while paused: got %q, want %q", name, got, msgNoMatch)
			}
		}
		if c.SessionCookie() != "" {
			t.Errorf("paused account: got a session, want none")
		}
		if got := app.User(t, guestLogin); got.FailedLoginCount != 0 || got.LockoutCount != 1 {
			t.Errorf("attempts while paused: got count %d, locks %d; want them not counted", got.FailedLoginCount, got.LockoutCount)
		}
		// The owner's session goes on.
		testapp.Want(t, owner.Get("/account"), http.StatusOK)

		// After the pause, the right password works and starts again.
		app.DB.Model(&models.User{}).Where("id = ?", u.ID).Update("locked_until", time.Now().UTC().Add(-time.Second))
		c.SignInGuest()
		if got := app.User(t, guestLogin); got.LockoutCount != 0 || got.LockedUntil != nil || got.FailedLoginCount != 0 {
			t.Errorf("after a sign-in: got count %d, locks %d, until %v; want all reset", got.FailedLoginCount, got.LockoutCount, got.LockedUntil)
		}

		counts := auditCounts(t, app, u.ID)
		if counts[models.ActionSignInFailed] != m.MaxFailedLogins || counts[models.ActionLockedTemporarily] != 1 || counts[models.ActionLocked] != 0 {
			t.Errorf("audit: got %v, want %d failed sign-ins and one pause", counts, m.MaxFailedLogins)
		}
		// The right and the wrong password typed while paused are each
		// recorded as refused, unread: the owner hears of them.
		if counts[models.ActionPasswordCheckRefused] != 2 {
			t.Errorf("audit: got %d passwords refused while paused, want 2", counts[models.ActionPasswordCheckRefused])
		}
	})
}

// section is the outer HTML of the element sel in res, with CSRF tokens
// taken out, to compare two answers.
func section(t *testing.T, res *testapp.Response, sel string) string {
	t.Helper()
	html, err := goquery.OuterHtml(res.Doc(t).Find(sel))
	if err != nil {
		t.Fatal(err)
	}
	return csrfValue.ReplaceAllString(html, `value="token"`)
}

var csrfValue = regexp.MustCompile(`name="_csrf" value="[^"]*"`)

// POST /login — a success starts the count again and is audited.
func TestLoginSuccessResetsFailedCount(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		for range 3 {
			testapp.Want(t, c.Post("/login", url.Values{"login": {guestLogin}, "password": {"Wrong#2026"}}), http.StatusUnprocessableEntity)
		}
		if got := app.User(t, guestLogin).FailedLoginCount; got != 3 {
			t.Fatalf("failed_login_count: got %d, want 3", got)
		}
		c.SignInGuest()
		u := app.User(t, guestLogin)
		if u.FailedLoginCount != 0 {
			t.Errorf("failed_login_count after success: got %d, want 0", u.FailedLoginCount)
		}
		if u.LastLoginAt == nil || u.FirstLoginAt == nil {
			t.Errorf("first/last login at: got %v/%v, want both set", u.FirstLoginAt, u.LastLoginAt)
		}
		counts := auditCounts(t, app, u.ID)
		if counts[models.ActionSignIn] != 1 || counts[models.ActionSignInFailed] != 3 {
			t.Errorf("audit: got %d sign_in and %d sign_in_failed, want 1 and 3", counts[models.ActionSignIn], counts[models.ActionSignInFailed])
		}
		// Four more failures do not lock: the count started again.
		for range 4 {
			app.Client(t).Post("/login", url.Values{"login": {guestLogin}, "password": {"Wrong#2026"}})
		}
		if u := app.User(t, guestLogin); u.Status != models.StatusActive || u.FailedLoginCount != 4 {
			t.Errorf("after 4 more failures: got status %s count %d, want ACTIVE 4", u.Status, u.FailedLoginCount)
		}
	})
}

// POST /login — an account that is locked for good (an admin, or the
// merchant's permanent lock) or inactive is no oracle either: the right
// password gets the answer a wrong one does, and nothing is counted.
func TestLoginInactiveOrLockedAccount(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tc := range []struct{ status, password string }{
		{models.StatusLocked, guestPassword},
		{models.StatusLocked, "Wrong#2026"},
		{models.StatusInactive, guestPassword},
		{models.StatusInactive, "Wrong#2026"},
	} {
		var u models.User // a demo user with that status, as it was before
		scenarios = append(scenarios, testapp.Scenario{
			Name: tc.status + " " + tc.password, Method: http.MethodPost, Path: "/login", Shared: true,
			Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) {
				u = models.User{}
				if err := app.DB.Where("status = ? AND username LIKE ?", tc.status, "sandpiper.%").Order("username").Take(&u).Error; err != nil {
					t.Fatalf("find a %s demo user: %v", tc.status, err)
				}
			},
			FormFunc: func(*testing.T, *testapp.App, *testapp.Client) url.Values {
				return url.Values{"login": {u.Username}, "password": {tc.password}}
			},
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"login": msgNoMatch},
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				if got := app.User(t, u.Username).FailedLoginCount; got != u.FailedLoginCount {
					t.Errorf("failed_login_count: got %d, want %d (unchanged)", got, u.FailedLoginCount)
				}
				if countSessions(t, app, u.ID) != 0 {
					t.Errorf("sessions: got some, want none")
				}
			},
		})
	}
	testapp.RunScenarios(t, scenarios)
}

// POST /login from htmx — the form fragment on failure, HX-Redirect on success.
func TestLoginHTMX(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "wrong password", Method: http.MethodPost, Path: "/login", HTMX: true, Shared: true,
			Form:   url.Values{"login": {guestLogin}, "password": {"Wrong#2026"}},
			Status: http.StatusUnprocessableEntity, Fragment: true, Errors: map[string]string{"login": msgNoMatch},
			Count: map[string]int{"section#login-form": 1, `#login-form input[name=_csrf]:not([value=""])`: 1},
			Text:  map[string]string{"input#login@value": guestLogin}},
		{Name: "right password", Method: http.MethodPost, Path: "/login", HTMX: true, Shared: true,
			Form:   url.Values{"login": {guestLogin}, "password": {guestPassword}},
			Status: http.StatusOK, Headers: map[string]string{"HX-Redirect": "/account"},
			After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				if res.Client.SessionCookie() == "" {
					t.Errorf("session cookie: got none, want one")
				}
				testapp.Want(t, res.Client.Get("/account"), http.StatusOK)
			}},
	})
}

// The session cookie is HttpOnly, SameSite=Lax, for the whole site, and
// not Secure over plain http (it would not come back).
func TestSessionCookieAttributes(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "over http", Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {guestLogin}, "password": {guestPassword}},
		Status: http.StatusSeeOther,
		After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
			ck := responseCookie(res, "myaccount_session")
			if ck == nil {
				t.Fatalf("Set-Cookie myaccount_session: got none, want one; got %q", res.Header.Values("Set-Cookie"))
			}
			if !ck.HttpOnly {
				t.Errorf("HttpOnly: got false, want true")
			}
			if ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("SameSite: got %v, want Lax", ck.SameSite)
			}
			if ck.Path != "/" {
				t.Errorf("Path: got %q, want /", ck.Path)
			}
			if ck.Secure {
				t.Errorf("Secure over http: got true, want false")
			}
			if ck.Domain != "" {
				t.Errorf("Domain: got %q, want none (host-only)", ck.Domain)
			}
			if strings.Contains(ck.Value, guestLogin) || strings.Contains(ck.Value, app.User(t, guestLogin).ID) {
				t.Errorf("cookie value carries the user: got %q", ck.Value)
			}
		},
	}})
}

// Signing in gives a new session id: one planted before sign-in, or the
// one of an earlier sign-in, is ended.
func TestSessionIDChangesAtSignIn(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		st := app.Deps.Sessions.Store
		name := st.CookieName()

		// A signed-out session, as an attacker could plant one.
		req := httptest.NewRequest(http.MethodGet, "/login", nil)
		sess, err := st.New(req, name)
		if err != nil {
			t.Fatalf("new session: %v", err)
		}
		sess.Values["planted"] = "yes"
		rec := httptest.NewRecorder()
		if err := st.Save(req, rec, sess); err != nil {
			t.Fatalf("save session: %v", err)
		}
		planted := responseCookie(&testapp.Response{Response: rec.Result()}, name)
		if planted == nil {
			t.Fatalf("planted session: no cookie")
		}
		if n := countAllSessions(t, app); n != 1 {
			t.Fatalf("sessions before sign-in: got %d, want 1", n)
		}

		c := app.Client(t)
		res := c.Do(http.MethodPost, "/login",
			url.Values{"login": {guestLogin}, "password": {guestPassword}, "_csrf": {c.CSRF()}},
			http.Header{"Cookie": {name + "=" + planted.Value}})
		testapp.Want(t, res, http.StatusSeeOther)
		first := responseCookie(res, name)
		if first == nil || first.Value == "" {
			t.Fatalf("Set-Cookie %s at sign-in: got none, want a new session", name)
		}
		if first.Value == planted.Value {
			t.Errorf("session cookie at sign-in: got the planted value, want a new one")
		}
		if liveSession(t, app, planted.Value) {
			t.Errorf("planted session after sign-in: got live, want ended")
		}
		if n := countAllSessions(t, app); n != 1 {
			t.Errorf("sessions after sign-in: got %d, want 1", n)
		}
		if n := countSessions(t, app, guest.ID); n != 1 {
			t.Errorf("sessions of the guest: got %d, want 1", n)
		}
		if !liveSession(t, app, first.Value) {
			t.Errorf("new session: got not live, want live")
		}

		// Signing in again while signed in replaces the session too.
		res = c.Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}})
		testapp.Want(t, res, http.StatusSeeOther)
		second := c.SessionCookie()
		if second == "" || second == first.Value {
			t.Errorf("session cookie at second sign-in: got %q, want a new value", second)
		}
		if liveSession(t, app, first.Value) {
			t.Errorf("first session after second sign-in: got live, want ended")
		}
		if n := countSessions(t, app, guest.ID); n != 1 {
			t.Errorf("sessions of the guest: got %d, want 1", n)
		}
		res = app.Client(t).Do(http.MethodGet, "/account", nil, http.Header{"Cookie": {name + "=" + first.Value}})
		testapp.Want(t, res, http.StatusSeeOther)
	})
}

// Signing in gives a new CSRF token: one seen before sign-in no longer
// works after it.
func TestCSRFTokenChangesAtSignIn(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		before := c.CSRF()
		res := c.Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}})
		testapp.Want(t, res, http.StatusSeeOther)
		if ck := responseCookie(res, "myaccount_csrf"); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("CSRF cookie at sign-in: got %v, want it cleared", ck)
		}
		after := c.CSRF()
		if after == "" || after == before {
			t.Fatalf("CSRF token after sign-in: got %q, want a new one (before: %q)", after, before)
		}
		res = c.Post("/account/profile", url.Values{"first_name": {"Mallory"}, "_csrf": {before}})
		testapp.Want(t, res, http.StatusForbidden)
		if got := app.User(t, guestLogin).FirstName; got == "Mallory" {
			t.Errorf("first name: got %q, want unchanged", got)
		}
	})
}

// The audit trail and the session list record the connection's address,
// not one a client claims in X-Forwarded-For.
func TestSignInRecordsConnectionAddress(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		c := app.Client(t)
		h := http.Header{"X-Forwarded-For": {"203.0.113.9"}, "X-Real-Ip": {"203.0.113.9"}, "User-Agent": {"login-test/1.0"}}
		testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {guestLogin}, "password": {"Wrong#2026"}}, Header: h, Status: http.StatusUnprocessableEntity}.Send(t, c)
		testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {guestLogin}, "password": {guestPassword}}, Header: h, Status: http.StatusSeeOther}.Send(t, c)

		evs := app.Audit(t, guest.ID)
		if len(evs) != 2 {
			t.Fatalf("audit events: got %d, want 2", len(evs))
		}
		for _, ev := range evs {
			if ev.IP != "127.0.0.1" || ev.UserAgent != "login-test/1.0" {
				t.Errorf("%s: got ip %q agent %q, want 127.0.0.1 and login-test/1.0", ev.Action, ev.IP, ev.UserAgent)
			}
		}
		var row models.Session
		if err := app.DB.Where("user_id = ?", guest.ID).Take(&row).Error; err != nil {
			t.Fatalf("session row: %v", err)
		}
		if row.IP != "127.0.0.1" || row.UserAgent != "login-test/1.0" {
			t.Errorf("session row: got ip %q agent %q, want 127.0.0.1 and login-test/1.0", row.IP, row.UserAgent)
		}
		if row.AuthenticatedAt == nil {
			t.Errorf("session authenticated_at: got nil, want set")
		}
	})
}

// POST /logout — the session ends on the server, so a copy of the cookie
// is worthless afterwards.
func TestLogoutEndsSessionOnServer(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		c := app.Client(t)
		c.SignInGuest()
		old := c.SessionCookie()
		testapp.Want(t, c.Get("/account"), http.StatusOK)

		res := testapp.Scenario{Method: http.MethodPost, Path: "/logout", Status: http.StatusSeeOther, Headers: location("/login")}.Send(t, c)
		if ck := responseCookie(res, "myaccount_session"); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("session cookie at sign-out: got %v, want it cleared", ck)
		}
		if n := countSessions(t, app, guest.ID); n != 0 {
			t.Errorf("sessions of the guest: got %d, want 0", n)
		}
		if liveSession(t, app, old) {
			t.Errorf("old session: got live, want ended")
		}
		if counts := auditCounts(t, app, guest.ID); counts[models.ActionSignOut] != 1 {
			t.Errorf("%s events: got %d, want 1", models.ActionSignOut, counts[models.ActionSignOut])
		}

		// The sign-in page says so.
		testapp.Scenario{Path: "/login", Status: http.StatusOK, Text: map[string]string{"[data-testid=notice]": "You have signed out."}}.Send(t, c)
		testapp.Want(t, c.Get("/account"), http.StatusSeeOther)

		testapp.Scenario{Name: "replayed cookie", Path: "/account", Header: http.Header{"Cookie": {"myaccount_session=" + old}},
			Status: http.StatusSeeOther, Headers: location("/login?next=" + url.QueryEscape("/account"))}.Run(t, app)
	})
}

// GET /logout is not a way to sign out: a link or image elsewhere must not
// end the session.
func TestLogoutByGetIsNotARoute(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "signed in", As: "guest", Path: "/logout", Count: map[string]int{"[data-testid=error-page]": 1},
		After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
			if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("GET /logout: got status %d, want 404 or 405", res.StatusCode)
			}
			testapp.Want(t, res.Client.Get("/account"), http.StatusOK)
			if n := countSessions(t, app, app.User(t, guestLogin).ID); n != 1 {
				t.Errorf("sessions: got %d, want 1", n)
			}
		},
	}})
}

// A user locked or deactivated while signed in is signed out at once.
func TestSessionEndsWhenAccountStops(t *testing.T) {
	setStatus := func(t *testing.T, app *testapp.App, status string) {
		t.Helper()
		if err := app.DB.Model(&models.User{}).Where("username = ?", guestLogin).Update("status", status).Error; err != nil {
			t.Fatalf("set status: %v", err)
		}
	}
	var scenarios []testapp.Scenario
	for _, status := range []string{models.StatusLocked, models.StatusInactive} {
		scenarios = append(scenarios, testapp.Scenario{
			Name: status, As: "guest", Path: "/account", Shared: true,
			Before: func(t *testing.T, app *testapp.App, c *testapp.Client) {
				testapp.Want(t, c.Get("/account"), http.StatusOK)
				setStatus(t, app, status)
			},
			Status: http.StatusSeeOther, Headers: location("/login*"),
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				if n := countSessions(t, app, app.User(t, guestLogin).ID); n != 0 {
					t.Errorf("sessions: got %d, want 0", n)
				}
				// Even reactivated, the old session stays ended.
				setStatus(t, app, models.StatusActive)
				testapp.Want(t, res.Client.Get("/account"), http.StatusSeeOther)
			},
		})
	}
	testapp.RunScenarios(t, scenarios)
}

// A session unused for longer than the idle timeout, or older than its
// maximum age, no longer signs anyone in.
func TestSessionTimeouts(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tc := range []struct {
		name, column string
		ago          time.Duration
		want         int
	}{
		{"used recently", "last_seen_at", 30 * time.Second, http.StatusOK},
		{"idle too long", "last_seen_at", 2 * time.Minute, http.StatusSeeOther},
		{"past its maximum age", "expires_at", time.Second, http.StatusSeeOther},
	} {
		scenarios = append(scenarios, testapp.Scenario{
			Name: tc.name, As: "guest", Path: "/account", Flags: []string{"--session-idle-timeout", "1m"}, Shared: true,
			Before: func(t *testing.T, app *testapp.App, c *testapp.Client) {
				testapp.Want(t, c.Get("/account"), http.StatusOK)
				res := app.DB.Model(&models.Session{}).Where("user_id = ?", app.User(t, guestLogin).ID).
					Update(tc.column, time.Now().UTC().Add(-tc.ago))
				if res.Error != nil || res.RowsAffected != 1 {
					t.Fatalf("age the session: got %d rows, %v; want 1 row", res.RowsAffected, res.Error)
				}
			},
			Status: tc.want,
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				app.DB.Where("user_id = ?", app.User(t, guestLogin).ID).Delete(&models.Session{})
			},
		})
	}
	testapp.RunScenarios(t, scenarios)
}

// Behind https the cookies are Secure and the session cookie is __Host-
// prefixed, so no subdomain can set or read it.
func TestSecureCookiesBehindHTTPS(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b, "--base-url", "https://example.test")
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

		res, err := hc.Get(app.URL + "/login")
		if err != nil {
			t.Fatalf("GET /login: %v", err)
		}
		page := &testapp.Response{Response: res}
		res.Body.Close()
		if got := res.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
			t.Errorf("Strict-Transport-Security behind https: got %q, want a max-age", got)
		}
		csrf := responseCookie(page, "__Host-myaccount_csrf")
		if csrf == nil {
			t.Fatalf("Set-Cookie __Host-myaccount_csrf: got none; got %q", res.Header.Values("Set-Cookie"))
		}
		if !csrf.Secure || !csrf.HttpOnly || csrf.Path != "/" || csrf.Domain != "" {
			t.Errorf("CSRF cookie: got Secure=%v HttpOnly=%v Path=%q Domain=%q, want Secure, HttpOnly, Path=/ and no Domain", csrf.Secure, csrf.HttpOnly, csrf.Path, csrf.Domain)
		}
		if responseCookie(page, "myaccount_csrf") != nil {
			t.Errorf("unprefixed myaccount_csrf: got one, want none")
		}

		form := url.Values{"login": {guestLogin}, "password": {guestPassword}, "_csrf": {csrf.Value}}
		req, _ := http.NewRequest(http.MethodPost, app.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrf.Name, Value: csrf.Value})
		res, err = hc.Do(req)
		if err != nil {
			t.Fatalf("POST /login: %v", err)
		}
		res.Body.Close()
		signedIn := &testapp.Response{Response: res}
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /login: got status %d, want 303", res.StatusCode)
		}
		sess := responseCookie(signedIn, "__Host-myaccount_session")
		if sess == nil {
			t.Fatalf("Set-Cookie __Host-myaccount_session: got none; got %q", res.Header.Values("Set-Cookie"))
		}
		if !sess.Secure || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.Domain != "" {
			t.Errorf("session cookie: got Secure=%v HttpOnly=%v SameSite=%v Path=%q Domain=%q, want Secure, HttpOnly, Lax, / and no Domain",
				sess.Secure, sess.HttpOnly, sess.SameSite, sess.Path, sess.Domain)
		}
		if responseCookie(signedIn, "myaccount_session") != nil {
			t.Errorf("unprefixed myaccount_session: got one, want none")
		}
		for _, ck := range res.Cookies() {
			if !ck.Secure {
				t.Errorf("cookie %s behind https: got Secure=false, want true", ck.Name)
			}
		}

		// The prefixed cookie is the one that signs in.
		req, _ = http.NewRequest(http.MethodGet, app.URL+"/account", nil)
		req.AddCookie(&http.Cookie{Name: sess.Name, Value: sess.Value})
		res, err = hc.Do(req)
		if err != nil {
			t.Fatalf("GET /account: %v", err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET /account with the __Host- cookie: got status %d, want 200", res.StatusCode)
		}
	})
}

// No page, fragment or log line carries a password or a password hash,
// whatever the user did.
func TestNoPasswordOrHashLeaks(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		var seen []*testapp.Response
		keep := func(res *testapp.Response) *testapp.Response { seen = append(seen, res); return res }

		c := app.Client(t)
		keep(c.Get("/login"))
		// A wrong password that contains the right one: echoing it would show.
		keep(c.Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword + "!"}}))
		keep(c.Post("/login", url.Values{"login": {"nobody"}, "password": {guestPassword}}))
		c.HTMX = true
		keep(c.Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword + "!"}}))
		c.HTMX = false
		keep(c.Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}}))
		for _, p := range []string{"/account", "/account/profile/edit", "/account/password", "/account/email"} {
			keep(c.Get(p))
		}
		for _, htmx := range []bool{false, true} {
			c.HTMX = htmx
			keep(c.Post("/account/password/check", url.Values{"new_password": {guestPassword}}))
			keep(c.Post("/account/password", url.Values{"current_password": {guestPassword}, "new_password": {guestPassword}, "confirm_password": {guestPassword + "x"}}))
			keep(c.Post("/account/password", url.Values{"current_password": {guestPassword + "x"}, "new_password": {"N3w#" + guestPassword}, "confirm_password": {"N3w#" + guestPassword}}))
			keep(c.Post("/account/email", url.Values{"new_email": {"not-an-email"}, "confirm_email": {"x"}, "current_password": {guestPassword}}))
			keep(c.Post("/account/email", url.Values{"new_email": {"maya@example.com"}, "confirm_email": {"maya@example.com"}, "current_password": {guestPassword + "x"}}))
		}
		c.HTMX = false
		keep(c.Get("/account"))
		keep(c.Post("/logout", nil))
		keep(c.Get("/login"))

		for _, res := range seen {
			for _, secret := range []string{guestPassword, "$2a$", "$2b$"} {
				if i := strings.Index(res.Body, secret); i >= 0 {
					t.Errorf("%s %s: body contains %q near %q", res.Request.Method, res.Request.URL.Path, secret, around(res.Body, i))
				}
			}
		}
		logs := app.Log.String()
		for _, secret := range []string{guestPassword, "$2a$", "$2b$"} {
			if i := strings.Index(logs, secret); i >= 0 {
				t.Errorf("log contains %q near %q", secret, around(logs, i))
			}
		}
	})
}

// --- helpers shared by the handler tests in this package ---

// responseCookie is the cookie named name that res sets, or nil. When it
// is set more than once the last one counts, as in a browser.
func responseCookie(res *testapp.Response, name string) *http.Cookie {
	var found *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == name {
			found = ck
		}
	}
	return found
}

// liveSession reports whether the session cookie value still names a
// session the application accepts.
func liveSession(t *testing.T, app *testapp.App, value string) bool {
	t.Helper()
	st := app.Deps.Sessions.Store
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: st.CookieName(), Value: value})
	sess, err := st.New(req, st.CookieName())
	if err != nil {
		t.Fatalf("load session: %v", err)
	}
	return !sess.IsNew
}

func countSessions(t *testing.T, app *testapp.App, userID string) int64 {
	t.Helper()
	var n int64
	if err := app.DB.Model(&models.Session{}).Where("user_id = ?", userID).Count(&n).Error; err != nil {
		t.Fatalf("count sessions: %v", err)
	}
	return n
}

func countAllSessions(t *testing.T, app *testapp.App) int64 {
	t.Helper()
	var n int64
	if err := app.DB.Model(&models.Session{}).Count(&n).Error; err != nil {
		t.Fatalf("count sessions: %v", err)
	}
	return n
}

// auditCounts counts the audit events about userID by action.
func auditCounts(t *testing.T, app *testapp.App, userID string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, ev := range app.Audit(t, userID) {
		out[ev.Action]++
	}
	return out
}

func around(s string, i int) string {
	lo, hi := max(0, i-60), min(len(s), i+60)
	return s[lo:hi]
}

// location is the Location header a redirect to path has.
func location(path string) map[string]string { return map[string]string{"Location": path} }

// passwordChange is the password form changing current to next.
func passwordChange(current, next string) url.Values {
	return url.Values{"current_password": {current}, "new_password": {next}, "confirm_password": {next}}
}
