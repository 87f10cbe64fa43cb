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

// A turn is held until Leave, given back once however often Leave is
// called, and given up by a wait for a slot of another kind.
func TestTurns(t *testing.T) {
	pages, searches := slots.New(1, errBusy), slots.New(1, errBusy)
	free := func(s *slots.Slots) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		if s.Acquire(ctx) != nil {
			return false
		}
		s.Release()
		return true
	}
	ctx, err := pages.Take(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if free(pages) {
		t.Fatal("a taken turn left its slot free")
	}
	slots.Leave(ctx)
	slots.Leave(ctx) // again: must not give back someone else's slot
	if !free(pages) {
		t.Fatal("Leave did not give the turn back")
	}
	other, err := pages.Take(context.Background()) // someone else's turn
	if err != nil {
		t.Fatal(err)
	}
	slots.Leave(ctx)
	if free(pages) {
		t.Error("a second Leave gave back another request's turn")
	}
	slots.Leave(other)

	// Waiting for a search gives the page turn up, so that a page queued
	// behind it goes ahead.
	ctx, _ = pages.Take(context.Background())
	if err := searches.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if !free(pages) {
		t.Error("a request waiting for a search kept its page turn")
	}
	searches.Release()
	slots.Leave(ctx) // already given up: nothing more
	if !free(pages) {
		t.Error("Leave after the turn was given up released a slot")
	}
	// A context without a turn, and nil Slots, take nothing.
	slots.Leave(context.Background())
	var none *slots.Slots
	if got, err := none.Take(context.Background()); err != nil || got != context.Background() {
		t.Errorf("nil Slots: Take = %v, %v", got, err)
	}
}

// Waiters are served in the order they came.
func TestTurnsInOrder(t *testing.T) {
	s := slots.New(1, errBusy)
	first, _ := s.Take(context.Background())
	var order []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			ctx, err := s.Take(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			slots.Leave(ctx)
		})
		// Each waiter is queued before the next one starts.
		time.Sleep(20 * time.Millisecond)
	}
	slots.Leave(first)
	wg.Wait()
	for i, got := range order {
		if got != i {
			t.Fatalf("served in the order %v, want 0 to 4", order)
		}
	}
}
