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

const newEmail = "maya.new@example.org"

// askForNewEmail signs the guest in and asks for newEmail, and returns
// the confirmation sent to it and the notice sent to the old address.
func askForNewEmail(t *testing.T, app *testapp.App, mb *testapp.Mailbox) (c *testapp.Client, confirm, notice *testapp.Message) {
	t.Helper()
	c = app.Client(t)
	c.SignInGuest()
	res := c.Post("/account/email", url.Values{"new_email": {newEmail}, "confirm_email": {newEmail}, "current_password": {guestPassword}})
	testapp.Want(t, res, http.StatusSeeOther)
	mails := mb.ByRecipient(t, 2)
	confirm, notice = mails[newEmail], mails[guestEmail]
	if confirm == nil || notice == nil {
		t.Fatalf("mail went to %v, want %s and %s", slices.Collect(func(yield func(string) bool) {
			for k := range mails {
				yield(k)
			}
		}), newEmail, guestEmail)
	}
	return c, confirm, notice
}

// A new address takes effect only once the link mailed to it is clicked;
// the old address is told twice: when it is asked for, with a way to
// cancel, and when it is done.
func TestEmailChangeByLink(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, mb.Flags()...)
		c, confirm, notice := askForNewEmail(t, app, mb)
		for _, m := range []*testapp.Message{confirm, notice} {
			if !slices.Equal(m.Parts, []string{"text/plain", "text/html"}) || !strings.Contains(m.Text, "Sandpiper Bay") {
				t.Errorf("message %q: parts %v; it must be multipart and name the merchant:\n%s", m.Subject, m.Parts, m.Text)
			}
		}
		if !strings.Contains(notice.Text, newEmail) || !strings.Contains(notice.Text, "127.0.0.1") {
			t.Errorf("the notice to the old address names the new one and where the request came from:\n%s", notice.Text)
		}

		// Until the click, the address stays, and the overview says what waits.
		guest := app.User(t, guestLogin)
		if guest.Email != guestEmail || guest.PendingEmail != newEmail || !guest.EmailVerified {
			t.Fatalf("before the click: email %q pending %q verified %v", guest.Email, guest.PendingEmail, guest.EmailVerified)
		}
		testapp.Scenario{Path: "/account", Status: http.StatusOK,
			Contains: map[string][]string{`[data-testid="pending-email"]`: {newEmail, "Send the link again", "Cancel"}}}.Send(t, c)

		// Opened on another device, signed out: the page asks for a click,
		// and opening it changes nothing (mail scanners open links).
		other := app.Client(t)
		link := confirm.Link(t, "/email/confirm")
		page := followLink(t, other, link)
		testapp.Want(t, page, http.StatusOK)
		if !strings.Contains(page.Body, newEmail) || page.Doc(t).Find(`form[action="/email/confirm"] button`).Length() != 1 {
			t.Fatalf("the confirm page names the address and has one button:\n%s", page.Body)
		}
		if app.User(t, guestLogin).Email != guestEmail {
			t.Fatal("opening the link changed the address")
		}
		done := other.Post("/email/confirm", url.Values{})
		testapp.Want(t, done, http.StatusOK)
		if !strings.Contains(done.Body, "is now") {
			t.Errorf("after the click the page says what happened:\n%s", done.Body)
		}
		after := app.User(t, guestLogin)
		if after.Email != newEmail || after.PreviousEmail != guestEmail || after.PendingEmail != "" || !after.EmailVerified {
			t.Errorf("after the click: email %q previous %q pending %q verified %v", after.Email, after.PreviousEmail, after.PendingEmail, after.EmailVerified)
		}
		changed := mb.Next(t)
		if !slices.Equal(changed.To, []string{guestEmail}) || !strings.Contains(changed.Subject, "was changed") || !strings.Contains(changed.Text, newEmail) {
			t.Errorf("the old address is told the change was made: to %v %q\n%s", changed.To, changed.Subject, changed.Text)
		}

		// Spent: the link works once, and the cancel link ends with it.
		testapp.Want(t, followLink(t, app.Client(t), link), http.StatusGone)
		testapp.Want(t, followLink(t, app.Client(t), notice.Link(t, "/email/cancel")), http.StatusGone)

		counts := auditCounts(t, app, guest.ID)
		if counts[models.ActionEmailChangeRequested] != 1 || counts[models.ActionEmailChange] != 1 {
			t.Errorf("audit: %v", counts)
		}
		for _, m := range []*testapp.Message{confirm, notice} {
			for _, l := range []string{"/email/confirm", "/email/cancel"} {
				if strings.Contains(m.Text, l) && strings.Contains(app.Log.String(), tokenOf(t, m.Link(t, l))) {
					t.Errorf("the log holds the token of %s", l)
				}
			}
		}
		// Signing in with the new address works; the old one names no one.
		c2 := app.Client(t)
		c2.SignIn(newEmail, guestPassword)
		testapp.Want(t, c2.Get("/account"), http.StatusOK)
	})
}

// The old address's link cancels the change; so does the overview's
// button. Either way the confirmation link stops working.
func TestEmailChangeCancel(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, mb.Flags()...)
		c, confirm, notice := askForNewEmail(t, app, mb)

		reader := app.Client(t)
		page := followLink(t, reader, notice.Link(t, "/email/cancel"))
		testapp.Want(t, page, http.StatusOK)
		if !strings.Contains(page.Body, newEmail) || page.Doc(t).Find(`form[action="/email/cancel"] button`).Length() != 1 {
			t.Fatalf("the cancel page names the new address and has one button:\n%s", page.Body)
		}
		res := reader.Post("/email/cancel", url.Values{})
		testapp.Want(t, res, http.StatusOK)
		if !strings.Contains(res.Body, "was cancelled") || !strings.Contains(res.Body, "/password/forgot") {
			t.Errorf("after cancelling, the page says so and offers a new password:\n%s", res.Body)
		}
		guest := app.User(t, guestLogin)
		if guest.Email != guestEmail || guest.PendingEmail != "" {
			t.Errorf("after cancelling: email %q pending %q", guest.Email, guest.PendingEmail)
		}
		testapp.Want(t, followLink(t, app.Client(t), confirm.Link(t, "/email/confirm")), http.StatusGone)

		// Again, cancelled from the overview this time.
		res = c.Post("/account/email", url.Values{"new_email": {newEmail}, "confirm_email": {newEmail}, "current_password": {guestPassword}})
		testapp.Want(t, res, http.StatusSeeOther)
		second := mb.ByRecipient(t, 2)[newEmail]
		testapp.Want(t, c.Post("/account/email/cancel", url.Values{}), http.StatusSeeOther)
		testapp.Scenario{Path: "/account", Contains: map[string][]string{`[data-testid="notice"]`: {"was cancelled"}},
			Absent: []string{`[data-testid="pending-email"]`}}.Send(t, c)
		testapp.Want(t, followLink(t, app.Client(t), second.Link(t, "/email/confirm")), http.StatusGone)
		if n := auditCounts(t, app, guest.ID)[models.ActionEmailChangeCancelled]; n != 2 {
			t.Errorf("cancellations audited: got %d, want 2", n)
		}
		// Nothing is pending now: the button says so and does nothing.
		testapp.Want(t, c.Post("/account/email/cancel", url.Values{}), http.StatusSeeOther)
		testapp.Scenario{Path: "/account", Contains: map[string][]string{`[data-testid="notice"]`: {"No change of email is waiting"}}}.Send(t, c)
	})
}

// "Send the link again" sends a new link and ends the old one; past the
// hourly budget, it sends nothing and says why.
func TestEmailChangeResend(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, mb.Flags()...)
		c, first, _ := askForNewEmail(t, app, mb)
		testapp.Want(t, c.Post("/account/email/resend", url.Values{}), http.StatusSeeOther)
		again := mb.Next(t)
		if !slices.Equal(again.To, []string{newEmail}) {
			t.Fatalf("the link again went to %v", again.To)
		}
		testapp.Want(t, followLink(t, app.Client(t), first.Link(t, "/email/confirm")), http.StatusGone)
		for range models.MaxEmailLinksPerHour - 2 {
			testapp.Want(t, c.Post("/account/email/resend", url.Values{}), http.StatusSeeOther)
			mb.Next(t)
		}
		testapp.Want(t, c.Post("/account/email/resend", url.Values{}), http.StatusSeeOther)
		testapp.Scenario{Path: "/account", Contains: map[string][]string{`[data-testid="notice"]`: {"several links"}}}.Send(t, c)
		mb.None(t, 300*time.Millisecond)
		// Nor does a new change, which would send one more.
		res := c.Post("/account/email", url.Values{"new_email": {"third@example.org"}, "confirm_email": {"third@example.org"}, "current_password": {guestPassword}})
		testapp.Want(t, res, http.StatusTooManyRequests)
		if msg := testapp.FieldError(res.Doc(t), "new_email"); !strings.Contains(msg, "several links") {
			t.Errorf("a new change past the budget: %q", msg)
		}
	})
}

// An address another account took after the change was asked for is
// refused at the click, and the account keeps its address.
func TestEmailChangeTakenMeanwhile(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, mb.Flags()...)
		_, confirm, _ := askForNewEmail(t, app, mb)
		other := someGuestOf(t, app, "sandpiper")
		app.DB.Model(&models.User{}).Where("id = ?", other.ID).Update("email", newEmail)
		reader := app.Client(t)
		testapp.Want(t, followLink(t, reader, confirm.Link(t, "/email/confirm")), http.StatusOK)
		res := reader.Post("/email/confirm", url.Values{})
		testapp.Want(t, res, http.StatusConflict)
		if !strings.Contains(res.Body, "Another account now uses") {
			t.Errorf("the refusal says why:\n%s", res.Body)
		}
		if got := app.User(t, guestLogin); got.Email != guestEmail || got.PendingEmail != newEmail {
			t.Errorf("after the refusal: email %q pending %q", got.Email, got.PendingEmail)
		}
	})
}
