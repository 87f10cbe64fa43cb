package handlers_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// passwordDoor is a signed-in page that asks for the password.
type passwordDoor struct {
	name, path, field string
	form              func(password string) url.Values
}

var passwordDoors = []passwordDoor{
	{"confirm", "/account/confirm", "password", func(pw string) url.Values {
		return url.Values{"password": {pw}, "next": {"/account"}}
	}},
	{"password_form", "/account/password", "current_password", func(pw string) url.Values {
		return url.Values{"current_password": {pw}, "new_password": {"Sandbar#Kite-4821"}, "confirm_password": {"Sandbar#Kite-4821"}}
	}},
	{"email_form", "/account/email", "current_password", func(pw string) url.Values {
		return url.Values{"current_password": {pw}, "new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}}
	}},
}

// Every door that asks a signed-in user for their password counts wrong
// ones like sign-in does: a stolen session cannot guess the password by
// trying the password or email form a hundred times. At the limit the
// session that spent the budget is signed out, and the right password
// typed next changes nothing.
func TestEveryPasswordDoorIsCounted(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		for _, door := range passwordDoors {
			t.Run(door.name, func(t *testing.T) {
				app := testapp.New(t, b)
				guest := app.User(t, guestLogin)
				limit := app.Merchant(t, "sandpiper").MaxFailedLogins
				c := app.Client(t)
				c.SignInGuest()
				for i := 1; i < limit; i++ {
					testapp.Scenario{Name: fmt.Sprintf("attempt %d", i), Method: http.MethodPost, Path: door.path, Form: door.form("Wrong#2026"),
						Status: http.StatusUnprocessableEntity, Errors: map[string]string{door.field: "*password is incorrect"}}.Send(t, c)
				}
				// A right password on the way starts again: the owner's typo
				// costs nothing.
				if door.name == "confirm" {
					testapp.Want(t, c.Post(door.path, door.form(guestPassword)), http.StatusSeeOther)
					if got := deviceBudget(t, app, guest.ID).Failures; got != 0 {
						t.Fatalf("after the right password: got %d failures, want 0", got)
					}
					for i := 1; i < limit; i++ {
						testapp.Want(t, c.Post(door.path, door.form("Wrong#2026")), http.StatusUnprocessableEntity)
					}
				}
				testapp.Scenario{Name: "at the limit", Method: http.MethodPost, Path: door.path, Form: door.form("Wrong#2026"),
					Status: http.StatusSeeOther, Headers: location("/login")}.Send(t, c)
				if n := countSessions(t, app, guest.ID); n != 0 {
					t.Errorf("sessions after the limit: got %d, want 0", n)
				}
				// The right password now changes nothing: the session is gone.
				testapp.Want(t, c.Post(door.path, door.form(guestPassword)), http.StatusSeeOther)
				after := app.User(t, guestLogin)
				if after.PasswordHash != guest.PasswordHash || after.Email != guest.Email {
					t.Errorf("the right password after the limit changed the account")
				}
				evs := 0
				for _, ev := range app.Audit(t, guest.ID) {
					if ev.Action == models.ActionPasswordCheckFailed {
						evs++
						if len(ev.Changes) != 1 || ev.Changes[0].New != door.name {
							t.Errorf("failed check event: got changes %+v, want the page %s", ev.Changes, door.name)
						}
					}
				}
				want := limit
				if door.name == "confirm" {
					want = 2*limit - 1
				}
				if evs != want {
					t.Errorf("failed checks audited: got %d, want %d", evs, want)
				}
			})
		}
	})
}

// The rate limits apply at every door and count one account once: its
// username, its email and its signed-in pages share the account's bucket
// (a browser that signed in before has its own), and one address has one
// bucket across all accounts.
func TestRateLimitsCoverEveryDoor(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		t.Run("per account, by username or email", func(t *testing.T) {
			app := testapp.New(t, b, "--signin-rate-account", "3")
			c := app.Client(t)
			for _, login := range []string{guestLogin, guestEmail, strings.ToUpper(guestLogin)} {
				testapp.Want(t, c.Post("/login", url.Values{"login": {login}, "password": {"Wrong#2026"}}), http.StatusUnprocessableEntity)
			}
			testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {guestEmail}, "password": {guestPassword}},
				Status: http.StatusTooManyRequests, Headers: map[string]string{"Retry-After": "*"}}.Run(t, app)
			// Another account is not held up.
			app.Client(t).SignIn("demo.admin", "Admin#2026")
		})
		t.Run("per device, across the signed-in pages", func(t *testing.T) {
			app := testapp.New(t, b, "--signin-rate-account", "3")
			c := app.Client(t)
			c.SignInGuest()
			for _, door := range passwordDoors {
				testapp.Want(t, c.Post(door.path, door.form("Wrong#2026")), http.StatusUnprocessableEntity)
			}
			for _, door := range passwordDoors {
				testapp.Scenario{Name: door.name, Method: http.MethodPost, Path: door.path, Form: door.form(guestPassword),
					Status: http.StatusTooManyRequests, Errors: map[string]string{door.field: "Too many attempts. Wait *"}}.Send(t, c)
			}
			if after := app.User(t, guestLogin); after.Email != guestEmail {
				t.Errorf("a limited attempt changed the email")
			}
			// Strangers' attempts spend the account's bucket, not this
			// browser's: the owner was limited by their own attempts only.
			if got := deviceBudget(t, app, app.User(t, guestLogin).ID).Failures; got != 3 {
				t.Errorf("device failures: got %d, want the 3 checked", got)
			}
		})
		t.Run("per address, across accounts and doors", func(t *testing.T) {
			app := testapp.New(t, b, "--signin-rate-ip", "4")
			c := app.Client(t)
			c.SignInGuest()
			testapp.Want(t, c.Post("/account/confirm", url.Values{"password": {"Wrong#2026"}}), http.StatusUnprocessableEntity)
			testapp.Want(t, app.Client(t).Post("/login", url.Values{"login": {"nobody.here"}, "password": {"x"}}), http.StatusUnprocessableEntity)
			testapp.Want(t, app.Client(t).Post("/login", url.Values{"login": {"demo.admin"}, "password": {"x"}}), http.StatusUnprocessableEntity)
			testapp.Want(t, app.Client(t).Post("/login", url.Values{"login": {"demo.admin"}, "password": {"Admin#2026"}}), http.StatusTooManyRequests)
			testapp.Want(t, c.Post("/account/confirm", url.Values{"password": {guestPassword}}), http.StatusTooManyRequests)
		})
	})
}

// Lockout is no weapon: strangers who spend the account's budget pause
// only browsers that never signed in to it. The owner's browser keeps its
// own budget and signs in during the pause; once in, the owner is told
// how many password attempts failed since their last visit: the wrong
// ones and those refused, unread, during the pause.
func TestLockoutIsNoWeapon(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		limit := app.Merchant(t, "sandpiper").MaxFailedLogins
		owner := app.Client(t)
		owner.SignInGuest()
		testapp.Want(t, owner.Post("/logout", url.Values{}), http.StatusSeeOther)

		stranger := app.Client(t)
		for range limit + 3 {
			testapp.Want(t, stranger.Post("/login", url.Values{"login": {guestLogin}, "password": {"Wrong#2026"}}), http.StatusUnprocessableEntity)
		}
		if u := app.User(t, guestLogin); !u.Budget().LockedAt(time.Now()) {
			t.Fatalf("after the stranger's attempts: got %+v, want the account's budget paused", u.Budget())
		}
		// A browser that never signed in is paused, whatever it types.
		testapp.Want(t, app.Client(t).Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}}), http.StatusUnprocessableEntity)

		// The owner's browser signs in, and hears of the attempts.
		owner.SignInGuest()
		testapp.Scenario{Path: "/account", Text: map[string]string{`[data-testid="notice"]`: "9 failed password attempts were made on your account since you last signed in, the last on *" +
			"If that was not you, change your password."}}.Send(t, owner)
		testapp.Scenario{Name: "the next page: the notice shows once", Path: "/account", Absent: []string{`[data-testid="notice"]`}}.Send(t, owner)
		// The next sign-in has nothing to report.
		testapp.Want(t, owner.Post("/logout", url.Values{}), http.StatusSeeOther)
		owner.SignInGuest()
		testapp.Scenario{Name: "the next sign-in", Path: "/account", Text: map[string]string{`[data-testid="notice"]`: ""}}.Send(t, owner)
		// The owner's sign-in did not lift the strangers' pause.
		if u := app.User(t, guestLogin); !u.Budget().LockedAt(time.Now()) {
			t.Errorf("the owner's sign-in lifted the account's pause for everyone")
		}
	})
}

// While a signed-in page's budget is paused, the right and a wrong
// password get the same status and the same page: when to try again.
func TestPausedDoorIsNoOracle(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		c := app.Client(t)
		c.SignInGuest()
		until := time.Now().UTC().Add(7 * time.Minute)
		app.DB.Model(&models.Device{}).Where("user_id = ?", guest.ID).Updates(map[string]any{"locked_until": until, "lockout_count": 1})
		for _, door := range passwordDoors {
			paused := func(name, password string) *testapp.Response {
				return testapp.Scenario{Name: door.name + ", " + name + " password", Method: http.MethodPost, Path: door.path, Form: door.form(password),
					Status: http.StatusTooManyRequests, Headers: map[string]string{"Retry-After": "*"},
					Errors: map[string]string{door.field: "Too many wrong passwords. You can try again after " + until.Format("15:04") + "*"}}.Send(t, c)
			}
			right, wrong := paused("right", guestPassword), paused("wrong", "Wrong#2026")
			sel := "main"
			if a, b := section(t, right, sel), section(t, wrong, sel); a != b {
				t.Errorf("%s: the right password's page differs from a wrong one's:\n%s\n%s", door.name, a, b)
			}
		}
		after := app.User(t, guestLogin)
		if after.PasswordHash != guest.PasswordHash || after.Email != guest.Email || deviceBudget(t, app, guest.ID).Failures != 0 {
			t.Errorf("attempts during the pause changed something or were counted")
		}
		// Each is audited as refused, naming its page, and the pause
		// is no longer for it.
		if d := deviceBudget(t, app, guest.ID); d.LockedUntil == nil || d.LockedUntil.Sub(until).Abs() > time.Millisecond || d.Locks != 1 {
			t.Errorf("pause after the attempts: got until %v, %d locks; want %v, 1 (unchanged)", d.LockedUntil, d.Locks, until)
		}
		pages := map[string]int{}
		for _, ev := range app.Audit(t, guest.ID) {
			if ev.Action == models.ActionPasswordCheckRefused && len(ev.Changes) == 1 && ev.Changes[0].Field == "page" {
				pages[ev.Changes[0].New]++
			}
		}
		if want := map[string]int{"confirm": 2, "password_form": 2, "email_form": 2}; !maps.Equal(pages, want) {
			t.Errorf("audited as refused, by page: got %v, want %v", pages, want)
		}
	})
}

// An admin sees the pause on the user's page and can lift it, with the
// pauses of the user's devices.
func TestAdminSeesAndLiftsAPause(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		owner := app.Client(t)
		owner.SignInGuest()
		for range 5 {
			app.Client(t).Post("/login", url.Values{"login": {guestLogin}, "password": {"Wrong#2026"}})
			owner.Post("/account/confirm", url.Values{"password": {"Wrong#2026"}})
		}
		admin := adminClient(t, app)
		doc := admin.Get("/admin/users/" + guest.ID).Doc(t)
		sec := doc.Find(`[data-testid="section-security"]`)
		if txt := sec.Text(); !strings.Contains(txt, "Sign-in paused until") || strings.Contains(txt, "Not paused") || !strings.Contains(txt, "Devices with sign-in paused1") {
			t.Errorf("security section: got %q, want the pause and the paused device", strings.Join(strings.Fields(txt), " "))
		}
		if sec.Find(`form[action="/admin/users/`+guest.ID+`/unlock"] button`).Text() != "Unlock sign-in now" {
			t.Fatalf("no button to lift the pause")
		}
		testapp.Want(t, admin.Post("/admin/users/"+guest.ID+"/unlock", url.Values{}), http.StatusSeeOther)
		u := app.User(t, guestLogin)
		if u.LockedUntil != nil || u.LockoutCount != 0 || u.FailedLoginCount != 0 {
			t.Errorf("after unlock: got %+v", u.Budget())
		}
		var paused int64
		app.DB.Model(&models.Device{}).Where("user_id = ? AND locked_until IS NOT NULL", guest.ID).Count(&paused)
		if paused != 0 {
			t.Errorf("devices still paused after unlock: %d", paused)
		}
		app.Client(t).SignInGuest()
	})
}
