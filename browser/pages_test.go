package browser

import (
	"strings"
	"testing"
	"time"

	"myaccount/internal/browsertest"
)

const (
	guestEmail = "demo.guest@example.com"
	newEmail   = "maya.new@example.org"
)

// submitFailed waits for the error summary a refused submit shows, and
// fails the test unless it took focus and names each of msgs.
func submitFailed(t *testing.T, p *browsertest.Page, msgs ...string) {
	t.Helper()
	p.WaitFor("[data-testid=error-summary]")
	wantFocus(t, p, "after a failed submit", "error-summary")
	summary := p.Text("[data-testid=error-summary]")
	for _, msg := range msgs {
		if !strings.Contains(summary, msg) {
			t.Errorf("error summary: got %q, want %q in it", summary, msg)
		}
	}
}

// refuse clicks the button that submits a form the server refuses, and
// checks the state name that follows, as submitFailed does.
func refuse(t *testing.T, p *browsertest.Page, button, name string, msgs ...string) {
	t.Helper()
	p.Click("button", button)
	submitFailed(t, p, msgs...)
	p.Check(name)
}

// wantTitle fails the test unless the page's heading in the title is
// heading.
func wantTitle(t *testing.T, p *browsertest.Page, heading string) {
	t.Helper()
	want(t, "title at "+p.Path(), p.Title(), heading+" – My Account")
}

// checkTitled checks the state name once the title says heading.
func checkTitled(t *testing.T, p *browsertest.Page, heading, name string) {
	t.Helper()
	wantTitle(t, p, heading)
	p.Check(name)
}

// notice waits for the page's message and fails the test unless it
// starts with prefix.
func notice(t *testing.T, p *browsertest.Page, prefix string) {
	t.Helper()
	p.WaitFor("[data-testid=notice]")
	if got := p.Text("[data-testid=notice]"); !strings.HasPrefix(got, prefix) {
		t.Errorf("message at %s: got %q, want it to start with %q", p.Path(), got, prefix)
	}
}

// A wrong password is refused on the sign-in page; once in, the overview
// says there was a failed attempt. Pages that do not exist, and one a
// guest may not open, say so, signed out and in; the API reference is a
// page too.
func TestSignInAndErrorPages(t *testing.T) {
	_, p := start(t)
	p.Go("/no-such-page")
	wantTitle(t, p, "Page not found")
	want(t, "nav signed out", p.Has("nav[aria-label=Account]"), false)
	p.Check("not-found")
	p.Go("/api/docs")
	p.WaitFor("h1")
	p.Check("api-docs")

	p.Go("/login")
	p.Fill("Username or email", "demo.guest")
	p.Fill("Password", "not the password")
	p.Click("button", "Sign in")
	submitFailed(t, p)
	want(t, "lock hint after a refusal", p.Has("[data-testid=lock-hint]"), true)
	p.Check("sign-in-errors")
	signIn(t, p, "demo.guest", "Guest#2026")
	notice(t, p, "")
	p.Check("account-failed-attempt")

	p.Go("/no-such-page")
	wantTitle(t, p, "Page not found")
	want(t, "way back", p.Has("[data-testid=error-page] a[href='/account']"), true)
	p.Check("not-found-signed-in")
	p.Go("/admin/users")
	checkTitled(t, p, "You cannot open this page", "forbidden")
}

// A guest asks for a new email address: a refused submit, then the
// overview with the change waiting, a link sent again, the pages of the
// mailed links (a dead one, cancel, confirm) before and after their
// click.
func TestEmailChange(t *testing.T) {
	_, mb, p := startMailing(t)
	signIn(t, p, "demo.guest", "Guest#2026")
	p.Follow("link", "Email")
	want(t, "current nav item", p.Text("[aria-current=page]"), "Email")
	p.Check("email")
	markPage(p)
	askForEmail(t, p, newEmail, "maya.other@example.org", "wrong password")
	submitFailed(t, p, "Your current password is incorrect")
	wantSamePage(t, p)
	p.Check("email-errors")
	askForEmail(t, p, newEmail, newEmail, "Guest#2026")
	notice(t, p, "We have sent a link to "+newEmail)
	wantSamePage(t, p)
	p.Check("email-sent")
	first := mb.ByRecipient(t, 2)

	p.Go("/account")
	want(t, "pending address on the overview", strings.Contains(p.Text("[data-testid=pending-email] dd"), newEmail), true)
	p.Check("account-email-pending")
	p.Follow("button", "Send the link again")
	notice(t, p, "We have sent a new link to "+newEmail)
	p.Check("account-email-resent")
	again := mb.ByRecipient(t, 1)

	p.Go(first[newEmail].Link(t, "/email/confirm"))
	checkTitled(t, p, "This link no longer works", "email-link-dead")
	p.Go(first[guestEmail].Link(t, "/email/cancel"))
	checkTitled(t, p, "Cancel the email change", "email-link-cancel")
	p.Follow("button", "Cancel the change")
	checkTitled(t, p, "Email change cancelled", "email-link-cancelled")

	p.Go(again[newEmail].Link(t, "/email/confirm"))
	wantTitle(t, p, "This link no longer works")
	p.Go("/account/email")
	askForEmail(t, p, newEmail, newEmail, "Guest#2026")
	notice(t, p, "We have sent a link to "+newEmail)
	last := mb.ByRecipient(t, 2)
	p.Go(last[newEmail].Link(t, "/email/confirm"))
	checkTitled(t, p, "Confirm your email address", "email-link-confirm")
	p.Follow("button", "Confirm email address")
	checkTitled(t, p, "Email address confirmed", "email-link-confirmed")
}

// askForEmail fills in and submits the email form.
func askForEmail(t *testing.T, p *browsertest.Page, email, again, password string) {
	t.Helper()
	p.Fill("New email", email)
	p.Fill("Re-enter email", again)
	p.Fill("Current password", password)
	p.Click("button", "Change email")
}

// A guest signed in elsewhere twice signs one of those sessions out, then
// all the others.
func TestSessions(t *testing.T) {
	app, p := start(t)
	for range 2 {
		app.Client(t).SignInGuest()
	}
	signIn(t, p, "demo.guest", "Guest#2026")
	p.Follow("link", "Sessions")
	want(t, "sessions listed", p.Count("[data-testid=session]"), 3)
	p.Check("sessions")
	markPage(p)
	device := p.Text("[data-testid=session]:not([data-current]) [data-testid=session-device]")
	p.Click("button", "Sign out "+device)
	p.WaitUntil(`document.querySelectorAll("[data-testid=session]").length === 2`)
	wantSamePage(t, p)
	notice(t, p, "")
	p.Check("sessions-one-signed-out")
	p.Click("button", "Sign out all other sessions")
	p.WaitFor("[data-testid=no-other-sessions]")
	want(t, "sessions left", p.Count("[data-testid=session]"), 1)
	p.Check("sessions-others-signed-out")
}

// A guest whose last password check is old confirms their password
// before the email page opens, after a wrong one. The check's time is
// kept in whole seconds, so a window of 3 s leaves the page after the
// confirmation at least 2 s to open, however busy the machine.
func TestConfirmPassword(t *testing.T) {
	_, p := startWith(t, []string{"--reauth-after", "3s"})
	signIn(t, p, "demo.guest", "Guest#2026")
	time.Sleep(3100 * time.Millisecond)
	p.Follow("link", "Email")
	want(t, "sent to confirm", strings.HasPrefix(p.Path(), "/account/confirm"), true)
	p.Check("confirm")
	p.Fill("Password", "not the password")
	refuse(t, p, "Confirm", "confirm-errors", "Your password is incorrect")
	p.Fill("Password", "Guest#2026")
	p.Follow("button", "Confirm")
	want(t, "back where the guest was going", p.Path(), "/account/email")
}

// A guest who forgot their password asks for a link, chooses a password
// on the page it opens, after a refused one, and finds the link spent.
func TestForgotPassword(t *testing.T) {
	_, mb, p := startMailing(t)
	p.Go("/login")
	p.Follow("link", "Forgot your password?")
	p.Check("forgot")
	refuse(t, p, "Send me a link", "forgot-errors")
	p.Fill("Username or email", "demo.guest")
	p.Click("button", "Send me a link")
	notice(t, p, "If an account matches, we have sent a link")
	p.Check("forgot-sent")

	link := mb.ByRecipient(t, 1)[guestEmail].Link(t, "/password/reset")
	p.Go(link)
	want(t, "the link's page", p.Path(), "/password/reset")
	checkTitled(t, p, "Choose a new password", "reset")
	p.Fill("New password", "Tq8#vL2m!Rz5@Wk9")
	p.Fill("Re-enter new password", "Tq8#vL2m!Rz5@Wk8")
	refuse(t, p, "Save password", "reset-errors")
	p.Fill("New password", "Tq8#vL2m!Rz5@Wk9")
	p.Fill("Re-enter new password", "Tq8#vL2m!Rz5@Wk9")
	p.Follow("button", "Save password")
	notice(t, p, "Your password has been changed.")
	p.Check("reset-done")
	p.Go(link)
	checkTitled(t, p, "This link no longer works", "reset-link-dead")
}
