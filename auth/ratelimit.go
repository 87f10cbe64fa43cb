package auth

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter allows each key a number of actions a minute, counted over
// every instance: store.SharedLimiter keeps its buckets in the database.
// KeyedLimiter, in this process, is for the limits that guard this
// process's own CPU.
type Limiter interface {
	// Take takes a token for key; when none is left it reports how
	// long until one is.
	Take(ctx context.Context, key string) (ok bool, wait time.Duration, err error)
}

// Limit takes a token for key from l: a *LimitedError, with the wait,
// when none is left.
func Limit(ctx context.Context, l Limiter, key string) error {
	ok, wait, err := l.Take(ctx, key)
	if err != nil {
		return err
	}
	if !ok {
		return &LimitedError{Wait: wait}
	}
	return nil
}

// KeyedLimiter is a token bucket per key (an IP address, an account): each
// key may act perMinute times a minute on average, in bursts of up to
// perMinute. It forgets keys that have been idle long enough to have a full
// bucket again, so its memory stays bounded by the keys active in the last
// minute or so.
type KeyedLimiter struct {
	mu        sync.Mutex
	perMinute int
	keys      map[string]*keyBucket
	lastSweep time.Time
	now       func() time.Time
}

type keyBucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

// NewKeyedLimiter returns a limiter allowing perMinute actions a minute per
// key; 0 or less turns it off.
func NewKeyedLimiter(perMinute int) *KeyedLimiter {
	return &KeyedLimiter{perMinute: perMinute, keys: map[string]*keyBucket{}, now: time.Now}
}

// Allow takes a token for key. When none is left it reports how long
// until one is, for a Retry-After header.
func (l *KeyedLimiter) Allow(key string) (bool, time.Duration) {
	if l == nil || l.perMinute <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	b, ok := l.keys[key]
	if !ok {
		b = &keyBucket{limiter: rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMinute)), l.perMinute)}
		l.keys[key] = b
	}
	b.seen = now
	r := b.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops keys idle for over a minute: their bucket is full again,
// so forgetting them changes nothing.
func (l *KeyedLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, b := range l.keys {
		if now.Sub(b.seen) > time.Minute {
			delete(l.keys, k)
		}
	}
}
