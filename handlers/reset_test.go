package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
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

// mailingApp is an app on b that sends its mail over SMTP to the mailbox
// it returns, started with flags besides.
func mailingApp(t *testing.T, b testapp.Backend, flags ...string) (*testapp.App, *testapp.Mailbox) {
	t.Helper()
	mb := testapp.NewMailbox(t)
	return testapp.New(t, b, append(mb.Flags(), flags...)...), mb
}

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
		app, mb := mailingApp(t, b)
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
		app, mb := mailingApp(t, b)
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
		app, mb := mailingApp(t, b, "--reset-rate-ip", "2")
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

const (
	newPassword     = "Harbour#Kite-2027"
	msgChanged      = "Your password has been changed. Sign in with your new password."
	changedSubject  = "Your Sandpiper Bay password was changed"
	msgTooShort     = "New password must have at least 6 characters*"
	resetPagePath   = "/password/reset"
	resetCheckPath  = "/password/reset/check"
	msgLinkNoLonger = "This link no longer works"
)

// mailedLink asks for a link for login and returns the link the mail
// holds, as a path and query.
func mailedLink(t *testing.T, app *testapp.App, mb *testapp.Mailbox, login string) string {
	t.Helper()
	askForLink(t, app.Client(t), login)
	return mb.Next(t).Link(t, resetPagePath)
}

// tokenOf is the token a mailed link carries.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("link %q: no token", link)
	}
	return u.Query().Get("token")
}

// followLink opens a mailed link with c, as a browser does: the token
// moves into a cookie and out of the address, and the page comes without
// it, keeping its address out of any Referer. It returns the page.
func followLink(t *testing.T, c *testapp.Client, link string) *testapp.Response {
	t.Helper()
	token := tokenOf(t, link)
	page := strings.SplitN(link, "?", 2)[0]
	testapp.Scenario{Name: "follow the link", Path: link, Status: http.StatusSeeOther,
		Headers: map[string]string{"Location": page, "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}}.Send(t, c)
	res := c.Get(page)
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("link page: Referrer-Policy: got %q, want no-referrer", got)
	}
	if strings.Contains(res.Body, token) {
		t.Errorf("link page: the token is in the page")
	}
	return res
}

// chooseOnLink submits the link page's form with pw typed twice.
func chooseOnLink(pw string) url.Values {
	return url.Values{"new_password": {pw}, "confirm_password": {pw}}
}

// The whole way of a guest who forgot their password: ask, follow the
// mailed link, see the checklist, have a weak password refused, choose a
// good one. Every session of the account ends, the old password stops
// working and the new one works, the notice is mailed and both steps are
// audited; the token is in no log line, and the link works once.
func TestResetPasswordByLink(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		elsewhere := app.Client(t)
		elsewhere.SignInGuest()
		link := mailedLink(t, app, mb, guestLogin)
		c := app.Client(t)
		page := followLink(t, c, link)
		testapp.Scenario{Name: "the link page", Status: http.StatusOK,
			Text:   map[string]string{"h1": "Choose a new password", "#new_password@hx-post": resetCheckPath, "#reset-form form@action": resetPagePath},
			Labels: map[string]string{"new_password": "New password", "confirm_password": "Re-enter new password"},
			Count:  map[string]int{`[data-testid="password-rules"]`: 1, `#reset-form input[type=hidden][name=_csrf]:not([value=""])`: 1},
		}.Check(t, page)
		testapp.Scenario{Name: "the live checklist", Method: http.MethodPost, Path: resetCheckPath, Form: url.Values{"new_password": {"abc"}}, HTMX: true,
			Status: http.StatusOK, Count: map[string]int{`[data-rule="length"][data-met="false"]`: 1, `[data-rule="lower"][data-met="true"]`: 1}}.Send(t, c)

		before := app.User(t, guestLogin)
		testapp.Scenario{Name: "a weak password", Method: http.MethodPost, Path: resetPagePath, Form: chooseOnLink("weak"),
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"new_password": msgTooShort}, Invalid: []string{"new_password"},
			NotInBody: []string{"weak\""}}.Send(t, c)
		if after := app.User(t, guestLogin); after.PasswordHash != before.PasswordHash {
			t.Fatalf("a refused password was stored")
		}
		testapp.Scenario{Name: "a good password", Method: http.MethodPost, Path: resetPagePath, Form: chooseOnLink(newPassword),
			Status: http.StatusSeeOther, Headers: location("/login")}.Send(t, c)
		testapp.Scenario{Name: "sent to sign in", Path: "/login", Status: http.StatusOK,
			Text: map[string]string{`[data-testid="notice"]`: msgChanged}}.Send(t, c)
		testapp.Scenario{Name: "the other session ended", Path: "/account", Status: http.StatusSeeOther, Headers: location("/login*")}.Send(t, elsewhere)
		testapp.Scenario{Name: "the old password", Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {guestLogin}, "password": {guestPassword}},
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"login": msgNoMatch}}.Run(t, app)
		app.Client(t).SignIn(guestLogin, newPassword)
		if msg := mb.Next(t); msg.Subject != changedSubject || msg.To[0] != guestEmail {
			t.Errorf("notice: got %q to %v, want %q", msg.Subject, msg.To, changedSubject)
		}

		var actions []string
		for _, ev := range app.Audit(t, before.ID) {
			actions = append(actions, ev.Action)
		}
		for _, want := range []string{models.ActionResetLinkSent, models.ActionPasswordSetByLink} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit: got %v, want %s among them", actions, want)
			}
		}
		// The link works once.
		again := app.Client(t)
		followLink(t, again, link)
		res := again.Get(resetPagePath)
		testapp.Scenario{Name: "the link used again", Status: http.StatusGone,
			Text: map[string]string{"h1": msgLinkNoLonger, `[data-testid="link-dead"] a@href`: "/password/forgot"}}.Check(t, res)
		if strings.Contains(app.Log.String(), tokenOf(t, link)) {
			t.Errorf("the log holds the token")
		}
	})
}

// wantDeadLink follows link with a new client and wants the page of a
// link that no longer works, with its cookie dropped; a POST of a
// password through it is refused the same way, and changes nothing.
func wantDeadLink(t *testing.T, app *testapp.App, link string) {
	t.Helper()
	c := app.Client(t)
	followLink(t, c, link)
	before := app.User(t, guestLogin)
	for _, s := range []testapp.Scenario{
		{Name: "open a dead link", Path: resetPagePath},
		{Name: "choose a password through a dead link", Method: http.MethodPost, Path: resetPagePath, Form: chooseOnLink(newPassword)},
	} {
		// Each request finds the cookie again, as a second tab would.
		followLink(t, c, link)
		s.Status = http.StatusGone
		s.Text = map[string]string{"h1": msgLinkNoLonger, `[data-testid="link-dead"] a@href`: "/password/forgot"}
		s.Headers = map[string]string{"Set-Cookie": "*myaccount_link=;*Max-Age=0*"}
		s.Send(t, c)
	}
	if after := app.User(t, guestLogin); after.PasswordHash != before.PasswordHash {
		t.Errorf("a dead link changed the password")
	}
}

// A link is refused once used, once expired, once a newer one was sent,
// and once the password changed some other way; and without one, the
// page is refused the same way.
func TestResetLinkRefused(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		t.Run("used", func(t *testing.T) {
			link := mailedLink(t, app, mb, guestLogin)
			c := app.Client(t)
			followLink(t, c, link)
			testapp.Want(t, c.Post(resetPagePath, chooseOnLink(newPassword)), http.StatusSeeOther)
			mb.Next(t) // the notice
			wantDeadLink(t, app, link)
		})
		t.Run("older than a newer one", func(t *testing.T) {
			older := mailedLink(t, app, mb, guestLogin)
			newer := mailedLink(t, app, mb, guestEmail)
			wantDeadLink(t, app, older)
			testapp.Want(t, followLink(t, app.Client(t), newer), http.StatusOK)
		})
		t.Run("made before a password change", func(t *testing.T) {
			link := mailedLink(t, app, mb, guestLogin)
			c := app.Client(t)
			c.SignIn(guestLogin, newPassword)
			testapp.Want(t, c.Post("/account/password", passwordChange(newPassword, "Other#Tide-2028")), http.StatusSeeOther)
			mb.Next(t) // the notice
			wantDeadLink(t, app, link)
		})
		t.Run("sent to an address the account no longer has", func(t *testing.T) {
			link := mailedLink(t, app, mb, guestLogin)
			guest := app.User(t, guestLogin)
			admin := app.ClientAs(t, "admin")
			testapp.Want(t, admin.Post("/admin/users/"+guest.ID, url.Values{"email": {"maya.elsewhere@example.org"}, "roles": {models.RoleCustomer},
				"version": {version(t, app, guestLogin)}}), http.StatusSeeOther)
			mb.Next(t) // the notice to the old address
			wantDeadLink(t, app, link)
		})
		t.Run("no link at all", func(t *testing.T) {
			testapp.Scenario{Path: resetPagePath, Status: http.StatusGone, Text: map[string]string{"h1": msgLinkNoLonger}}.Run(t, app)
			testapp.Scenario{Path: resetPagePath + "?token=" + strings.Repeat("x", 43)}.Run(t, app)
			testapp.Scenario{Method: http.MethodPost, Path: resetCheckPath, Form: url.Values{"new_password": {"abc"}}, Status: http.StatusNoContent}.Run(t, app)
		})
	})
}

// A link past its lifetime is refused.
func TestResetLinkExpires(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b, "--reset-link-valid-for", "1s")
		link := mailedLink(t, app, mb, guestLogin)
		time.Sleep(1500 * time.Millisecond)
		wantDeadLink(t, app, link)
	})
}

// A password the guest had before, or has now, is refused on the link's
// page with the password form's message, and the link still works.
func TestResetRefusesAnEarlierPassword(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		c := app.ClientAs(t, "guest")
		testapp.Want(t, c.Post("/account/password", passwordChange(guestPassword, newPassword)), http.StatusSeeOther)
		mb.Next(t) // the notice
		link := mailedLink(t, app, mb, guestLogin)
		followLink(t, c, link)
		for pw, msg := range map[string]string{
			guestPassword: "New password must not be one of your last 5 passwords",
			newPassword:   "New password must be different from your current password",
		} {
			testapp.Scenario{Name: msg, Method: http.MethodPost, Path: resetPagePath, Form: chooseOnLink(pw),
				Status: http.StatusUnprocessableEntity, Errors: map[string]string{"new_password": msg}}.Send(t, c)
		}
		testapp.Want(t, c.Post(resetPagePath, chooseOnLink("Fresh#Dune-2029")), http.StatusSeeOther)
	})
}

// A reset lifts a pause of signing in that wrong passwords caused; with
// the merchant's "sign in after choosing a new password" on, the holder
// of the link is signed in on the spot.
func TestResetLiftsAPauseAndSignsIn(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		stranger := app.Client(t)
		for range 5 {
			stranger.Post("/login", url.Values{"login": {guestLogin}, "password": {"Wrong#0000"}})
		}
		mb.Next(t) // the lock's notice
		if u := app.User(t, guestLogin); u.LockedUntil == nil {
			t.Fatalf("five wrong passwords did not pause signing in")
		}
		app.DB.Model(&models.Merchant{}).Where("code = ?", "sandpiper").Update("sign_in_after_reset", true)
		c := app.Client(t)
		followLink(t, c, mailedLink(t, app, mb, guestLogin))
		testapp.Scenario{Name: "choose", Method: http.MethodPost, Path: resetPagePath, Form: chooseOnLink(newPassword),
			Status: http.StatusSeeOther, Headers: location("/account")}.Send(t, c)
		testapp.Scenario{Name: "signed in", Path: "/account", Status: http.StatusOK,
			Text: map[string]string{`[data-testid="notice"]`: "Your password has been changed. You are signed in."}}.Send(t, c)
		u := app.User(t, guestLogin)
		if u.LockedUntil != nil || u.FailedLoginCount != 0 || u.LockoutCount != 0 {
			t.Errorf("pause: got locked until %v, %d failures, %d locks; want none", u.LockedUntil, u.FailedLoginCount, u.LockoutCount)
		}
		// A stranger's browser, which never signed in, may sign in again.
		app.Client(t).SignIn(guestLogin, newPassword)
	})
}

// An admin sends a guest a link to choose a new password from the guest's
// record: the mail names the admin, the sending is audited as theirs, and
// the link works. A user without an address is refused, and nothing goes.
func TestAdminSendsResetLink(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		admin, guest := app.User(t, "demo.admin"), app.User(t, guestLogin)
		c := app.ClientAs(t, "admin")
		testapp.Scenario{Name: "the button", Path: "/admin/users/" + guest.ID, Status: http.StatusOK,
			Text: map[string]string{`button[data-action="send-reset-link"]`: "Send a password reset link"}}.Send(t, c)
		testapp.Scenario{Name: "send", Method: http.MethodPost, Path: "/admin/users/" + guest.ID + "/send-reset-link",
			Status: http.StatusSeeOther, Headers: location("/admin/users/" + guest.ID)}.Send(t, c)
		testapp.Scenario{Name: "sent", Path: "/admin/users/" + guest.ID,
			Text: map[string]string{`[data-testid="notice"]`: "A link to choose a new password has been sent to " + guestEmail + "."}}.Send(t, c)
		msg := mb.Next(t)
		if msg.Subject != resetSubject || msg.To[0] != guestEmail || !strings.Contains(msg.Text, "Sam Okafor, an administrator of Sandpiper Bay") {
			t.Errorf("mail: got %q to %v:\n%s\nwant it to name the admin", msg.Subject, msg.To, msg.Text)
		}
		if ev := app.Audit(t, guest.ID)[0]; ev.Action != models.ActionResetLinkSent || ev.ActorID == nil || *ev.ActorID != admin.ID {
			t.Errorf("audit: got %s by %v, want %s by the admin", ev.Action, ev.ActorID, models.ActionResetLinkSent)
		}
		if after := app.User(t, guestLogin); after.PasswordHash != guest.PasswordHash || after.MustChangePassword {
			t.Errorf("sending a link changed the password")
		}
		testapp.Want(t, followLink(t, app.Client(t), msg.Link(t, resetPagePath)), http.StatusOK)

		app.DB.Model(&models.User{}).Where("id = ?", guest.ID).Update("email", "")
		testapp.Want(t, c.Post("/admin/users/"+guest.ID+"/send-reset-link", nil), http.StatusSeeOther)
		testapp.Scenario{Name: "no address", Path: "/admin/users/" + guest.ID,
			Text: map[string]string{`[data-testid="notice"]`: "This user has no email address, so no link can be sent. Add one with Edit first."}}.Send(t, c)
		mb.None(t, noMail)
	})
}

// A reset link went to the account's address: choosing a password with
// it proves the address is the user's.
func TestResetLinkVerifiesTheAddress(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		u := unverifiedGuest(t, app)
		link := mailedLink(t, app, mb, u.Username)
		c := app.Client(t)
		followLink(t, c, link)
		testapp.Want(t, c.Post(resetPagePath, chooseOnLink(newPassword)), http.StatusSeeOther)
		if after := app.User(t, u.Username); !after.EmailVerified || after.EmailVerifiedAt == nil {
			t.Errorf("after a reset by link: verified %v at %v", after.EmailVerified, after.EmailVerifiedAt)
		}
	})
}
