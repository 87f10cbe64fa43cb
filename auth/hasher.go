// Package auth holds the security plumbing: password hashing, server-side
// sessions, sign-in, CSRF and the middleware that puts the signed-in user
// in the request context.
package auth

import (
	"context"
	"errors"
	"time"

	"golang.org/x/crypto/bcrypt"

	"myaccount/internal/slots"
)

// Hasher hashes passwords with bcrypt at a fixed cost and runs at most a
// fixed number of hashes at once, so a flood of sign-ins queues here
// instead of taking every CPU from page views.
type Hasher struct {
	cost  int
	slots *slots.Slots
}

// ObserveWait makes f hear how long each hash waited for a free slot.
func (h *Hasher) ObserveWait(f func(time.Duration)) { h.slots.ObserveWait(f) }

// NewHasher returns a hasher at cost running at most concurrency hashes.
func NewHasher(cost, concurrency int) *Hasher {
	return &Hasher{cost: cost, slots: slots.New(concurrency, ErrBusy)}
}

// ErrBusy is returned when a request's deadline passed while it waited
// for a free hash: the server is saturated with password checks, which is
// not the database's fault.
var ErrBusy = errors.New("every password hash slot is busy")

// Hash returns the bcrypt hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.slots.Acquire(ctx); err != nil {
		return "", err
	}
	defer h.slots.Release()
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
	if err := h.slots.Acquire(ctx); err != nil {
		return false, err
	}
	defer h.slots.Release()
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil, nil
}
