package auth

import (
	"sync"
	"testing"
	"time"
)

func TestKeyedLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewKeyedLimiter(3)
	l.now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.Allow("1.2.3.4"); !ok {
			t.Fatalf("attempt %d: refused, want allowed (burst of 3)", i+1)
		}
	}
	ok, wait := l.Allow("1.2.3.4")
	if ok || wait <= 0 || wait > 20*time.Second {
		t.Fatalf("4th attempt: got ok=%v wait=%v, want refused with a wait of at most 20s", ok, wait)
	}
	if ok, _ := l.Allow("5.6.7.8"); !ok {
		t.Fatalf("another key: refused, want its own bucket")
	}
	now = now.Add(wait)
	if ok, _ := l.Allow("1.2.3.4"); !ok {
		t.Fatalf("after the wait: refused, want one token back")
	}
	now = now.Add(2 * time.Minute)
	l.Allow("9.9.9.9")
	if n := len(l.keys); n != 1 {
		t.Errorf("after two idle minutes: got %d keys, want 1 (idle ones forgotten)", n)
	}
	if ok, _ := NewKeyedLimiter(0).Allow("x"); !ok {
		t.Errorf("limit 0: refused, want the limiter off")
	}
}

func TestKeyedLimiterConcurrent(t *testing.T) {
	l := NewKeyedLimiter(50)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Allow("same"); ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if allowed < 50 || allowed > 51 {
		t.Errorf("200 concurrent attempts: got %d allowed, want the burst of 50", allowed)
	}
}
