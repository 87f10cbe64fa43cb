package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// The reuse rule: a new password must differ from the current one and from
// the merchant's last N previous passwords, newest first. Each step changes
// the password from the current one to next, under history N.
func TestChangePasswordHistory(t *testing.T) {
	const a, b, c, d = "Guest#2026", "Better#2027", "Fresh#Pass42", "Tide&Harbour42"
	type step struct {
		next string
		want string // the refusal, or "" when the change is made
	}
	cases := []struct {
		name    string
		history int
		steps   []step
	}{
		{"five: back to the first after two changes is refused", 5, []step{
			{b, ""}, {c, ""},
			{a, "New password must not be one of your last 5 passwords"},
			{b, "New password must not be one of your last 5 passwords"},
			{d, ""},
		}},
		{"one: only the previous password is refused", 1, []step{
			{b, ""},
			{a, "New password must not be your previous password"},
			{c, ""},
			{a, ""}, // two changes back
		}},
		{"zero: only the current one is refused", 0, []step{
			{b, ""},
			{b, "New password must be different from your current password"},
			{a, ""},
		}},
	}
	testapp.ForEach(t, func(t *testing.T, bk testapp.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				app := testapp.New(t, bk)
				ctx := context.Background()
				m := app.Merchant(t, "sandpiper")
				m.PasswordPolicy.History = tc.history
				u := app.User(t, "demo.guest")
				users := app.Deps.Users
				current := a
				for i, s := range tc.steps {
					// The form's own rules first, as the handler runs them.
					in := models.PasswordChange{Current: current, New: s.next, Confirm: s.next}
					err := in.Validate(m.PasswordPolicy, u.PasswordOwner(m)).Err()
					if err == nil {
						_, err = users.ChangePassword(ctx, app.Deps.Hasher, m, u, store.PasswordChange{PasswordChange: in}, meta)
					}
					var fe models.FieldErrors
					switch {
					case s.want == "" && err != nil:
						t.Fatalf("step %d (%s): got %v, want the change made", i+1, s.next, err)
					case s.want == "":
						current = s.next
					case !errors.As(err, &fe) || !reflect.DeepEqual(fe["new_password"], []string{s.want}):
						t.Fatalf("step %d (%s): got %v, want %q", i+1, s.next, err, s.want)
					}
				}
				var rows int64
				app.DB.Model(&models.PasswordHistory{}).Where("user_id = ?", u.ID).Count(&rows)
				changes := 0
				for _, s := range tc.steps {
					if s.want == "" {
						changes++
					}
				}
				if int(rows) != changes {
					t.Errorf("history rows: got %d, want one per change (%d)", rows, changes)
				}
			})
		}
	})
}

// A reset keeps the replaced password in the history, so the guest cannot
// go back to it, and its temporary password passes every check.
func TestResetPasswordHistory(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, bk testapp.Backend) {
		app := testapp.New(t, bk)
		ctx := context.Background()
		users := app.Deps.Users
		m := app.Merchant(t, "sandpiper")
		admin, u := app.User(t, "demo.admin"), app.User(t, "demo.guest")
		temp, err := users.ResetPassword(ctx, app.Deps.Hasher, admin, m, u, meta)
		if err != nil {
			t.Fatalf("reset: %v", err)
		}
		if msgs := m.PasswordPolicy.CheckNew("Temporary password", temp, u.PasswordOwner(m)); len(msgs) > 0 {
			t.Errorf("temporary password: got %q, want it to pass every rule", msgs)
		}
		u = app.User(t, "demo.guest")
		_, err = users.ChangePassword(ctx, app.Deps.Hasher, m, u, store.PasswordChange{PasswordChange: models.PasswordChange{Current: temp, New: "Guest#2026", Confirm: "Guest#2026"}}, meta)
		var fe models.FieldErrors
		if !errors.As(err, &fe) || !reflect.DeepEqual(fe["new_password"], []string{"New password must not be one of your last 5 passwords"}) {
			t.Errorf("back to the password before the reset: got %v, want refused as reused", err)
		}
	})
}

// Under a policy with a lowest strength, the temporary password of a reset
// passes it too, for the user and their merchant.
func TestResetPasswordUnderNIST(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, bk testapp.Backend) {
		app := testapp.New(t, bk)
		ctx := context.Background()
		if err := app.DB.Model(&models.Merchant{}).Where("code = ?", "sandpiper").Updates(map[string]any{
			"password_min_length": 15, "password_min_lower": 0, "password_min_upper": 0, "password_min_digits": 0, "password_min_special": 0, "password_min_score": 3,
		}).Error; err != nil {
			t.Fatal(err)
		}
		m := app.Merchant(t, "sandpiper")
		if m.PasswordPolicy.Preset() != "nist" || m.PasswordPolicy.MinScore != 3 {
			t.Fatalf("merchant policy: got %+v, want NIST's", m.PasswordPolicy)
		}
		admin, u := app.User(t, "demo.admin"), app.User(t, "demo.guest")
		temp, err := app.Deps.Users.ResetPassword(ctx, app.Deps.Hasher, admin, m, u, meta)
		if err != nil {
			t.Fatalf("reset: %v", err)
		}
		if msgs := m.PasswordPolicy.CheckNew("Temporary password", temp, u.PasswordOwner(m)); len(msgs) > 0 {
			t.Errorf("temporary password: got %q, want it to pass every rule", msgs)
		}
	})
}

// Temporary passwords are random enough to be hard to guess: every draw
// scores at least 3, NIST's lowest, so a reset never fails for want of
// strength.
func TestTemporaryPasswordStrength(t *testing.T) {
	owner := models.PasswordOwner{Username: "demo.guest", Email: "demo.guest@example.com", FirstName: "Demo", LastName: "Guest", Merchant: "Sandpiper Bay"}
	for _, p := range []models.PasswordPolicy{models.VELAPolicy, models.NISTPolicy} {
		for range 1000 {
			pw, err := store.TemporaryPassword(p)
			if err != nil {
				t.Fatal(err)
			}
			if s := models.EstimateStrength(pw, owner); s.Score < 3 {
				t.Fatalf("TemporaryPassword(%+v) = %q: got score %d, want at least 3", p, pw, s.Score)
			}
		}
	}
}

// Temporary passwords meet every policy and are never common passwords.
// (The reset also draws again in the unlikely case one contains the
// username; TestResetPasswordHistory checks the whole of it.)
func TestTemporaryPasswordPassesChecks(t *testing.T) {
	for _, p := range []models.PasswordPolicy{models.VELAPolicy, models.NISTPolicy, {MinLength: 64, MinLower: 16, MinUpper: 16, MinDigits: 16, MinSpecial: 16, MinScore: 3}} {
		for range 200 {
			pw, err := store.TemporaryPassword(p)
			if err != nil {
				t.Fatal(err)
			}
			if msgs := p.CheckNew("Temporary password", pw, models.PasswordOwner{}); msgs != nil {
				t.Fatalf("TemporaryPassword(%+v) = %q: got %q, want no message", p, pw, msgs)
			}
		}
	}
}
