package store

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// RateLimits keeps token buckets in the database, so that every instance
// of the application counts against the same limit: a client spread over
// several servers gets no more attempts than one on a single server.
type RateLimits struct {
	db    *gorm.DB
	now   func() time.Time
	calls atomic.Int64
}

// NewRateLimits returns the rate limits over db.
func NewRateLimits(db *gorm.DB) *RateLimits {
	return &RateLimits{db: db, now: time.Now}
}

// Limiter is one limit: perMinute actions a minute per key, in bursts of
// up to perMinute; 0 or less turns it off. name keeps its buckets apart
// from other limits'.
func (r *RateLimits) Limiter(name string, perMinute int) *SharedLimiter {
	return &SharedLimiter{limits: r, name: name, perMinute: perMinute}
}

// SharedLimiter is a limit whose buckets live in the database.
type SharedLimiter struct {
	limits    *RateLimits
	name      string
	perMinute int
}

// take refills the bucket for the time since it was last used, up to its
// size, and takes a token if there is one, in one statement: of two
// instances taking the last token at once, one gets it. It returns the
// tokens left after taking one, or no row when there was none to take.
const take = `INSERT INTO rate_limits (bucket, tokens, updated_ms) VALUES (?, ?, ?)
ON CONFLICT (bucket) DO UPDATE SET
  tokens = (CASE WHEN rate_limits.tokens + (excluded.updated_ms - rate_limits.updated_ms) * CAST(? AS DOUBLE PRECISION) > CAST(? AS DOUBLE PRECISION)
    THEN CAST(? AS DOUBLE PRECISION)
    ELSE rate_limits.tokens + (excluded.updated_ms - rate_limits.updated_ms) * CAST(? AS DOUBLE PRECISION) END) - 1,
  updated_ms = excluded.updated_ms
WHERE (CASE WHEN rate_limits.tokens + (excluded.updated_ms - rate_limits.updated_ms) * CAST(? AS DOUBLE PRECISION) > CAST(? AS DOUBLE PRECISION)
    THEN CAST(? AS DOUBLE PRECISION)
    ELSE rate_limits.tokens + (excluded.updated_ms - rate_limits.updated_ms) * CAST(? AS DOUBLE PRECISION) END) >= 1
RETURNING tokens`

// Take takes a token for key. When none is left it reports how long until
// one is, for a Retry-After header.
func (l *SharedLimiter) Take(ctx context.Context, key string) (bool, time.Duration, error) {
	if l == nil || l.perMinute <= 0 {
		return true, 0, nil
	}
	r := l.limits
	now := r.now().UnixMilli()
	size, perMs := float64(l.perMinute), float64(l.perMinute)/float64(time.Minute.Milliseconds())
	bucket := l.name + ":" + key
	var left []float64
	err := r.db.WithContext(ctx).Raw(take, bucket, size-1, now, perMs, size, size, perMs, perMs, size, size, perMs).Scan(&left).Error
	if err != nil {
		return false, 0, fmt.Errorf("rate limit: %w", err)
	}
	r.sweep(ctx, now)
	if len(left) == 1 {
		return true, 0, nil
	}
	var tokens float64
	var updated int64
	row := r.db.WithContext(ctx).Raw("SELECT tokens, updated_ms FROM rate_limits WHERE bucket = ?", bucket).Row()
	if err := row.Scan(&tokens, &updated); err != nil {
		return false, 0, fmt.Errorf("rate limit: %w", err)
	}
	have := math.Min(size, tokens+float64(now-updated)*perMs)
	wait := time.Duration(math.Ceil((1-have)/perMs)) * time.Millisecond
	return false, max(wait, time.Millisecond), nil
}

// sweepEvery is how many takes pass between two sweeps of idle buckets.
const sweepEvery = 1000

// sweep forgets, now and then, the buckets idle long enough to be full
// again (a minute at the most), so the table holds only the keys active
// lately.
func (r *RateLimits) sweep(ctx context.Context, now int64) {
	if r.calls.Add(1)%sweepEvery != 0 {
		return
	}
	r.db.WithContext(ctx).Exec("DELETE FROM rate_limits WHERE updated_ms < ?", now-2*time.Minute.Milliseconds())
}
