package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A password check that waits for a hash slot past its deadline is
// ErrBusy, not a wrong password and not a database outage; a client that
// went away is context.Canceled.
func TestHasherBusy(t *testing.T) {
	h := NewHasher(4, 1)
	hash, err := h.Hash(context.Background(), "Guest#2026")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Check(context.Background(), hash, "Guest#2026"); !ok || err != nil {
		t.Fatalf("Check: got %v %v, want a match", ok, err)
	}
	if err := h.slots.Acquire(context.Background()); err != nil { // every slot taken
		t.Fatal(err)
	}
	defer h.slots.Release()
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if ok, err := h.Check(ctx, hash, "Guest#2026"); ok || !errors.Is(err, ErrBusy) {
		t.Errorf("Check with no slot before the deadline: got %v %v, want ErrBusy", ok, err)
	}
	if _, err := h.Hash(ctx, "x"); !errors.Is(err, ErrBusy) {
		t.Errorf("Hash with no slot before the deadline: got %v, want ErrBusy", err)
	}
	gone, stop := context.WithCancel(context.Background())
	stop()
	if _, err := h.Check(gone, hash, "Guest#2026"); errors.Is(err, ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("Check for a client that went away: got %v, want context.Canceled", err)
	}
}
