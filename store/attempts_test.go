package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// lastFailedAgo dates the last wrong password of u's own budget (column
// last_failed_login_at) or of one of its devices (last_failed_at) d ago,
// and ends any temporary lock, as time passing would.
func lastFailedAgo(t *testing.T, app *testapp.App, model any, id, column string, d time.Duration) {
	t.Helper()
	err := app.DB.Model(model).Where("id = ?", id).
		Updates(map[string]any{column: time.Now().UTC().Add(-d), "locked_until": nil}).Error
	if err != nil {
		t.Fatalf("date the last failure: %v", err)
	}
}

// Failed sign-ins are forgotten when none has been typed for the
// merchant's reset time (Keycloak's "Failure reset time"): the next one
// counts from one, and the locks in a row start again too, so an old run
// neither locks sooner nor turns the next lock permanent. Within the reset
// time they count, and the merchant's permanent lock follows its rule.
func TestFailuresForgottenAfterResetTime(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		ctx := context.Background()
		m := app.Merchant(t, "sandpiper")
		if m.Lockout.ResetMinutes != 720 {
			t.Errorf("stored reset time: got %d minutes, want 720 (12 hours)", m.Lockout.ResetMinutes)
		}
		m.MaxFailedLogins, m.Lockout = 3, models.LockoutPolicy{FirstWaitMinutes: 5, MaxWaitMinutes: 60, ResetMinutes: 60, PermanentAfter: 1}
		u := app.User(t, "demo.guest")
		fail := func(step string, wantCount int, wantLocked bool) models.PasswordCheckOutcome {
			t.Helper()
			out, err := users.RecordFailedPasswordCheck(ctx, u, m, nil, models.ActionSignInFailed, nil, meta)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if got := app.User(t, "demo.guest"); out.Locked != wantLocked || (!wantLocked && got.FailedLoginCount != wantCount) {
				t.Fatalf("%s: got %+v and count %d, want locked %v, count %d", step, out, got.FailedLoginCount, wantLocked, wantCount)
			}
			return out
		}
		age := func(d time.Duration) { lastFailedAgo(t, app, &models.User{}, u.ID, "last_failed_login_at", d) }

		fail("first", 1, false)
		fail("second", 2, false)
		if got := app.User(t, "demo.guest").LastFailedLoginAt; got == nil || time.Since(*got) > time.Minute {
			t.Fatalf("last failure: got %v, want just now", got)
		}
		// Over an hour later, old failures no longer count.
		age(61 * time.Minute)
		fail("after the reset time", 1, false)
		// Within it, they count towards the lock.
		fail("again", 2, false)
		age(59 * time.Minute)
		if out := fail("third, 59 minutes later", 0, true); out.Permanent {
			t.Fatalf("first lock: got permanent, want temporary")
		}

		// Over an hour after it, the lock in a row is forgotten too: the
		// next lock is the first again, with the first wait, and not
		// permanent.
		age(61 * time.Minute)
		fail("after the reset time", 1, false)
		fail("again", 2, false)
		before := time.Now().UTC()
		out := fail("third after the reset time", 0, true)
		if out.Permanent || out.Until.Sub(before) > 6*time.Minute {
			t.Fatalf("lock after the reset time: got %+v, want a temporary lock of the first wait, 5 minutes", out)
		}
		if got := app.User(t, "demo.guest"); got.LockoutCount != 1 || got.Status != models.StatusActive {
			t.Fatalf("after the reset time: got %d locks in a row, status %s; want 1, ACTIVE", got.LockoutCount, got.Status)
		}

		// Within the reset time a lock in a row follows the merchant's
		// rule: the second is permanent.
		age(time.Minute)
		fail("after the pause", 1, false)
		fail("after the pause", 2, false)
		if out := fail("third after the pause", 0, true); !out.Permanent {
			t.Fatalf("second lock in a row: got %+v, want permanent", out)
		}
		if got := app.User(t, "demo.guest"); got.Status != models.StatusLocked {
			t.Errorf("after the permanent lock: got status %s, want LOCKED", got.Status)
		}
	})
}

// A device's budget forgets its old failures as the account's does, and
// leaves the account's own alone.
func TestDeviceFailuresForgotten(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		ctx := context.Background()
		m := app.Merchant(t, "sandpiper")
		m.MaxFailedLogins, m.Lockout.ResetMinutes = 3, 60
		u := app.User(t, "demo.guest")
		if err := users.RecordSignIn(ctx, u, nil, "device-hash-reset", meta); err != nil {
			t.Fatal(err)
		}
		d, err := users.Device(ctx, u.ID, "device-hash-reset")
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := users.RecordFailedPasswordCheck(ctx, u, m, d, models.ActionSignInFailed, nil, meta); err != nil {
				t.Fatal(err)
			}
		}
		lastFailedAgo(t, app, &models.Device{}, d.ID, "last_failed_at", 61*time.Minute)
		out, err := users.RecordFailedPasswordCheck(ctx, u, m, d, models.ActionSignInFailed, nil, meta)
		if err != nil {
			t.Fatal(err)
		}
		got, err := users.Device(ctx, u.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if out.Locked || got.Failures != 1 || d.Failures != 1 || got.LastFailedAt == nil {
			t.Errorf("device after an old run of two and one more: got %+v, stored %d failures (last %v), in memory %d; want 1, unlocked",
				out, got.Failures, got.LastFailedAt, d.Failures)
		}
		if acct := app.User(t, "demo.guest"); acct.FailedLoginCount != 0 || acct.LastFailedLoginAt != nil {
			t.Errorf("account budget: got %d failures, last %v; want untouched", acct.FailedLoginCount, acct.LastFailedLoginAt)
		}
	})
}

// A password typed during a pause or a lock is recorded as refused,
// naming its page, and spends no budget: it neither extends the pause nor
// counts towards the next. The count after the next sign-in holds it with
// the wrong ones, from the previous sign-in on.
func TestRefusedPasswordChecksAreTold(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users, audit := app.Deps.Users, app.Deps.Audit
		ctx := context.Background()
		m := app.Merchant(t, "sandpiper")
		u := app.User(t, "demo.guest")
		since := time.Now().UTC().Add(-time.Second)
		if n, last, err := audit.FailedChecksSince(ctx, u.ID, &since); err != nil || n != 0 || last != nil {
			t.Fatalf("before: got %d, %v, %v; want none", n, last, err)
		}
		if _, err := users.RecordFailedPasswordCheck(ctx, u, m, nil, models.ActionSignInFailed, nil, meta); err != nil {
			t.Fatal(err)
		}
		before := app.User(t, "demo.guest")
		for _, page := range []string{"sign_in", "confirm"} {
			if err := users.RecordRefusedPasswordCheck(ctx, u, models.Changes{{Field: "page", New: page}}, meta); err != nil {
				t.Fatal(err)
			}
		}
		after := app.User(t, "demo.guest")
		if after.FailedLoginCount != before.FailedLoginCount || after.LockoutCount != before.LockoutCount || after.Version != before.Version ||
			!reflect.DeepEqual(after.LastFailedLoginAt, before.LastFailedLoginAt) {
			t.Errorf("budget after refused attempts: got %+v, want %+v (unchanged)", after.Budget(), before.Budget())
		}
		n, last, err := audit.FailedChecksSince(ctx, u.ID, &since)
		if err != nil || n != 3 || last == nil {
			t.Errorf("since the previous sign-in: got %d, last %v, %v; want 3, the last refused one", n, last, err)
		}
		var pages []string
		for _, ev := range app.Audit(t, u.ID) {
			if ev.Action == models.ActionPasswordCheckRefused && ev.ActorID == nil && ev.IP == meta.IP && len(ev.Changes) == 1 {
				pages = append(pages, ev.Changes[0].New)
			}
		}
		if slices.Sort(pages); !slices.Equal(pages, []string{"confirm", "sign_in"}) {
			t.Errorf("audited as refused: got pages %v, want confirm and sign_in", pages)
		}
		later := time.Now().UTC().Add(time.Second)
		if n, _, err := audit.FailedChecksSince(ctx, u.ID, &later); err != nil || n != 0 {
			t.Errorf("since a later sign-in: got %d, %v; want none", n, err)
		}
	})
}
