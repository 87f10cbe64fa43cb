package slots_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"myaccount/internal/slots"
)

var errBusy = errors.New("busy")

// No more than n hold a slot at once, and every waiter gets one in the end.
func TestAtMostN(t *testing.T) {
	const n = 3
	s := slots.New(n, errBusy)
	var waits atomic.Int64
	s.ObserveWait(func(time.Duration) { waits.Add(1) })
	var running, most atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := s.Acquire(context.Background()); err != nil {
				t.Error(err)
				return
			}
			defer s.Release()
			now := running.Add(1)
			for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
			}
			time.Sleep(time.Millisecond)
			running.Add(-1)
		})
	}
	wg.Wait()
	if most.Load() > n {
		t.Errorf("%d ran at once, want at most %d", most.Load(), n)
	}
	if waits.Load() != 20 {
		t.Errorf("%d waits observed, want 20", waits.Load())
	}
}

// A wait past its deadline is busy; a cancelled one is only cancelled.
func TestBusyAtDeadline(t *testing.T) {
	s := slots.New(0, errBusy) // one slot
	if err := s.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := s.Acquire(ctx); !errors.Is(err, errBusy) || !errors.Is(err, slots.ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("at the deadline: %v, want busy and the deadline", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if err := s.Acquire(ctx); errors.Is(err, errBusy) || errors.Is(err, slots.ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want only cancelled", err)
	}
	s.Release()
	if err := s.Acquire(context.Background()); err != nil {
		t.Errorf("after Release: %v", err)
	}
}
