package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// Two saves racing from the same version: exactly one is written, the
// other is refused, and nothing is overwritten silently.
func TestConcurrentProfileUpdatesDoNotOverwrite(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := app.Deps.Users
		m := app.Merchant(t, "sandpiper")
		fields := models.GuestProfileFields(m)
		for round := range 20 {
			u := app.User(t, "demo.guest")
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, city := range []string{"Alpha", "Beta"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					mine := *u
					_, _, errs[i] = updateProfile(context.Background(), users, &mine, m, &mine, fields,
						map[string]string{"city": city + string(rune('a'+round))}, u.Version)
				}()
			}
			wg.Wait()
			ok, conflicts := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, models.ErrConflict):
					conflicts++
				default:
					t.Fatalf("round %d: unexpected error %v", round, err)
				}
			}
			if ok != 1 || conflicts != 1 {
				t.Fatalf("round %d: got %d saved and %d refused, want 1 and 1", round, ok, conflicts)
			}
			after := app.User(t, "demo.guest")
			if after.Version != u.Version+1 {
				t.Fatalf("round %d: version %d, want %d", round, after.Version, u.Version+1)
			}
		}
	})
}
