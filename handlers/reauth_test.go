package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// ageAuth moves the guest's last password check back by ago, in the
// authenticated_at column only: the column is what counts.
func ageAuth(t *testing.T, app *testapp.App, userID string, ago time.Duration) {
	t.Helper()
	res := app.DB.Model(&models.Session{}).Where("user_id = ?", userID).Update("authenticated_at", time.Now().UTC().Add(-ago))
	if res.Error != nil || res.RowsAffected == 0 {
		t.Fatalf("age authenticated_at: got %d rows, %v", res.RowsAffected, res.Error)
	}
}

func confirmLocation(next string) string { return "/account/confirm?next=" + url.QueryEscape(next) }

// Changing the password or the email needs a password check no older than
// --reauth-after; older sessions are sent to confirm it, and everything
// else works as before.
func TestReauthRequired(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b, "--reauth-after", "1m")
		guest := app.User(t, guestLogin)
		c := app.Client(t)
		c.SignInGuest()
		testapp.Want(t, c.Get("/account/email"), http.StatusOK)
		testapp.Want(t, c.Get("/account/password"), http.StatusOK)

		ageAuth(t, app, guest.ID, 30*time.Second)
		testapp.Want(t, c.Get("/account/email"), http.StatusOK)

		ageAuth(t, app, guest.ID, 2*time.Minute)
		tests := []struct {
			name   string
			method string
			path   string
			form   url.Values
			want   string
		}{
			{"email page", http.MethodGet, "/account/email", nil, confirmLocation("/account/email")},
			{"password page", http.MethodGet, "/account/password", nil, confirmLocation("/account/password")},
			{"password page with a query", http.MethodGet, "/account/password?from=menu", nil, confirmLocation("/account/password?from=menu")},
			{"password change", http.MethodPost, "/account/password",
				url.Values{"current_password": {guestPassword}, "new_password": {"Sandbar#Kite-4821"}, "confirm_password": {"Sandbar#Kite-4821"}}, confirmLocation("/account/password")},
			{"email change", http.MethodPost, "/account/email",
				url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}, "current_password": {guestPassword}}, confirmLocation("/account/email")},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var res *testapp.Response
				if tc.method == http.MethodGet {
					res = c.Get(tc.path)
				} else {
					res = c.Post(tc.path, tc.form)
				}
				testapp.Want(t, res, http.StatusSeeOther)
				if got := res.Header.Get("Location"); got != tc.want {
					t.Errorf("Location: got %q, want %q", got, tc.want)
				}
				if strings.Contains(res.Header.Get("Location"), guestPassword) {
					t.Errorf("Location carries the password")
				}
			})
		}
		after := app.User(t, guestLogin)
		if after.PasswordHash != guest.PasswordHash || after.Email != guest.Email {
			t.Errorf("a change went through without a recent password check")
		}

		// htmx is sent there as a full-page navigation.
		c.HTMX = true
		res := c.Post("/account/email", url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}, "current_password": {guestPassword}})
		testapp.Want(t, res, http.StatusOK)
		if got := res.Header.Get("HX-Redirect"); got != confirmLocation("/account/email") {
			t.Errorf("htmx HX-Redirect: got %q, want %q", got, confirmLocation("/account/email"))
		}
		// The live checklist is not a change and is not held up.
		testapp.Want(t, c.Post("/account/password/check", url.Values{"new_password": {"abc"}}), http.StatusOK)
		c.HTMX = false
		for _, path := range []string{"/account", "/account/profile/edit", "/account/sessions"} {
			testapp.Want(t, c.Get(path), http.StatusOK)
		}
	})
}

// GET and POST /account/confirm — the form; a wrong password is 422 and
// counted; the right one rotates the session and goes back to next.
func TestReauthConfirm(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b, "--reauth-after", "1m")
		guest := app.User(t, guestLogin)
		c := app.Client(t)
		c.SignInGuest()
		ageAuth(t, app, guest.ID, 2*time.Minute)
		res := c.Get("/account/email")
		testapp.Want(t, res, http.StatusSeeOther)
		loc := res.Header.Get("Location")
		if loc != "/account/confirm?next=%2Faccount%2Femail" {
			t.Fatalf("Location: got %q, want /account/confirm?next=%%2Faccount%%2Femail", loc)
		}

		res = c.Get(loc)
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		if got := strings.TrimSpace(doc.Find("h1").Text()); got != "Confirm your password" {
			t.Errorf("h1: got %q, want Confirm your password", got)
		}
		if got := testapp.Label(doc, "password"); got != "Password" {
			t.Errorf("label: got %q, want Password", got)
		}
		form := doc.Find("#confirm-form form")
		if form.AttrOr("action", "") != "/account/confirm" || form.AttrOr("hx-post", "") != "/account/confirm" || !strings.EqualFold(form.AttrOr("method", ""), "post") {
			t.Errorf("form: got action %q hx-post %q method %q", form.AttrOr("action", ""), form.AttrOr("hx-post", ""), form.AttrOr("method", ""))
		}
		if form.Find("input[type=hidden][name=_csrf]").AttrOr("value", "") == "" {
			t.Errorf("form: got no _csrf token")
		}
		if got := form.Find("input[type=hidden][name=next]").AttrOr("value", ""); got != "/account/email" {
			t.Errorf("hidden next: got %q, want /account/email", got)
		}
		if typ := doc.Find("input#password").AttrOr("type", ""); typ != "password" {
			t.Errorf("password input type: got %q, want password", typ)
		}

		// Empty: asked for, not counted.
		res = c.Post("/account/confirm", url.Values{"next": {"/account/email"}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		if got := testapp.FieldError(res.Doc(t), "password"); got != "Enter your password" {
			t.Errorf("empty password: got %q, want Enter your password", got)
		}
		// Wrong: 422, counted as a failed sign-in, never echoed.
		const wrong = "Wr0ng#Guess-typed"
		res = c.Post("/account/confirm", url.Values{"next": {"/account/email"}, "password": {wrong}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		doc = res.Doc(t)
		if got := testapp.FieldError(doc, "password"); got != "Your password is incorrect" {
			t.Errorf("wrong password: got %q, want Your password is incorrect", got)
		}
		if got := testapp.SummaryMessages(doc); len(got) != 1 || got[0] != "Your password is incorrect" {
			t.Errorf("summary: got %q", got)
		}
		if got := doc.Find("input#password").AttrOr("aria-invalid", ""); got != "true" {
			t.Errorf("aria-invalid: got %q, want true", got)
		}
		if got := doc.Find("#confirm-form input[name=next]").AttrOr("value", ""); got != "/account/email" {
			t.Errorf("next kept: got %q, want /account/email", got)
		}
		if strings.Contains(res.Body, wrong) {
			t.Errorf("the page echoes the typed password")
		}
		// The browser signed in, so it spends its own budget, not the
		// account's.
		if got := deviceBudget(t, app, guest.ID).Failures; got != 1 {
			t.Errorf("device's failures: got %d, want 1", got)
		}
		if got := app.User(t, guestLogin).FailedLoginCount; got != 0 {
			t.Errorf("account's failed_login_count: got %d, want 0", got)
		}
		testapp.Want(t, c.Get("/account/email"), http.StatusSeeOther)

		// Right: a new session id, back to the page, the count starts again.
		old := c.SessionCookie()
		res = c.Post("/account/confirm", url.Values{"next": {"/account/email"}, "password": {guestPassword}})
		testapp.Want(t, res, http.StatusSeeOther)
		if got := res.Header.Get("Location"); got != "/account/email" {
			t.Errorf("Location: got %q, want /account/email", got)
		}
		if now := c.SessionCookie(); now == "" || now == old {
			t.Errorf("session cookie: got %q, want a new value", now)
		}
		if liveSession(t, app, old) {
			t.Errorf("old session id: got live, want ended")
		}
		replay := app.Client(t).Do(http.MethodGet, "/account", nil, http.Header{"Cookie": {"myaccount_session=" + old}})
		testapp.Want(t, replay, http.StatusSeeOther)
		testapp.Want(t, c.Get("/account/email"), http.StatusOK)
		if n := countSessions(t, app, guest.ID); n != 1 {
			t.Errorf("guest's sessions: got %d, want 1", n)
		}
		var row models.Session
		app.DB.Where("user_id = ?", guest.ID).Take(&row)
		if row.AuthenticatedAt == nil || time.Since(*row.AuthenticatedAt) > time.Minute {
			t.Errorf("authenticated_at: got %v, want about now", row.AuthenticatedAt)
		}
		if got := deviceBudget(t, app, guest.ID).Failures; got != 0 {
			t.Errorf("device's failures after confirming: got %d, want 0", got)
		}
		counts := auditCounts(t, app, guest.ID)
		if counts[models.ActionReauthenticated] != 1 || counts[models.ActionPasswordCheckFailed] != 1 {
			t.Errorf("audit: got %d re-authentications and %d failed checks, want 1 and 1", counts[models.ActionReauthenticated], counts[models.ActionPasswordCheckFailed])
		}

		// And the change goes through.
		res = c.Post("/account/email", url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}, "current_password": {guestPassword}})
		testapp.Want(t, res, http.StatusSeeOther)
		if got := app.User(t, guestLogin).Email; got != "maya@example.org" {
			t.Errorf("email: got %q, want maya@example.org", got)
		}
	})
}

// next is followed only when it stays on this site; otherwise the
// confirmation goes to /account.
func TestReauthConfirmSafeNext(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		for _, tc := range []struct{ next, want string }{
			{"/account/password", "/account/password"},
			{"", "/account"},
			{"//evil.example", "/account"},
			{"https://evil.example/account", "/account"},
			{`/\evil.example`, "/account"},
			{"/\t/evil.example", "/account"},
			{"javascript:alert(1)", "/account"},
		} {
			res := c.Get("/account/confirm?next=" + url.QueryEscape(tc.next))
			testapp.Want(t, res, http.StatusOK)
			if got := res.Doc(t).Find("#confirm-form input[name=next]").AttrOr("value", ""); got != tc.want {
				t.Errorf("GET next=%q: got hidden next %q, want %q", tc.next, got, tc.want)
			}
			res = c.Post("/account/confirm", url.Values{"next": {tc.next}, "password": {guestPassword}})
			testapp.Want(t, res, http.StatusSeeOther)
			if got := res.Header.Get("Location"); got != tc.want {
				t.Errorf("POST next=%q: got Location %q, want %q", tc.next, got, tc.want)
			}
		}
	})
}

// POST /account/confirm — with htmx a wrong password swaps the form in
// with 422, and success navigates with HX-Redirect; without a token, 403.
func TestReauthConfirmHTMXAndCSRF(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		old := c.SessionCookie()
		testapp.Want(t, c.PostNoCSRF("/account/confirm", url.Values{"next": {"/account/email"}, "password": {guestPassword}}), http.StatusForbidden)
		if c.SessionCookie() != old {
			t.Errorf("a refused confirmation changed the session")
		}

		c.HTMX = true
		res := c.Post("/account/confirm", url.Values{"next": {"/account/email"}, "password": {"nope"}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		if strings.Contains(strings.ToLower(res.Body), "<html") || res.Doc(t).Find("section#confirm-form").Length() != 1 {
			t.Errorf("htmx failure: got %q, want the form section alone", around(res.Body, 0))
		}
		res = c.Post("/account/confirm", url.Values{"next": {"/account/email"}, "password": {guestPassword}})
		testapp.Want(t, res, http.StatusOK)
		if got := res.Header.Get("HX-Redirect"); got != "/account/email" {
			t.Errorf("HX-Redirect: got %q, want /account/email", got)
		}
		if c.SessionCookie() == old {
			t.Errorf("session cookie after confirming: unchanged, want a new value")
		}
		testapp.Want(t, app.Client(t).Get("/account/confirm"), http.StatusSeeOther)
	})
}

// Wrong confirmations count like wrong sign-ins, so a stolen session
// cannot guess the password for ever: at the limit the budget pauses and
// the session that spent it is signed out, told when it may try again.
func TestReauthConfirmLocksAtLimit(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		limit := app.Merchant(t, "sandpiper").MaxFailedLogins
		c := app.Client(t)
		c.SignInGuest()
		for i := 1; i < limit; i++ {
			testapp.Want(t, c.Post("/account/confirm", url.Values{"password": {"Wrong#2026"}}), http.StatusUnprocessableEntity)
		}
		res := c.Post("/account/confirm", url.Values{"password": {"Wrong#2026"}})
		testapp.Want(t, res, http.StatusSeeOther)
		if got := res.Header.Get("Location"); got != "/login" {
			t.Errorf("Location at the limit: got %q, want /login", got)
		}
		if d := deviceBudget(t, app, guest.ID); !d.Budget().LockedAt(time.Now()) || d.Locks != 1 {
			t.Errorf("device: got %+v, want paused once", d)
		}
		if u := app.User(t, guestLogin); u.Status != models.StatusActive {
			t.Errorf("account: got status %s, want ACTIVE (a pause is not a lock)", u.Status)
		}
		if n := countSessions(t, app, guest.ID); n != 0 {
			t.Errorf("sessions: got %d, want 0", n)
		}
		if got := strings.TrimSpace(c.Get("/login").Doc(t).Find("[data-testid=notice]").Text()); !strings.HasPrefix(got, "Too many wrong passwords. You can try again after ") {
			t.Errorf("sign-in notice: got %q, want when to try again", got)
		}
		testapp.Want(t, c.Get("/account"), http.StatusSeeOther)
		// This browser cannot sign in during the pause, even with the
		// right password; another one can.
		res = c.Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		app.Client(t).SignInGuest()
	})
}

// deviceBudget is the only device of userID.
func deviceBudget(t *testing.T, app *testapp.App, userID string) *models.Device {
	t.Helper()
	var ds []models.Device
	app.DB.Where("user_id = ?", userID).Find(&ds)
	if len(ds) != 1 {
		t.Fatalf("devices of %s: got %d, want 1", userID, len(ds))
	}
	return &ds[0]
}

// A user who must change their password is not sent to confirm it first:
// the password form asks for the current password itself.
func TestReauthNotForForcedChange(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b, "--reauth-after", "1m")
		guest := app.User(t, guestLogin)
		app.DB.Model(&models.User{}).Where("id = ?", guest.ID).Update("must_change_password", true)
		c := app.Client(t)
		c.SignInGuest()
		ageAuth(t, app, guest.ID, 2*time.Minute)
		testapp.Want(t, c.Get("/account/password"), http.StatusOK)
		// The confirmation page itself is not held by the forced change.
		testapp.Want(t, c.Get("/account/confirm?next=%2Faccount%2Fpassword"), http.StatusOK)
		res := c.Post("/account/password", url.Values{"current_password": {guestPassword}, "new_password": {"Sandbar#Kite-4821"}, "confirm_password": {"Sandbar#Kite-4821"}})
		testapp.Want(t, res, http.StatusSeeOther)
		if app.User(t, guestLogin).MustChangePassword {
			t.Errorf("must_change_password: still set after the change")
		}
		// Now an ordinary user again, with a fresh check from the change.
		testapp.Want(t, c.Get("/account/email"), http.StatusOK)
	})
}
