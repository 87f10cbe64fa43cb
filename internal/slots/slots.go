// Package slots lets at most a fixed number of one costly kind of work run
// at once. The rest wait their turn, for as long as their context allows,
// so that a flood of that work queues instead of taking every CPU from
// everything else. Waiters get their slots in the order they came.
//
// A request can hold a slot as its turn (Take, Leave): the pages take
// turns so that under load each waits about as long as the others, rather
// than a few waiting many times as long.
package slots

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// ErrBusy is in every error of an Acquire that waited past its deadline,
// beside the error its Slots were made with: a wait for a turn, which no
// database outage or client caused.
var ErrBusy = errors.New("every slot is busy")

// busyError is an Acquire that waited past its deadline: busy, the Slots'
// own error, and the context's.
type busyError struct{ busy, cause error }

func (e busyError) Error() string   { return e.busy.Error() + ": " + e.cause.Error() }
func (e busyError) Unwrap() []error { return []error{e.busy, ErrBusy, e.cause} }

// Slots are the places work of one kind runs in.
type Slots struct {
	sem  chan struct{}
	busy error
	// waited is told how long each Acquire waited for its slot.
	waited func(time.Duration)
}

// New returns n slots (one at least). An Acquire whose context's deadline
// passes while it waits fails with busy and ErrBusy, wrapping the
// context's error.
func New(n int, busy error) *Slots {
	return &Slots{sem: make(chan struct{}, max(n, 1)), busy: busy}
}

// ObserveWait makes f hear how long each Acquire waited for a slot. Call
// it before the slots are used.
func (s *Slots) ObserveWait(f func(time.Duration)) { s.waited = f }

// Acquire waits for a free slot, which the caller gives back with Release.
// A turn ctx holds (Take) is given up first: work that waits for a slot of
// its own kind, a search or a password hash, does not keep the requests
// behind it from their turns while it waits.
func (s *Slots) Acquire(ctx context.Context) error {
	Leave(ctx)
	return s.acquire(ctx)
}

func (s *Slots) acquire(ctx context.Context) error {
	start := time.Now()
	select {
	case s.sem <- struct{}{}:
		if s.waited != nil {
			s.waited(time.Since(start))
		}
		return nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return busyError{s.busy, ctx.Err()}
		}
		return ctx.Err()
	}
}

// Release gives back a slot Acquire took.
func (s *Slots) Release() { <-s.sem }

// turnKey holds a request's turn in its context.
type turnKey struct{}

// turn is a slot held for a request until Leave, or until the request
// waits for a slot of another kind.
type turn struct {
	s    *Slots
	left atomic.Bool
}

// Take waits for a slot as Acquire does and returns ctx holding it as the
// request's turn, which Leave gives back. A nil Slots takes no turn.
func (s *Slots) Take(ctx context.Context) (context.Context, error) {
	if s == nil {
		return ctx, nil
	}
	if err := s.acquire(ctx); err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, turnKey{}, &turn{s: s}), nil
}

// Leave gives back the turn ctx holds (Take), if it has one it has not
// given back yet: once, however often it is called.
func Leave(ctx context.Context) {
	if t, ok := ctx.Value(turnKey{}).(*turn); ok && t.left.CompareAndSwap(false, true) {
		t.s.Release()
	}
}
