package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

const (
	inviteSubject  = "Your Sandpiper Bay account is ready"
	invitedLogin   = "new.member"
	invitedEmail   = "new.member@example.com"
	msgInviteEmail = "Enter an email address to send the invitation to"
	msgNotInvited  = "This user is not waiting for an invitation: they have a password. To help them sign in, send a password reset link."
)

// invitation is the create form choosing an invitation for new.member.
func invitation() url.Values {
	return url.Values{"username": {invitedLogin}, "email": {invitedEmail}, "first_name": {"Sam"}, "last_name": {"New"},
		"roles": {models.RoleCustomer}, "first_sign_in": {models.FirstSignInInvite}, "password": {""}}
}

// invite creates new.member with an invitation as the admin c is, and
// returns the user and the link of the invitation's mail.
func invite(t *testing.T, app *testapp.App, mb *testapp.Mailbox, c *testapp.Client) (*models.User, string) {
	t.Helper()
	res := testapp.Scenario{Name: "create with an invitation", Method: http.MethodPost, Path: "/admin/users", Form: invitation(),
		Status: http.StatusSeeOther, Headers: location("/admin/users/*")}.Send(t, c)
	u := app.User(t, invitedLogin)
	testapp.Scenario{Name: "created", Path: res.Header.Get("Location"), Status: http.StatusOK,
		Text: map[string]string{`[data-testid="notice"]`: "The user new.member has been created and an invitation sent to " + invitedEmail + ".",
			`button[data-action="resend-invitation"]`: "Send the invitation again"}}.Send(t, c)
	msg := mb.Next(t)
	if msg.Subject != inviteSubject || msg.To[0] != invitedEmail || !strings.Contains(msg.Text, "Sam Okafor, an administrator of Sandpiper Bay") {
		t.Errorf("invitation: got %q to %v:\n%s\nwant it to name the admin", msg.Subject, msg.To, msg.Text)
	}
	return u, msg.Link(t, resetPagePath)
}

// The create form asks how the user will sign in the first time, with an
// invitation chosen, and the password in a part shown for the other
// choice only.
func TestInviteForm(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{Name: "the form", As: "admin", Path: "/admin/users/new", Status: http.StatusOK,
		Labels: map[string]string{"first_sign_in": "Send an invitation by email", "first_sign_in-password": "Set an initial password", "password": "Initial password"},
		Text: map[string]string{"fieldset:has(#first_sign_in) > legend": "How will they sign in the first time?",
			"#first_sign_in@value": models.FirstSignInInvite, `[data-shown-for="first_sign_in=password"] input@name`: "password"},
		Count: map[string]int{"#first_sign_in[checked]": 1, "#first_sign_in-password[checked]": 0}}})
}

// An admin invites a new member: the mail names the admin, its link opens
// "Choose your password", and choosing one makes the account usable and
// its address verified. Both steps are audited.
func TestInviteNewUser(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		admin := app.ClientAs(t, "admin")
		u, link := invite(t, app, mb, admin)
		if u.MustChangePassword || u.EmailVerified || u.PasswordChangedAt != nil {
			t.Errorf("invited: got must change %v, verified %v, changed %v; want none", u.MustChangePassword, u.EmailVerified, u.PasswordChangedAt)
		}
		var actions []string
		for _, ev := range app.Audit(t, u.ID) {
			actions = append(actions, ev.Action)
			if ev.Action == models.ActionInvited && (ev.ActorID == nil || *ev.ActorID != app.User(t, "demo.admin").ID) {
				t.Errorf("invitation: audited by %v, want the admin", ev.ActorID)
			}
		}
		if !slices.Contains(actions, models.ActionCreated) || !slices.Contains(actions, models.ActionInvited) {
			t.Errorf("audit: got %v, want the creation and the invitation", actions)
		}
		c := app.Client(t)
		testapp.Scenario{Name: "the invitation's page", Status: http.StatusOK,
			Text: map[string]string{"h1": "Choose your password"}, Contains: map[string][]string{`[data-testid="reset-intro"]`: {invitedLogin}},
			Labels: map[string]string{"new_password": "New password", "confirm_password": "Re-enter new password"}}.Check(t, followLink(t, c, link))
		testapp.Scenario{Name: "choose", Method: http.MethodPost, Path: resetPagePath, Form: chooseOnLink(newPassword),
			Status: http.StatusSeeOther, Headers: location("/login")}.Send(t, c)
		c.SignIn(invitedLogin, newPassword)
		after := app.User(t, invitedLogin)
		if !after.EmailVerified || after.EmailVerifiedAt == nil || after.MustChangePassword {
			t.Errorf("accepted: got verified %v at %v, must change %v; want verified", after.EmailVerified, after.EmailVerifiedAt, after.MustChangePassword)
		}
		if msg := mb.Next(t); msg.Subject != changedSubject || msg.To[0] != invitedEmail {
			t.Errorf("notice: got %q to %v", msg.Subject, msg.To)
		}
		testapp.Scenario{Name: "accepted", Path: "/admin/users/" + u.ID, Status: http.StatusOK,
			Absent: []string{`button[data-action="resend-invitation"]`}}.Send(t, admin)
	})
}

// An invitation needs an address, and a refused one creates nobody and
// mails nothing. With "Set an initial password", the user is created as
// before: a password they must change, and no mail.
func TestInviteNeedsAnEmail(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		admin := app.ClientAs(t, "admin")
		form := invitation()
		form.Set("email", "")
		testapp.Scenario{Name: "no address", Method: http.MethodPost, Path: "/admin/users", Form: form,
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"email": msgInviteEmail}, Invalid: []string{"email"},
			Count: map[string]int{"#first_sign_in[checked]": 1}}.Send(t, admin)
		var n int64
		app.DB.Model(&models.User{}).Where("username = ?", invitedLogin).Count(&n)
		if n != 0 {
			t.Errorf("a refused invitation created the user")
		}
		form = invitation()
		form.Set("first_sign_in", models.FirstSignInPassword)
		form.Set("password", "Start#2026")
		testapp.Scenario{Name: "an initial password", Method: http.MethodPost, Path: "/admin/users", Form: form,
			Status: http.StatusSeeOther}.Send(t, admin)
		u := app.User(t, invitedLogin)
		if !u.MustChangePassword {
			t.Errorf("initial password: must change %v, want true", u.MustChangePassword)
		}
		// Never invited, so nothing to send again.
		testapp.Scenario{Name: "no invitation to send again", Path: "/admin/users/" + u.ID, Absent: []string{`button[data-action="resend-invitation"]`}}.Send(t, admin)
		testapp.Want(t, admin.Post("/admin/users/"+u.ID+"/resend-invitation", nil), http.StatusSeeOther)
		testapp.Scenario{Name: "refused", Path: "/admin/users/" + u.ID, Text: map[string]string{`[data-testid="notice"]`: msgNotInvited}}.Send(t, admin)
		mb.None(t, noMail)
		testapp.Scenario{Name: "the first sign-in", Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {invitedLogin}, "password": {"Start#2026"}},
			Headers: location("/account/password")}.Run(t, app)
	})
}

// "Send the invitation again" mails a new link and ends the first; once
// the member has chosen a password it is refused. With the merchant's
// "sign in after choosing a new password" on, accepting signs them in.
func TestInviteAgain(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		admin := app.ClientAs(t, "admin")
		u, first := invite(t, app, mb, admin)
		again := "/admin/users/" + u.ID + "/resend-invitation"
		testapp.Scenario{Name: "again", Method: http.MethodPost, Path: again, Status: http.StatusSeeOther}.Send(t, admin)
		testapp.Scenario{Name: "sent again", Path: "/admin/users/" + u.ID,
			Text: map[string]string{`[data-testid="notice"]`: "A new invitation has been sent to " + invitedEmail + ". The link of the earlier one no longer works."}}.Send(t, admin)
		msg := mb.Next(t)
		if msg.Subject != inviteSubject {
			t.Fatalf("again: got %q", msg.Subject)
		}
		second := msg.Link(t, resetPagePath)
		res := app.Client(t)
		followLink(t, res, first)
		testapp.Want(t, res.Get(resetPagePath), http.StatusGone)

		app.DB.Model(&models.Merchant{}).Where("code = ?", "sandpiper").Update("sign_in_after_reset", true)
		c := app.Client(t)
		followLink(t, c, second)
		testapp.Scenario{Name: "accept", Method: http.MethodPost, Path: resetPagePath, Form: chooseOnLink(newPassword),
			Status: http.StatusSeeOther, Headers: location("/account")}.Send(t, c)
		testapp.Want(t, c.Get("/account"), http.StatusOK)
		mb.Next(t) // the notice

		testapp.Want(t, admin.Post(again, nil), http.StatusSeeOther)
		testapp.Scenario{Name: "accepted", Path: "/admin/users/" + u.ID,
			Text: map[string]string{`[data-testid="notice"]`: msgNotInvited}}.Send(t, admin)
		mb.None(t, noMail)
	})
}

// The JSON API creates a user with an invitation when asked with
// invite: true, which needs an email and takes no password.
func TestInviteByAPI(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		key, row := newKey(t, app, "sandpiper", "Website")
		c, h := app.Client(t), bearerHeader(key)
		body := map[string]any{"username": invitedLogin, "invite": true, "email": invitedEmail, "first_name": "Ana", "last_name": "Silva"}
		apiCall{name: "invite", method: http.MethodPost, path: "/api/v1/users", ctype: "json", body: body, header: h, status: http.StatusCreated,
			user: userHas(map[string]any{"username": invitedLogin, "email": invitedEmail})}.send(t, c)
		msg := mb.Next(t)
		if msg.Subject != inviteSubject || msg.To[0] != invitedEmail || !strings.Contains(msg.Text, "An administrator of Sandpiper Bay made you an account") {
			t.Errorf("invitation: got %q to %v:\n%s", msg.Subject, msg.To, msg.Text)
		}
		u := app.User(t, invitedLogin)
		if u.MustChangePassword {
			t.Errorf("invited by the API: must change the password")
		}
		if ev := app.Audit(t, u.ID)[0]; ev.Action != models.ActionInvited || ev.ActorKeyID == nil || *ev.ActorKeyID != row.ID {
			t.Errorf("audit: got %s by key %v, want the invitation by the key", ev.Action, ev.ActorKeyID)
		}
		testapp.Want(t, followLink(t, app.Client(t), msg.Link(t, resetPagePath)), http.StatusOK)

		for _, tc := range []apiCall{
			// Both break the document, which says so too.
			{name: "no email", off: true, body: map[string]any{"username": "x.member", "invite": true, "first_name": "A", "last_name": "B"},
				fields: map[string]string{"email": msgInviteEmail}},
			{name: "a password too", off: true, body: map[string]any{"username": "x.member", "invite": true, "email": "x@example.com", "password": "Sandbar#Kite-4821", "first_name": "A", "last_name": "B"},
				fields: map[string]string{"password": "Leave password out when invite is true"}},
			{name: "as a form", off: true, ctype: "form", body: url.Values{"username": {"y.member"}, "invite": {"true"}, "first_name": {"A"}, "last_name": {"B"}},
				fields: map[string]string{"email": msgInviteEmail}},
		} {
			tc.method, tc.path, tc.header, tc.status, tc.code = http.MethodPost, "/api/v1/users", h, http.StatusUnprocessableEntity, "validation_failed"
			if tc.ctype == "" {
				tc.ctype = "json"
			}
			tc.send(t, c)
		}
		mb.None(t, noMail)
	})
}
