// Package auth holds the security plumbing: password hashing, server-side
// sessions, sign-in, CSRF and the middleware that puts the signed-in user
// in the request context.
package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Hasher hashes passwords with bcrypt at a fixed cost and runs at most a
// fixed number of hashes at once, so a flood of sign-ins queues here
// instead of taking every CPU from page views.
type Hasher struct {
	cost int
	sem  chan struct{}
	// waited is told how long each hash waited for a slot.
	waited func(time.Duration)
}

// ObserveWait makes f hear how long each hash waited for a free slot.
func (h *Hasher) ObserveWait(f func(time.Duration)) { h.waited = f }

// NewHasher returns a hasher at cost running at most concurrency hashes.
func NewHasher(cost, concurrency int) *Hasher {
	if concurrency < 1 {
		concurrency = 1
	}
	return &Hasher{cost: cost, sem: make(chan struct{}, concurrency)}
}

// ErrBusy is returned when a request's deadline passed while it waited
// for a free hash: the server is saturated with password checks, which is
// not the database's fault.
var ErrBusy = errors.New("every password hash slot is busy")

func (h *Hasher) acquire(ctx context.Context) error {
	start := time.Now()
	select {
	case h.sem <- struct{}{}:
		if h.waited != nil {
			h.waited(time.Since(start))
		}
		return nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
		}
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the bcrypt hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.cost)
	return string(b), err
}

// Compare reports whether password matches hash; false too when ctx ends
// before a hash slot is free (Check tells that apart).
func (h *Hasher) Compare(ctx context.Context, hash, password string) bool {
	ok, _ := h.Check(ctx, hash, password)
	return ok
}

// Check reports whether password matches hash, or why it could not tell:
// ctx ended before a hash slot was free (ErrBusy at its deadline).
func (h *Hasher) Check(ctx context.Context, hash, password string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil, nil
}
