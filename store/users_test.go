package store_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"

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
// and the account is locked exactly once.
func TestRecordFailedSignInConcurrent(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		guest := app.User(t, "demo.guest")
		const attempts, limit = 10, 5

		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			counts []int
			locks  int
			errs   []error
		)
		start := make(chan struct{})
		for range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := *guest // each request reads its own copy
				<-start
				locked, err := users.RecordFailedSignIn(context.Background(), &u, limit, meta)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				counts = append(counts, u.FailedLoginCount)
				if locked {
					locks++
				}
			}()
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			t.Errorf("RecordFailedSignIn: %v", err)
		}

		got := app.User(t, "demo.guest")
		if got.FailedLoginCount != attempts {
			t.Errorf("failed_login_count: got %d, want %d", got.FailedLoginCount, attempts)
		}
		if got.Status != models.StatusLocked || got.LockedAt == nil {
			t.Errorf("status: got %s locked_at %v, want LOCKED with a time", got.Status, got.LockedAt)
		}
		if got.Version != guest.Version+1 {
			t.Errorf("version: got %d, want %d (one lock)", got.Version, guest.Version+1)
		}
		if locks != 1 {
			t.Errorf("attempts that locked: got %d, want 1", locks)
		}
		// Each attempt saw its own count: the increments were serialised.
		sort.Ints(counts)
		for i, c := range counts {
			if c != i+1 {
				t.Errorf("counts each attempt saw: got %v, want 1..%d", counts, attempts)
				break
			}
		}
		actions := map[string]int{}
		for _, ev := range app.Audit(t, guest.ID) {
			actions[ev.Action]++
			if ev.IP != meta.IP {
				t.Errorf("audit %s ip: got %q, want %q", ev.Action, ev.IP, meta.IP)
			}
		}
		if actions[models.ActionSignInFailed] != attempts || actions[models.ActionLocked] != 1 {
			t.Errorf("audit: got %v, want %d %s and 1 %s", actions, attempts, models.ActionSignInFailed, models.ActionLocked)
		}
	})
}

// The limit locks at exactly its count; a limit of 0 never locks; a
// success starts the count again.
func TestRecordFailedSignInLimit(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		ctx := context.Background()

		u := app.User(t, "demo.guest")
		for i := 1; i <= 3; i++ {
			locked, err := users.RecordFailedSignIn(ctx, u, 3, meta)
			if err != nil {
				t.Fatalf("attempt %d: %v", i, err)
			}
			if locked != (i == 3) {
				t.Errorf("attempt %d: got locked=%v, want %v", i, locked, i == 3)
			}
			if u.FailedLoginCount != i {
				t.Errorf("attempt %d: got count %d, want %d", i, u.FailedLoginCount, i)
			}
		}
		if got := app.User(t, "demo.guest"); got.Status != models.StatusLocked {
			t.Errorf("status at the limit: got %s, want LOCKED", got.Status)
		}

		other := someGuest(t, app, "sandpiper")
		for range 7 {
			if locked, err := users.RecordFailedSignIn(ctx, other, 0, meta); err != nil || locked {
				t.Fatalf("limit 0: got locked=%v err=%v, want neither", locked, err)
			}
		}
		if err := users.RecordSignIn(ctx, other, meta); err != nil {
			t.Fatalf("RecordSignIn: %v", err)
		}
		got := app.User(t, other.Username)
		if got.Status != models.StatusActive || got.FailedLoginCount != 0 || got.LastLoginAt == nil || got.FirstLoginAt == nil {
			t.Errorf("after success: got status %s count %d last %v first %v, want ACTIVE 0 and both times set",
				got.Status, got.FailedLoginCount, got.LastLoginAt, got.FirstLoginAt)
		}
	})
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
		updated, changes, err := users.UpdateProfile(ctx, first, m, first, fields, map[string]string{"first_name": "Alice"}, 0, meta)
		if err != nil {
			t.Fatalf("first update: %v", err)
		}
		if updated.Version != stale.Version+1 || len(changes) != 1 || changes[0].Field != "first_name" {
			t.Errorf("first update: got version %d changes %v, want %d and first_name", updated.Version, changes, stale.Version+1)
		}
		saved := app.User(t, "demo.guest")

		_, _, err = users.UpdateProfile(ctx, stale, m, stale, fields, map[string]string{"first_name": "Bob", "city": "Elsewhere"}, 0, meta)
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
		if _, _, err := users.UpdateProfile(ctx, after, m, after, fields, map[string]string{"first_name": "Alice"}, 0, meta); !errors.Is(err, models.ErrNoChanges) {
			t.Errorf("unchanged update: got %v, want ErrNoChanges", err)
		}
		if got := app.User(t, "demo.guest").Version; got != saved.Version {
			t.Errorf("version after an unchanged update: got %d, want %d", got, saved.Version)
		}
	})
}
