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

const (
	resetSubject = "Choose a new password for Sandpiper Bay"
	// msgLinkSent is what every request for a link is told, with the
	// default lifetime of 30 minutes.
	msgLinkSent = "If an account matches, we have sent a link to its email address. It works for 30 minutes."
	// noMail is how long a test waits to see that no mail comes.
	noMail = 500 * time.Millisecond
)

// The sign-in page leads to the forgotten-password form: one field, its
// token, and a field error when it is left empty.
func TestForgotPasswordPage(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "the link on the sign-in page", Path: "/login", Shared: true, Status: http.StatusOK,
			Text: map[string]string{`a[data-testid="forgot-link"]`: "Forgot your password?", `a[data-testid="forgot-link"]@href`: "/password/forgot"}},
		{Name: "the form", Path: "/password/forgot", Shared: true, Status: http.StatusOK,
			Labels: map[string]string{"login": "Username or email"},
			Text:   map[string]string{"h1": "Forgot your password?", "#forgot-form form@hx-post": "/password/forgot"},
			Count:  map[string]int{`#forgot-form form input[type=hidden][name=_csrf]:not([value=""])`: 1}},
		{Name: "signed in, too", As: "guest", Path: "/password/forgot", Shared: true, Status: http.StatusOK,
			Labels: map[string]string{"login": "Username or email"}},
		{Name: "empty", Method: http.MethodPost, Path: "/password/forgot", Form: url.Values{"login": {"  "}}, Shared: true,
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"login": msgEnterLogin}, Invalid: []string{"login"}},
		{Name: "no token", Method: http.MethodPost, Path: "/password/forgot", Form: url.Values{"login": {guestLogin}}, NoCSRF: true, Shared: true,
			Status: http.StatusForbidden},
	})
}

// askForLink asks for a link for login on the forgotten-password page, as
// a browser without JavaScript does, and returns the message the page
// then shows.
func askForLink(t *testing.T, c *testapp.Client, login string) string {
	t.Helper()
	testapp.Scenario{Name: "ask for a link for " + login, Method: http.MethodPost, Path: "/password/forgot", Form: url.Values{"login": {login}},
		Status: http.StatusSeeOther, Headers: location("/password/forgot")}.Send(t, c)
	res := c.Get("/password/forgot")
	testapp.Want(t, res, http.StatusOK)
	return strings.TrimSpace(res.Doc(t).Find(`[data-testid="notice"]`).Text())
}

// A guest who forgot their password asks for a link by username or by
// email, and it is mailed to the account's address, naming the merchant;
// the sending is audited, with no actor.
func TestForgotPasswordMailsALink(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, mb.Flags()...)
		for _, login := range []string{guestLogin, "DEMO.Guest@example.com"} {
			if got := askForLink(t, app.Client(t), login); got != msgLinkSent {
				t.Errorf("%s: notice: got %q, want %q", login, got, msgLinkSent)
			}
			msg := mb.Next(t)
			if msg.Subject != resetSubject || len(msg.To) != 1 || msg.To[0] != guestEmail {
				t.Errorf("%s: mail: got %q to %v, want %q to %s", login, msg.Subject, msg.To, resetSubject, guestEmail)
			}
			if link := msg.Link(t, "/password/reset"); !strings.HasPrefix(link, "/password/reset?token=") {
				t.Errorf("%s: link: got %q", login, link)
			}
		}
		guest := app.User(t, guestLogin)
		ev := app.Audit(t, guest.ID)[0]
		if ev.Action != models.ActionResetLinkSent || ev.ActorID != nil {
			t.Errorf("audit: got %s by %v, want %s by nobody", ev.Action, ev.ActorID, models.ActionResetLinkSent)
		}
		// The lifetime the page names is the configured one.
		short := testapp.New(t, b, "--reset-link-valid-for", "2h")
		if got, want := askForLink(t, short.Client(t), "nobody.at.all"), strings.Replace(msgLinkSent, "30 minutes", "2 hours", 1); got != want {
			t.Errorf("notice with --reset-link-valid-for 2h: got %q, want %q", got, want)
		}
	})
}

// An unknown account, one without an address, a locked and an inactive
// one get the very answer a known one does, and no mail.
func TestForgotPasswordTellsNothing(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, mb.Flags()...)
		users := activeGuests(t, app, 3)
		noEmail, locked, inactive := users[0], users[1], users[2]
		app.DB.Model(&models.User{}).Where("id = ?", noEmail.ID).Update("email", "")
		app.DB.Model(&models.User{}).Where("id = ?", locked.ID).Update("status", models.StatusLocked)
		app.DB.Model(&models.User{}).Where("id = ?", inactive.ID).Update("status", models.StatusInactive)
		for _, login := range []string{"no.such.user", "nobody@example.com", noEmail.Username, locked.Username, locked.Email, inactive.Username} {
			if got := askForLink(t, app.Client(t), login); got != msgLinkSent {
				t.Errorf("%s: notice: got %q, want %q", login, got, msgLinkSent)
			}
		}
		mb.None(t, noMail)
		for _, u := range []*models.User{noEmail, locked, inactive} {
			if evs := app.Audit(t, u.ID); len(evs) > 0 && evs[0].Action == models.ActionResetLinkSent {
				t.Errorf("%s: a link was sent", u.Username)
			}
		}
	})
}

// activeGuests are n active guests of Sandpiper Bay with an address,
// besides the demo accounts.
func activeGuests(t *testing.T, app *testapp.App, n int) []*models.User {
	t.Helper()
	var out []*models.User
	err := app.DB.Where("merchant_id = ? AND status = ? AND email <> '' AND username NOT IN ?", app.Merchant(t, "sandpiper").ID, models.StatusActive,
		[]string{guestLogin, "demo.admin"}).Order("username").Limit(n).Find(&out).Error
	if err != nil || len(out) < n {
		t.Fatalf("%d active guests: got %d, %v", n, len(out), err)
	}
	return out
}

// Over --reset-rate-ip requests a minute from one address, the form is
// refused with 429 and Retry-After; over --reset-rate-account links an
// hour, the answer is the same as ever and no mail goes.
func TestForgotPasswordRateLimits(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, append(mb.Flags(), "--reset-rate-ip", "2")...)
		c := app.Client(t)
		askForLink(t, c, "no.such.user")
		askForLink(t, c, "no.such.other")
		testapp.Scenario{Name: "the third in a minute", Method: http.MethodPost, Path: "/password/forgot", Form: url.Values{"login": {guestLogin}},
			Status: http.StatusTooManyRequests, Headers: map[string]string{"Retry-After": "*"},
			Errors: map[string]string{"login": "Too many requests for a link from your network. Wait * seconds, then try again"}}.Send(t, c)
		mb.None(t, noMail)

		app = testapp.New(t, b, append(mb.Flags(), "--reset-rate-account", "1")...)
		if got := askForLink(t, app.Client(t), guestLogin); got != msgLinkSent {
			t.Fatalf("first: notice %q", got)
		}
		mb.Next(t)
		if got := askForLink(t, app.Client(t), guestEmail); got != msgLinkSent {
			t.Errorf("second in the hour: notice: got %q, want %q", got, msgLinkSent)
		}
		mb.None(t, noMail)
	})
}
