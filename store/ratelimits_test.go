package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/store"
)

// A shared limit gives a key its burst, then refuses with the wait until
// the next token; the bucket refills with time; other keys and other
// limits have buckets of their own; and two instances over one database
// share one bucket, so taking at once never hands out more than the burst.
func TestSharedRateLimits(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
		limits := store.NewRateLimits(app.DB)
		store.SetRateLimitClock(limits, func() time.Time { return now })
		l := limits.Limiter("signin-ip", 6) // one token each 10 s
		for i := range 6 {
			if ok, _, err := l.Take(ctx, "198.51.100.7"); !ok || err != nil {
				t.Fatalf("take %d of the burst: %v %v", i+1, ok, err)
			}
		}
		ok, wait, err := l.Take(ctx, "198.51.100.7")
		if ok || err != nil || wait < 9*time.Second || wait > 10*time.Second {
			t.Fatalf("past the burst: ok %v wait %v err %v; want a refusal and about 10 s", ok, wait, err)
		}
		if ok, _, _ := l.Take(ctx, "198.51.100.8"); !ok {
			t.Error("another key shares the bucket")
		}
		if ok, _, _ := limits.Limiter("reset-ip", 6).Take(ctx, "198.51.100.7"); !ok {
			t.Error("another limit shares the bucket")
		}
		now = now.Add(10 * time.Second)
		if ok, _, _ := l.Take(ctx, "198.51.100.7"); !ok {
			t.Error("no token after the refill")
		}
		if ok, _, _ := l.Take(ctx, "198.51.100.7"); ok {
			t.Error("two tokens after one refill")
		}
		if ok, _, _ := limits.Limiter("off", 0).Take(ctx, "x"); !ok {
			t.Error("a limit of 0 refuses")
		}

		// Two instances, 20 takes at once from a burst of 6: 6 pass.
		other := store.NewRateLimits(app.DB)
		store.SetRateLimitClock(other, func() time.Time { return now })
		var mu sync.Mutex
		passed := 0
		var wg sync.WaitGroup
		for i := range 20 {
			lim := []*store.RateLimits{limits, other}[i%2].Limiter("api", 6)
			wg.Go(func() {
				ok, _, err := lim.Take(ctx, "key-1")
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				if ok {
					passed++
				}
			})
		}
		wg.Wait()
		if passed != 6 {
			t.Errorf("takes passed at once over two instances: %d, want 6", passed)
		}
	})
}
