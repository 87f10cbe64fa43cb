package store_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

var meta = store.Meta{IP: "192.0.2.1", UserAgent: "store-test"}

// someGuest is an active demo guest of merchant code other than demo.guest.
func someGuest(t *testing.T, app *testapp.App, code string) *models.User {
	t.Helper()
	var u models.User
	err := app.DB.Where("status = ? AND username LIKE ? AND email <> ''", models.StatusActive, code+".%").Order("username").Take(&u).Error
	if err != nil {
		t.Fatalf("find a %s guest: %v", code, err)
	}
	return &u
}

// twin stores a copy of u under a new id and username in merchant code,
// with email.
func twin(t *testing.T, app *testapp.App, u *models.User, code, username, email string) *models.User {
	t.Helper()
	c := *u
	c.ID, c.Username, c.Email, c.MerchantID = store.NewID(), username, email, app.Merchant(t, code).ID
	c.MemberNumber, c.CardNumber = "", ""
	if err := app.DB.Create(&c).Error; err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
	return &c
}

// ForSignIn finds an account by username in any case, or by an email that
// names exactly one account; nothing else.
func TestForSignIn(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		guest := app.User(t, "demo.guest")

		shared := someGuest(t, app, "sandpiper")
		twin(t, app, shared, "harbor", "harbor.twin", shared.Email)
		cased := someGuest(t, app, "harbor")
		twin(t, app, cased, "sandpiper", "sandpiper.cased", strings.ToUpper(cased.Email))
		// An email-shaped username is found as a username first.
		byName := twin(t, app, guest, "harbor", "maya@harbor.example", "maya.other@example.com")

		tests := []struct {
			name  string
			login string
			want  string // username, or "" for not found
		}{
			{"username", "demo.guest", "demo.guest"},
			{"username upper case", "DEMO.GUEST", "demo.guest"},
			{"username mixed case and spaces", "  Demo.Guest\t", "demo.guest"},
			{"email", "demo.guest@example.com", "demo.guest"},
			{"email upper case", "DEMO.GUEST@EXAMPLE.COM", "demo.guest"},
			{"email of two accounts", shared.Email, ""},
			{"email of two accounts differing in case", cased.Email, ""},
			{"email-shaped username", "Maya@Harbor.Example", byName.Username},
			{"unknown username", "nobody", ""},
			{"unknown email", "nobody@example.com", ""},
			{"empty", "", ""},
			{"blank", "   ", ""},
			{"LIKE wildcard percent", "demo.%", ""},
			{"LIKE wildcard underscore", "demo_guest", ""},
			{"email wildcard", "%@example.com", ""},
			{"email without @ is not an email lookup", "demo.guest@", ""},
			{"part of a username", "demo", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				u, err := users.ForSignIn(context.Background(), tc.login)
				if tc.want == "" {
					if !errors.Is(err, models.ErrNotFound) {
						t.Errorf("ForSignIn(%q): got %v, %v; want ErrNotFound", tc.login, username(u), err)
					}
					return
				}
				if err != nil {
					t.Fatalf("ForSignIn(%q): got error %v, want %s", tc.login, err, tc.want)
				}
				if u.Username != tc.want {
					t.Errorf("ForSignIn(%q): got %s, want %s", tc.login, u.Username, tc.want)
				}
			})
		}
	})
}

func username(u *models.User) string {
	if u == nil {
		return "<nil>"
	}
	return u.Username
}

// Ten wrong passwords at the same moment are ten failures: none is lost,
// and a limit of 5 locks the account's budget exactly twice, each lock
// by one attempt, the second longer than the first. The status stays
// active: a temporary lock ends no session.
func TestRecordFailedPasswordCheckConcurrent(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		guest := app.User(t, "demo.guest")
		m := app.Merchant(t, "sandpiper")
		m.MaxFailedLogins, m.Lockout = 5, models.LockoutPolicy{FirstWaitMinutes: 5, MaxWaitMinutes: 60}
		const attempts = 10

		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			counts []int
			locks  []time.Time
			errs   []error
		)
		start := make(chan struct{})
		for range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := *guest // each request reads its own copy
				<-start
				out, err := users.RecordFailedPasswordCheck(context.Background(), &u, m, nil, models.ActionSignInFailed, nil, meta)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				counts = append(counts, u.FailedLoginCount)
				if out.Locked {
					locks = append(locks, out.Until)
				}
			}()
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			t.Errorf("RecordFailedPasswordCheck: %v", err)
		}

		got := app.User(t, "demo.guest")
		if got.FailedLoginCount != 0 || got.LockoutCount != 2 || got.LockedUntil == nil || got.Status != models.StatusActive {
			t.Errorf("after 10 failures: got count %d, locks %d, until %v, status %s; want 0, 2, a time, ACTIVE",
				got.FailedLoginCount, got.LockoutCount, got.LockedUntil, got.Status)
		}
		if got.Version != guest.Version {
			t.Errorf("version: got %d, want %d (a temporary lock changes no profile)", got.Version, guest.Version)
		}
		if len(locks) != 2 {
			t.Fatalf("attempts that locked: got %d, want 2", len(locks))
		}
		sort.Slice(locks, func(i, j int) bool { return locks[i].Before(locks[j]) })
		if d := locks[1].Sub(locks[0]); d < 4*time.Minute {
			t.Errorf("second lock ends %v after the first, want about 5 minutes later (10 minutes against 5)", d)
		}
		// Each attempt saw its own count: the increments were serialised.
		sort.Ints(counts)
		want := []int{0, 0, 1, 1, 2, 2, 3, 3, 4, 4}
		if !slices.Equal(counts, want) {
			t.Errorf("counts each attempt left: got %v, want %v", counts, want)
		}
		actions := map[string]int{}
		for _, ev := range app.Audit(t, guest.ID) {
			actions[ev.Action]++
			if ev.IP != meta.IP {
				t.Errorf("audit %s ip: got %q, want %q", ev.Action, ev.IP, meta.IP)
			}
		}
		if actions[models.ActionSignInFailed] != attempts || actions[models.ActionLockedTemporarily] != 2 || actions[models.ActionLocked] != 0 {
			t.Errorf("audit: got %v, want %d failed, 2 temporary locks, no permanent one", actions, attempts)
		}
	})
}

// Locks grow from the first wait, doubling, up to the longest; after the
// allowed run of temporary locks the next is permanent, which ends the
// account's sessions. A success starts everything again.
func TestLockoutGrowsAndTurnsPermanent(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		ctx := context.Background()
		m := app.Merchant(t, "sandpiper")
		m.MaxFailedLogins, m.Lockout = 2, models.LockoutPolicy{FirstWaitMinutes: 5, MaxWaitMinutes: 12, PermanentAfter: 3}
		u := app.User(t, "demo.guest")
		app.Client(t).SignInGuest()

		for lock, wait := range []time.Duration{5 * time.Minute, 10 * time.Minute, 12 * time.Minute} {
			for i := 1; i <= 2; i++ {
				before := time.Now().UTC()
				out, err := users.RecordFailedPasswordCheck(ctx, u, m, nil, models.ActionSignInFailed, nil, meta)
				if err != nil {
					t.Fatal(err)
				}
				if out.Locked != (i == 2) || out.Permanent {
					t.Fatalf("lock %d attempt %d: got %+v, want locked only at the limit, never for good", lock+1, i, out)
				}
				if out.Locked && (out.Until.Before(before.Add(wait)) || out.Until.After(time.Now().UTC().Add(wait))) {
					t.Errorf("lock %d: ends %v, want %v after the attempt", lock+1, out.Until.Sub(before), wait)
				}
			}
		}
		if n := countSessionsOf(t, app, u.ID); n == 0 {
			t.Fatalf("temporary locks ended the sessions")
		}
		users.RecordFailedPasswordCheck(ctx, u, m, nil, models.ActionSignInFailed, nil, meta)
		out, err := users.RecordFailedPasswordCheck(ctx, u, m, nil, models.ActionSignInFailed, nil, meta)
		if err != nil || !out.Locked || !out.Permanent {
			t.Fatalf("fourth lock: got %+v %v, want permanent", out, err)
		}
		got := app.User(t, "demo.guest")
		if got.Status != models.StatusLocked || got.LockedAt == nil || got.LockedBy != nil || got.Version != u.Version+1 {
			t.Errorf("after the permanent lock: got status %s at %v by %v version %d", got.Status, got.LockedAt, got.LockedBy, got.Version)
		}
		if n := countSessionsOf(t, app, u.ID); n != 0 {
			t.Errorf("sessions after the permanent lock: got %d, want 0", n)
		}

		// An admin's unlock starts everything again.
		admin := app.User(t, "demo.admin")
		if err := users.Unlock(ctx, admin, got, meta); err != nil {
			t.Fatal(err)
		}
		got = app.User(t, "demo.guest")
		if got.Status != models.StatusActive || got.LockedUntil != nil || got.LockoutCount != 0 || got.FailedLoginCount != 0 {
			t.Errorf("after unlock: got %s until %v locks %d count %d", got.Status, got.LockedUntil, got.LockoutCount, got.FailedLoginCount)
		}
		// And a limit of 0 never locks.
		m.MaxFailedLogins = 0
		for range 7 {
			if out, err := users.RecordFailedPasswordCheck(ctx, got, m, nil, models.ActionSignInFailed, nil, meta); err != nil || out.Locked {
				t.Fatalf("limit 0: got %+v %v, want no lock", out, err)
			}
		}
	})
}

// A device's failures spend its own budget and lock only it; the account's
// budget, which every other browser shares, is untouched, and so is the
// device's when the account's locks. Signing in from a browser makes it a
// device; a sign-in resets the budget it spent.
func TestDeviceBudget(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		ctx := context.Background()
		m := app.Merchant(t, "sandpiper")
		m.MaxFailedLogins = 3
		u := app.User(t, "demo.guest")

		if err := users.RecordSignIn(ctx, u, nil, "device-hash-1", meta); err != nil {
			t.Fatal(err)
		}
		d, err := users.Device(ctx, u.ID, "device-hash-1")
		if err != nil {
			t.Fatalf("the browser that signed in is no device: %v", err)
		}
		if _, err := users.Device(ctx, app.User(t, "demo.admin").ID, "device-hash-1"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("another user's device: got %v, want not found", err)
		}
		for i := 1; i <= 3; i++ {
			out, err := users.RecordFailedPasswordCheck(ctx, u, m, d, models.ActionPasswordCheckFailed, models.Changes{{Field: "page", New: "confirm"}}, meta)
			if err != nil || out.Locked != (i == 3) {
				t.Fatalf("device attempt %d: got %+v %v", i, out, err)
			}
		}
		if got := app.User(t, "demo.guest"); got.FailedLoginCount != 0 || got.LockedUntil != nil {
			t.Errorf("account budget after the device's failures: got count %d until %v, want untouched", got.FailedLoginCount, got.LockedUntil)
		}
		d, _ = users.Device(ctx, u.ID, "device-hash-1")
		if !d.Budget().LockedAt(time.Now()) || d.Locks != 1 {
			t.Errorf("device after 3 failures: got %+v, want locked once", d)
		}
		for range 3 {
			if _, err := users.RecordFailedPasswordCheck(ctx, u, m, nil, models.ActionSignInFailed, nil, meta); err != nil {
				t.Fatal(err)
			}
		}
		if got := app.User(t, "demo.guest"); !got.Budget().LockedAt(time.Now()) {
			t.Errorf("account budget after 3 failures elsewhere: got %+v, want locked", got.Budget())
		}
		// The device's sign-in resets its own budget only.
		u = app.User(t, "demo.guest")
		if err := users.RecordSignIn(ctx, u, d, "", meta); err != nil {
			t.Fatal(err)
		}
		d, _ = users.Device(ctx, u.ID, "device-hash-1")
		if d.Budget().LockedAt(time.Now()) || d.Locks != 0 || d.Failures != 0 {
			t.Errorf("device after its sign-in: got %+v, want its budget new", d)
		}
		if got := app.User(t, "demo.guest"); !got.Budget().LockedAt(time.Now()) {
			t.Errorf("account budget after the device's sign-in: got %+v, want still locked", got.Budget())
		}
	})
}

func countSessionsOf(t *testing.T, app *testapp.App, userID string) int64 {
	t.Helper()
	var n int64
	app.DB.Model(&models.Session{}).Where("user_id = ?", userID).Count(&n)
	return n
}

// An update made from a stale copy of the user is refused and writes nothing.
func TestUpdateProfileStaleVersion(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		ctx := context.Background()
		m := app.Merchant(t, "sandpiper")
		fields := models.GuestProfileFields(m)

		first := app.User(t, "demo.guest")
		stale := app.User(t, "demo.guest") // opened in another tab
		updated, changes, err := updateProfile(ctx, users, first, m, first, fields, map[string]string{"first_name": "Alice"}, 0)
		if err != nil {
			t.Fatalf("first update: %v", err)
		}
		if updated.Version != stale.Version+1 || len(changes) != 1 || changes[0].Field != "first_name" {
			t.Errorf("first update: got version %d changes %v, want %d and first_name", updated.Version, changes, stale.Version+1)
		}
		saved := app.User(t, "demo.guest")

		_, _, err = updateProfile(ctx, users, stale, m, stale, fields, map[string]string{"first_name": "Bob", "city": "Elsewhere"}, 0)
		if !errors.Is(err, models.ErrConflict) {
			t.Fatalf("stale update: got %v, want ErrConflict", err)
		}
		after := app.User(t, "demo.guest")
		if after.FirstName != "Alice" || after.City != saved.City || after.Version != saved.Version || !after.UpdatedAt.Equal(saved.UpdatedAt) {
			t.Errorf("row after a stale update: got %s/%s v%d, want %s/%s v%d untouched",
				after.FirstName, after.City, after.Version, saved.FirstName, saved.City, saved.Version)
		}
		var n int
		for _, ev := range app.Audit(t, first.ID) {
			if ev.Action == models.ActionProfileUpdated {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s events: got %d, want 1", models.ActionProfileUpdated, n)
		}

		// The same values again change nothing and write nothing.
		if _, _, err := updateProfile(ctx, users, after, m, after, fields, map[string]string{"first_name": "Alice"}, 0); !errors.Is(err, models.ErrNoChanges) {
			t.Errorf("unchanged update: got %v, want ErrNoChanges", err)
		}
		if got := app.User(t, "demo.guest").Version; got != saved.Version {
			t.Errorf("version after an unchanged update: got %d, want %d", got, saved.Version)
		}
	})
}

// updateProfile is a profile form's path: models.EditProfile, then the
// store's save.
func updateProfile(ctx context.Context, users *store.Users, a *models.User, m *models.Merchant, u *models.User, fields []models.ProfileField, input map[string]string, version int) (*models.User, models.Changes, error) {
	upd, err := models.EditProfile(models.ByUser(a), m, u, fields, input, time.Now().UTC())
	if err != nil {
		return nil, nil, err
	}
	saved, err := users.SaveProfile(ctx, models.ByUser(a), m, u, upd, version, meta)
	return saved, upd.Changes, err
}
