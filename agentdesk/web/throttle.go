package web

import (
	"sync"
	"time"
)

// throttle counts failed logins per key (a username, a client IP) in a
// sliding window. It is in memory: a restart forgets, which is acceptable for
// a brake on password guessing.
type throttle struct {
	mu       sync.Mutex
	limit    int
	window   time.Duration
	failures map[string][]time.Time
}

// maxThrottleKeys bounds memory under a flood of distinct usernames.
const maxThrottleKeys = 100_000

func newThrottle(limit int, window time.Duration) *throttle {
	return &throttle{limit: limit, window: window, failures: map[string][]time.Time{}}
}

// blocked returns how long until key may try again, or 0.
func (t *throttle) blocked(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.prune(key, now)
	if len(f) < t.limit {
		return 0
	}
	return f[len(f)-t.limit].Add(t.window).Sub(now)
}

// fail records a failed attempt by key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.failures) >= maxThrottleKeys {
		for k := range t.failures {
			t.prune(k, now) // deletes keys with no recent failure
		}
	}
	t.failures[key] = append(t.prune(key, now), now)
}

// reset forgets key's failures (after a successful login).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

// prune drops failures older than the window; the caller holds mu.
func (t *throttle) prune(key string, now time.Time) []time.Time {
	f := t.failures[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= t.window {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(t.failures, key)
		return nil
	}
	// Keep only what can still matter, so a key cannot grow without bound.
	if len(f) > t.limit {
		f = f[len(f)-t.limit:]
	}
	t.failures[key] = f
	return f
}
