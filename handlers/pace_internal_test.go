package handlers

import (
	"context"
	"testing"
	"time"
)

// Every answer to a request for a reset link is held back to the same
// floor, on a clock the test moves: the wait is what is left of the floor
// after the work, and nothing once the work took longer.
func TestEvenPaceWaitsOutTheFloor(t *testing.T) {
	start := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		work time.Duration
		want time.Duration // the sleep asked for; 0 is none
	}{
		{"an unknown account: no work", 0, forgotFloor},
		{"a known account: a lookup and a queued mail", 120 * time.Millisecond, forgotFloor - 120*time.Millisecond},
		{"work as long as the floor", forgotFloor, 0},
		{"work longer than the floor", forgotFloor + time.Second, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var slept time.Duration
			p := evenPace{floor: forgotFloor,
				now:   func() time.Time { return start.Add(tt.work) },
				sleep: func(_ context.Context, d time.Duration) { slept += d }}
			p.wait(context.Background(), start)
			if slept != tt.want {
				t.Errorf("slept %v, want %v", slept, tt.want)
			}
		})
	}
}

// A client that has gone away is not waited for.
func TestSleepForEndsWithTheRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	go func() {
		sleepFor(ctx, time.Hour)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("sleepFor went on after its context ended")
	}
}
