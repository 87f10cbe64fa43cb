// Package auth holds the security plumbing: password hashing, server-side
// sessions, sign-in, CSRF and the middleware that puts the signed-in user
// in the request context.
package auth

import (
	"context"

	"golang.org/x/crypto/bcrypt"
)

// Hasher hashes passwords with bcrypt at a fixed cost and runs at most a
// fixed number of hashes at once, so a flood of sign-ins queues here
// instead of taking every CPU from page views.
type Hasher struct {
	cost int
	sem  chan struct{}
}

// NewHasher returns a hasher at cost running at most concurrency hashes.
func NewHasher(cost, concurrency int) *Hasher {
	if concurrency < 1 {
		concurrency = 1
	}
	return &Hasher{cost: cost, sem: make(chan struct{}, concurrency)}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
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

// Compare reports whether password matches hash.
func (h *Hasher) Compare(ctx context.Context, hash, password string) bool {
	if err := h.acquire(ctx); err != nil {
		return false
	}
	defer h.release()
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
