package handlers_test

import (
	"net/http"
	"net/url"
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
		c := app.ClientAs(t, "guest")
		testapp.Want(t, c.Get("/account/email"), http.StatusOK)
		testapp.Want(t, c.Get("/account/password"), http.StatusOK)

		ageAuth(t, app, guest.ID, 30*time.Second)
		testapp.Want(t, c.Get("/account/email"), http.StatusOK)

		ageAuth(t, app, guest.ID, 2*time.Minute)
		for _, s := range []testapp.Scenario{
			{Name: "email page", Path: "/account/email", Headers: location(confirmLocation("/account/email"))},
			{Name: "password page", Path: "/account/password", Headers: location(confirmLocation("/account/password"))},
			{Name: "password page with a query", Path: "/account/password?from=menu", Headers: location(confirmLocation("/account/password?from=menu"))},
			{Name: "password change", Method: http.MethodPost, Path: "/account/password", Form: passwordChange(guestPassword, "Sandbar#Kite-4821"),
				Headers: location(confirmLocation("/account/password"))},
			{Name: "email change", Method: http.MethodPost, Path: "/account/email", Form: url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}, "current_password": {guestPassword}},
				Headers: location(confirmLocation("/account/email"))},
		} {
			// (Nor does the Location carry the password.)
			s.Status = http.StatusSeeOther
			t.Run(s.Name, func(t *testing.T) { s.Send(t, c) })
		}
		after := app.User(t, guestLogin)
		if after.PasswordHash != guest.PasswordHash || after.Email != guest.Email {
			t.Errorf("a change went through without a recent password check")
		}

		// htmx is sent there as a full-page navigation.
		testapp.Scenario{Method: http.MethodPost, Path: "/account/email", HTMX: true,
			Form:   url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}, "current_password": {guestPassword}},
			Status: http.StatusOK, Headers: map[string]string{"HX-Redirect": confirmLocation("/account/email")}}.Send(t, c)
		// The live checklist is not a change and is not held up.
		testapp.Scenario{Method: http.MethodPost, Path: "/account/password/check", HTMX: true, Form: url.Values{"new_password": {"abc"}}, Status: http.StatusOK}.Send(t, c)
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
		c := app.ClientAs(t, "guest")
		ageAuth(t, app, guest.ID, 2*time.Minute)
		testapp.Scenario{Path: "/account/email", Status: http.StatusSeeOther, Headers: location("/account/confirm?next=%2Faccount%2Femail")}.Send(t, c)

		testapp.Scenario{Path: "/account/confirm?next=%2Faccount%2Femail", Status: http.StatusOK,
			Text: map[string]string{"h1": "Confirm your password", "#confirm-form form@action": "/account/confirm", "#confirm-form form@hx-post": "/account/confirm",
				"#confirm-form form input[type=hidden][name=next]@value": "/account/email", "input#password@type": "password"},
			Labels: map[string]string{"password": "Password"},
			Count:  map[string]int{"#confirm-form form[method=post i]": 1, `#confirm-form form input[type=hidden][name=_csrf]:not([value=""])`: 1}}.Send(t, c)

		// Empty: asked for, not counted.
		testapp.Scenario{Method: http.MethodPost, Path: "/account/confirm", Form: url.Values{"next": {"/account/email"}},
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"password": "Enter your password"}}.Send(t, c)
		// Wrong: 422, counted as a failed sign-in, never echoed.
		const wrong = "Wr0ng#Guess-typed"
		testapp.Scenario{Method: http.MethodPost, Path: "/account/confirm", Form: url.Values{"next": {"/account/email"}, "password": {wrong}},
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"password": "Your password is incorrect"},
			Summary: []string{"Your password is incorrect"}, Text: map[string]string{"input#password@aria-invalid": "true", "#confirm-form input[name=next]@value": "/account/email"},
			NotInBody: []string{wrong}}.Send(t, c)
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
		testapp.Scenario{Method: http.MethodPost, Path: "/account/confirm", Form: url.Values{"next": {"/account/email"}, "password": {guestPassword}},
			Status: http.StatusSeeOther, Headers: location("/account/email")}.Send(t, c)
		if now := c.SessionCookie(); now == "" || now == old {
			t.Errorf("session cookie: got %q, want a new value", now)
		}
		if liveSession(t, app, old) {
			t.Errorf("old session id: got live, want ended")
		}
		testapp.Scenario{Name: "the old cookie", Path: "/account", Header: http.Header{"Cookie": {"myaccount_session=" + old}}, Status: http.StatusSeeOther}.Run(t, app)
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
		testapp.Want(t, c.Post("/account/email", url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}, "current_password": {guestPassword}}), http.StatusSeeOther)
		if got := app.User(t, guestLogin).PendingEmail; got != "maya@example.org" {
			t.Errorf("pending email: got %q, want maya@example.org", got)
		}
	})
}

// next is followed only when it stays on this site; otherwise the
// confirmation goes to /account.
func TestReauthConfirmSafeNext(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tc := range []struct{ next, want string }{
		{"/account/password", "/account/password"},
		{"", "/account"},
		{"//evil.example", "/account"},
		{"https://evil.example/account", "/account"},
		{`/\evil.example`, "/account"},
		{"/\t/evil.example", "/account"},
		{"javascript:alert(1)", "/account"},
	} {
		scenarios = append(scenarios,
			testapp.Scenario{Name: "GET next=" + tc.next, As: "guest", Path: "/account/confirm?next=" + url.QueryEscape(tc.next), Shared: true,
				Status: http.StatusOK, Text: map[string]string{"#confirm-form input[name=next]@value": tc.want}},
			testapp.Scenario{Name: "POST next=" + tc.next, As: "guest", Method: http.MethodPost, Path: "/account/confirm", Form: url.Values{"next": {tc.next}, "password": {guestPassword}}, Shared: true,
				Status: http.StatusSeeOther, Headers: location(tc.want)})
	}
	testapp.RunScenarios(t, scenarios)
}

// POST /account/confirm — with htmx a wrong password swaps the form in
// with 422, and success navigates with HX-Redirect; without a token, 403.
func TestReauthConfirmHTMXAndCSRF(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.ClientAs(t, "guest")
		old := c.SessionCookie()
		testapp.Want(t, c.PostNoCSRF("/account/confirm", url.Values{"next": {"/account/email"}, "password": {guestPassword}}), http.StatusForbidden)
		if c.SessionCookie() != old {
			t.Errorf("a refused confirmation changed the session")
		}

		testapp.Scenario{Method: http.MethodPost, Path: "/account/confirm", Form: url.Values{"next": {"/account/email"}, "password": {"nope"}}, HTMX: true,
			Status: http.StatusUnprocessableEntity, Fragment: true, Count: map[string]int{"section#confirm-form": 1}}.Send(t, c)
		testapp.Scenario{Method: http.MethodPost, Path: "/account/confirm", Form: url.Values{"next": {"/account/email"}, "password": {guestPassword}}, HTMX: true,
			Status: http.StatusOK, Headers: map[string]string{"HX-Redirect": "/account/email"}}.Send(t, c)
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
		c := app.ClientAs(t, "guest")
		for i := 1; i < limit; i++ {
			testapp.Want(t, c.Post("/account/confirm", url.Values{"password": {"Wrong#2026"}}), http.StatusUnprocessableEntity)
		}
		testapp.Scenario{Name: "at the limit", Method: http.MethodPost, Path: "/account/confirm", Form: url.Values{"password": {"Wrong#2026"}},
			Status: http.StatusSeeOther, Headers: location("/login")}.Send(t, c)
		if d := deviceBudget(t, app, guest.ID); !d.Budget().LockedAt(time.Now()) || d.Locks != 1 {
			t.Errorf("device: got %+v, want paused once", d)
		}
		if u := app.User(t, guestLogin); u.Status != models.StatusActive {
			t.Errorf("account: got status %s, want ACTIVE (a pause is not a lock)", u.Status)
		}
		if n := countSessions(t, app, guest.ID); n != 0 {
			t.Errorf("sessions: got %d, want 0", n)
		}
		// When to try again.
		testapp.Scenario{Path: "/login", Text: map[string]string{"[data-testid=notice]": "Too many wrong passwords. You can try again after *"}}.Send(t, c)
		testapp.Want(t, c.Get("/account"), http.StatusSeeOther)
		// This browser cannot sign in during the pause, even with the
		// right password; another one can.
		testapp.Want(t, c.Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}}), http.StatusUnprocessableEntity)
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
		c := app.ClientAs(t, "guest")
		ageAuth(t, app, guest.ID, 2*time.Minute)
		testapp.Want(t, c.Get("/account/password"), http.StatusOK)
		// The confirmation page itself is not held by the forced change.
		testapp.Want(t, c.Get("/account/confirm?next=%2Faccount%2Fpassword"), http.StatusOK)
		testapp.Want(t, c.Post("/account/password", passwordChange(guestPassword, "Sandbar#Kite-4821")), http.StatusSeeOther)
		if app.User(t, guestLogin).MustChangePassword {
			t.Errorf("must_change_password: still set after the change")
		}
		// Now an ordinary user again, with a fresh check from the change.
		testapp.Want(t, c.Get("/account/email"), http.StatusOK)
	})
}
