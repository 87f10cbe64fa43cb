package store_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// linkToken is the token of the link in the next mail mb receives.
func linkToken(t *testing.T, mb *testapp.Mailbox) string {
	t.Helper()
	u, err := url.Parse(mb.Next(t).Link(t, "/password/reset"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// A password chosen through a link lifts the pauses of the account and of
// its devices, and ends every session; an admin's lock stays on, and the
// link works once.
func TestSetPasswordByLink(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, bk testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, bk, mb.Flags()...)
		ctx, users, hasher := context.Background(), app.Deps.Users, app.Deps.Hasher
		m, admin, u := app.Merchant(t, "sandpiper"), app.User(t, "demo.admin"), app.User(t, "demo.guest")
		until := time.Now().UTC().Add(time.Hour)
		app.DB.Create(&models.Device{ID: "device-of-the-guest", UserID: u.ID, Failures: 3, Locks: 2, LockedUntil: &until, CreatedAt: until, LastUsedAt: until})
		app.DB.Create(&models.Session{ID: "a-session-of-the-guest", UserID: &u.ID, Data: "{}", CreatedAt: until, LastSeenAt: until, ExpiresAt: until})
		if err := users.Lock(ctx, admin, u, meta); err != nil {
			t.Fatal(err)
		}
		u = app.User(t, "demo.guest")
		app.DB.Model(u).Updates(map[string]any{"locked_until": until, "failed_login_count": 4, "lockout_count": 1})
		if err := users.SendResetLink(ctx, m, admin, u, meta); err != nil {
			t.Fatalf("send: %v", err)
		}
		token := linkToken(t, mb)
		link, holder, err := users.Link(ctx, token, models.TokenReset)
		if err != nil {
			t.Fatalf("link: %v", err)
		}
		if err := users.SetPasswordByLink(ctx, hasher, m, link, holder, "Harbour#Kite-2027", meta); err != nil {
			t.Fatalf("set: %v", err)
		}
		after := app.User(t, "demo.guest")
		if after.LockedUntil != nil || after.FailedLoginCount != 0 || after.LockoutCount != 0 || after.MustChangePassword {
			t.Errorf("account budget: got %v, %d, %d, must change %v; want none", after.LockedUntil, after.FailedLoginCount, after.LockoutCount, after.MustChangePassword)
		}
		if after.Status != models.StatusLocked || after.LockedBy == nil || *after.LockedBy != admin.ID {
			t.Errorf("admin's lock: got status %s by %v, want it kept", after.Status, after.LockedBy)
		}
		var d models.Device
		app.DB.Where("id = ?", "device-of-the-guest").Take(&d)
		if d.LockedUntil != nil || d.Failures != 0 || d.Locks != 0 {
			t.Errorf("device: got %+v, want its pause lifted", d)
		}
		var sessions int64
		app.DB.Model(&models.Session{}).Where("user_id = ?", u.ID).Count(&sessions)
		if sessions != 0 {
			t.Errorf("sessions: got %d, want none", sessions)
		}
		if !hasher.Compare(ctx, after.PasswordHash, "Harbour#Kite-2027") {
			t.Errorf("the new password does not match")
		}
		// Spent: a second use of the same link, even from before it was
		// spent, is refused.
		if err := users.SetPasswordByLink(ctx, hasher, m, link, after, "Other#Tide-2028", meta); !errors.Is(err, models.ErrLinkInvalid) {
			t.Errorf("second use: got %v, want ErrLinkInvalid", err)
		}
		if _, _, err := users.Link(ctx, token, models.TokenReset); !errors.Is(err, models.ErrLinkInvalid) {
			t.Errorf("find a spent link: got %v, want ErrLinkInvalid", err)
		}
	})
}

// The admin's link names the admin; a link to an account without an
// address is refused, and nothing is sent.
func TestSendResetLink(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, bk testapp.Backend) {
		mb := testapp.NewMailbox(t)
		app := testapp.New(t, bk, mb.Flags()...)
		ctx, users := context.Background(), app.Deps.Users
		m, admin, u := app.Merchant(t, "sandpiper"), app.User(t, "demo.admin"), app.User(t, "demo.guest")
		if err := users.SendResetLink(ctx, m, admin, u, meta); err != nil {
			t.Fatalf("send: %v", err)
		}
		if msg := mb.Next(t); !strings.Contains(msg.Text, "Sam Okafor, an administrator of Sandpiper Bay, sent you a link") {
			t.Errorf("letter: got\n%s\nwant it to name the admin", msg.Text)
		}
		n, err := users.LinksSince(ctx, u.ID, models.TokenReset, time.Now().UTC().Add(-time.Hour))
		if err != nil || n != 1 {
			t.Errorf("links in the hour: got %d, %v; want 1", n, err)
		}
		u.Email = ""
		if err := users.SendResetLink(ctx, m, admin, u, meta); !errors.Is(err, models.ErrNoEmail) {
			t.Errorf("no address: got %v, want ErrNoEmail", err)
		}
		mb.None(t, 300*time.Millisecond)
	})
}
