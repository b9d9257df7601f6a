package sipengine

import (
	"sync"
	"time"
)

// limiter is a token bucket per source address. An address that empties
// its bucket is banned: ignored (no response at all) for a while.
type limiter struct {
	cfg RateLimit
	now func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens      float64
	last        time.Time
	bannedUntil time.Time
}

func newLimiter(cfg RateLimit, now func() time.Time) *limiter {
	return &limiter{cfg: cfg, now: now, buckets: map[string]*bucket{}}
}

// allow reports whether a request from addr may be answered, and whether
// addr has just been banned (to log it once).
func (l *limiter) allow(addr string) (ok, banned bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) > 100_000 {
			l.sweepLocked(now)
		}
		b = &bucket{tokens: float64(l.cfg.Burst), last: now}
		l.buckets[addr] = b
	}
	if now.Before(b.bannedUntil) {
		return false, false
	}
	b.tokens = min(float64(l.cfg.Burst), b.tokens+now.Sub(b.last).Seconds()*l.cfg.Rate)
	b.last = now
	if b.tokens < 1 {
		b.bannedUntil = now.Add(l.cfg.Ban)
		b.tokens = float64(l.cfg.Burst)
		return false, true
	}
	b.tokens--
	return true, false
}

// sweepLocked forgets addresses that are full and not banned.
func (l *limiter) sweepLocked(now time.Time) {
	for a, b := range l.buckets {
		full := b.tokens+now.Sub(b.last).Seconds()*l.cfg.Rate >= float64(l.cfg.Burst)
		if full && !now.Before(b.bannedUntil) {
			delete(l.buckets, a)
		}
	}
}
