package handlers_test

import (
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// unverifiedGuest is an active demo guest of Sandpiper Bay whose address
// was never confirmed.
func unverifiedGuest(t *testing.T, app *testapp.App) *models.User {
	t.Helper()
	var u models.User
	err := app.DB.Where("merchant_id = ? AND status = ? AND email <> '' AND email_verified = ? AND username <> ?",
		app.Merchant(t, "sandpiper").ID, models.StatusActive, false, guestLogin).Order("username").Take(&u).Error
	if err != nil {
		t.Fatalf("no unverified demo guest: %v", err)
	}
	return &u
}

// The admin sees which addresses are confirmed, and can send a link that
// confirms one.
func TestAdminEmailVerification(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, mb.Flags()...)
		u := unverifiedGuest(t, app)
		admin := app.ClientAs(t, "admin")
		list := admin.Get("/admin/users?q=" + url.QueryEscape(u.Username))
		if row := list.Doc(t).Find(`tr[data-username="` + u.Username + `"] [data-testid="email-unverified"]`); row.Length() != 1 {
			t.Errorf("the list marks %s's address as not verified", u.Username)
		}
		testapp.Scenario{Path: "/admin/users/" + u.ID, Status: http.StatusOK,
			Contains: map[string][]string{`[data-testid="section-security"]`: {"Email verified", "Send a verification link"}}}.Send(t, admin)

		testapp.Want(t, admin.Post("/admin/users/"+u.ID+"/send-verification", url.Values{}), http.StatusSeeOther)
		testapp.Scenario{Path: "/admin/users/" + u.ID, Contains: map[string][]string{`[data-testid="notice"]`: {"has been sent to " + u.Email}}}.Send(t, admin)
		m := mb.Next(t)
		if !slices.Equal(m.To, []string{u.Email}) || !strings.Contains(m.Subject, "Confirm your email address") {
			t.Fatalf("verification: to %v %q", m.To, m.Subject)
		}
		reader := app.Client(t)
		testapp.Want(t, followLink(t, reader, m.Link(t, "/email/confirm")), http.StatusOK)
		testapp.Want(t, reader.Post("/email/confirm", url.Values{}), http.StatusOK)
		after := app.User(t, u.Username)
		if !after.EmailVerified || after.EmailVerifiedAt == nil || after.Email != u.Email {
			t.Errorf("after the click: verified %v at %v email %q", after.EmailVerified, after.EmailVerifiedAt, after.Email)
		}
		testapp.Scenario{Path: "/admin/users/" + u.ID, Contains: map[string][]string{`[data-testid="section-security"]`: {"Yes, since"}},
			NotInBody: []string{"Send a verification link"}}.Send(t, admin)
		counts := auditCounts(t, app, u.ID)
		if counts[models.ActionVerificationSent] != 1 || counts[models.ActionEmailVerified] != 1 {
			t.Errorf("audit: %v", counts)
		}
		// An account without an address is told so, and nothing is sent.
		app.DB.Model(&models.User{}).Where("id = ?", u.ID).Updates(map[string]any{"email": "", "email_verified": false})
		testapp.Want(t, admin.Post("/admin/users/"+u.ID+"/send-verification", url.Values{}), http.StatusSeeOther)
		testapp.Scenario{Path: "/admin/users/" + u.ID, Contains: map[string][]string{`[data-testid="notice"]`: {"no email address"}}}.Send(t, admin)
		mb.None(t, 300*time.Millisecond)
	})
}

// An address an admin or an integration sets is not proven: it is not
// verified, the old address is told who changed it, and the guest can
// confirm the new one themselves.
func TestEmailEditedForTheUser(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, mb.Flags()...)
		guest := app.User(t, guestLogin)
		admin := app.ClientAs(t, "admin")
		testapp.Want(t, admin.Post("/admin/users/"+guest.ID, url.Values{"email": {newEmail}, "roles": {models.RoleCustomer}, "version": {version(t, app, guestLogin)}}), http.StatusSeeOther)
		after := app.User(t, guestLogin)
		if after.Email != newEmail || after.EmailVerified || after.PreviousEmail != guestEmail {
			t.Fatalf("after the admin's edit: email %q verified %v previous %q", after.Email, after.EmailVerified, after.PreviousEmail)
		}
		told := mb.Next(t)
		if !slices.Equal(told.To, []string{guestEmail}) || !strings.Contains(told.Text, "Sam Okafor, an administrator of Sandpiper Bay") {
			t.Errorf("the old address is told which admin changed it: to %v\n%s", told.To, told.Text)
		}

		key, _ := newKey(t, app, "sandpiper", "Point of sale")
		const third = "maya.third@example.org"
		res := app.API(t).WithKey(key).Patch("/api/v1/users/"+guest.ID, map[string]any{"email": third}, testapp.JSON, nil).Want(http.StatusOK)
		if v, ok := res.User()["email_verified"].(bool); !ok || v {
			t.Errorf("email_verified in the API's answer: %v", res.User()["email_verified"])
		}
		told = mb.Next(t)
		if !slices.Equal(told.To, []string{newEmail}) || !strings.Contains(told.Text, "“Point of sale”") {
			t.Errorf("the old address is told which integration changed it: to %v\n%s", told.To, told.Text)
		}

		// The guest sees it is not confirmed, and confirms it.
		c := app.Client(t)
		c.SignIn(guestLogin, guestPassword)
		page := c.Get("/account")
		if page.Doc(t).Find(`[data-testid="email-unverified"]`).Length() != 1 {
			t.Errorf("the overview says the address is not verified")
		}
		testapp.Want(t, c.Post("/account/email/verify", url.Values{}), http.StatusSeeOther)
		link := mb.Next(t)
		if !slices.Equal(link.To, []string{third}) {
			t.Fatalf("the guest's own link went to %v", link.To)
		}
		testapp.Want(t, followLink(t, c, link.Link(t, "/email/confirm")), http.StatusOK)
		testapp.Want(t, c.Post("/email/confirm", url.Values{}), http.StatusOK)
		if !app.User(t, guestLogin).EmailVerified {
			t.Error("the guest's click did not verify the address")
		}
		if v, _ := app.API(t).WithKey(key).Get("/api/v1/users/"+guest.ID, nil).Want(http.StatusOK).User()["email_verified"].(bool); !v {
			t.Error("the API does not show the address as verified")
		}
		// The API cannot claim an address is verified.
		app.API(t).WithKey(key).OffContract().Patch("/api/v1/users/"+guest.ID, map[string]any{"email_verified": true}, testapp.JSON, nil).Want(http.StatusUnprocessableEntity)
	})
}

// The account is told when its password changes, by whom, and when wrong
// passwords lock it, with when, the device and the IP address.
func TestSecurityNotices(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, b, mb.Flags()...)
		c := app.Client(t)
		c.SignInGuest()
		const next = "Harbour!Lights77"
		testapp.Want(t, c.Post("/account/password", passwordChange(guestPassword, next)), http.StatusSeeOther)
		m := mb.Next(t)
		if !slices.Equal(m.To, []string{guestEmail}) || !strings.Contains(m.Subject, "password") {
			t.Fatalf("password notice: to %v %q", m.To, m.Subject)
		}
		for _, want := range []string{"Sandpiper Bay", "127.0.0.1", "IP address", "When", "was not you"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("password notice lacks %q:\n%s", want, m.Text)
			}
		}
		if strings.Contains(m.Text+m.HTML, next) {
			t.Error("the notice holds the password")
		}

		guest := app.User(t, guestLogin)
		admin := app.ClientAs(t, "admin")
		testapp.Want(t, admin.Post("/admin/users/"+guest.ID+"/reset-password", url.Values{}), http.StatusOK)
		m = mb.Next(t)
		if !strings.Contains(m.Text, "Sam Okafor") {
			t.Errorf("the notice of an admin's reset names the admin:\n%s", m.Text)
		}

		// Five wrong passwords pause sign-in: the account is told.
		for range 5 {
			app.Client(t).Post("/login", url.Values{"login": {guestLogin}, "password": {"Wrong#Guess2026"}})
		}
		m = mb.Next(t)
		if !slices.Equal(m.To, []string{guestEmail}) || !strings.Contains(strings.ToLower(m.Subject), "locked") {
			t.Fatalf("lock notice: to %v %q", m.To, m.Subject)
		}
		if !strings.Contains(m.Text, "UTC") || !strings.Contains(m.Text, "/password/forgot") {
			t.Errorf("the lock notice says until when, and how to choose a new password:\n%s", m.Text)
		}
	})
}

// An SMTP server that refuses for a while delays mail; none is lost and
// none is sent twice.
func TestMailSurvivesSMTPOutage(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		mb := testapp.NewMailbox(t)
		mb.Refuse(3)
		app := testapp.New(t, b, mb.Flags()...)
		c := app.Client(t)
		c.SignInGuest()
		const next = "Harbour!Lights77"
		testapp.Want(t, c.Post("/account/password", passwordChange(guestPassword, next)), http.StatusSeeOther)
		m := mb.Next(t)
		if !strings.Contains(m.Subject, "password") {
			t.Fatalf("delivered: %q", m.Subject)
		}
		if got := mb.Refused(); got != 3 {
			t.Errorf("refused: got %d, want 3", got)
		}
		mb.None(t, 500*time.Millisecond)
		var row models.OutboxMessage
		app.DB.Where("kind = ?", models.MailPasswordChanged).Take(&row)
		if row.Attempts != 3 || row.SentAt == nil {
			t.Errorf("outbox: failed attempts %d sent %v, want 3 and a time", row.Attempts, row.SentAt)
		}
	})
}

// smtp:// means STARTTLS is required: a server that does not offer it is
// not sent the message in the clear, and the message waits.
func TestMailRequiresSTARTTLS(t *testing.T) {
	mb := testapp.NewMailbox(t)
	plain := strings.TrimSuffix(mb.URL, "?tls=none")
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--smtp-url", plain, "--mail-retry-wait", "50ms")
	c := app.Client(t)
	c.SignInGuest()
	const next = "Harbour!Lights77"
	testapp.Want(t, c.Post("/account/password", passwordChange(guestPassword, next)), http.StatusSeeOther)
	mb.None(t, 700*time.Millisecond)
	var row models.OutboxMessage
	app.DB.Where("kind = ?", models.MailPasswordChanged).Take(&row)
	if row.SentAt != nil || row.Attempts == 0 || row.LastError == "" {
		t.Errorf("outbox: sent %v attempts %d error %q; want unsent, tried, with the reason", row.SentAt, row.Attempts, row.LastError)
	}
}

// Two instances on one PostgreSQL database share the outbox: every
// message is sent, and none twice.
func TestMailOnceAcrossInstances(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set: two instances need a shared PostgreSQL database")
	}
	mb := testapp.NewMailbox(t)
	dbURL := testapp.FreshSchema(t, base)
	apps := []*testapp.App{testapp.Start(t, dbURL, mb.Flags()...), testapp.Start(t, dbURL, mb.Flags()...)}
	var users []models.User
	apps[0].DB.Where("merchant_id = ? AND status = ? AND email <> '' AND username LIKE ?", apps[0].Merchant(t, "sandpiper").ID, models.StatusActive, "sandpiper.%").
		Order("username").Limit(20).Find(&users)
	if len(users) != 20 {
		t.Fatalf("found %d demo guests, want 20", len(users))
	}
	admins := []*testapp.Client{apps[0].ClientAs(t, "admin"), apps[1].ClientAs(t, "admin")}
	for i, u := range users {
		testapp.Want(t, admins[i%2].Post("/admin/users/"+u.ID+"/reset-password", url.Values{}), http.StatusOK)
	}
	got := map[string]int{}
	for range users {
		m := mb.Next(t)
		got[m.To[0]]++
	}
	mb.None(t, 500*time.Millisecond)
	for _, u := range users {
		if got[u.Email] != 1 {
			t.Errorf("%s got %d notices, want 1", u.Email, got[u.Email])
		}
	}
}
