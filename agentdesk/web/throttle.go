package web

import (
	"sync"
	"time"
)

// throttle counts login attempts per key (an account, a client address, an
// account from one address) in a sliding window. An attempt is reserved
// before its password is checked and counts as a failure from then on; a
// success gives it back. So however many requests arrive at once, no more
// than a key's limit are ever evaluated within the window. It is in memory:
// a restart forgets, which is acceptable for a brake on password guessing.
type throttle struct {
	mu       sync.Mutex
	window   time.Duration
	attempts map[string][]attempt
	lastID   uint64
}

type attempt struct {
	at time.Time
	id uint64
}

// limit is a key and how many attempts it may make within the window.
type limit struct {
	key string
	n   int
}

// reservation is one attempt recorded under several keys.
type reservation struct {
	id   uint64
	keys []string
}

// maxThrottleKeys bounds memory under a flood of distinct usernames.
const maxThrottleKeys = 100_000

func newThrottle(window time.Duration) *throttle {
	return &throttle{window: window, attempts: map[string][]attempt{}}
}

// reserve checks every limit and, when none is reached, records one attempt
// under each key, all in one step. Otherwise it records nothing and returns
// how long until every limit allows an attempt again.
func (t *throttle) reserve(now time.Time, limits ...limit) (reservation, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, l := range limits {
		f := t.prune(l.key, now)
		if len(f) >= l.n {
			wait = max(wait, f[len(f)-l.n].at.Add(t.window).Sub(now))
		}
	}
	if wait > 0 {
		return reservation{}, wait
	}
	if len(t.attempts) >= maxThrottleKeys {
		for k := range t.attempts {
			t.prune(k, now) // deletes keys with no recent attempt
		}
	}
	t.lastID++
	r := reservation{id: t.lastID, keys: make([]string, len(limits))}
	for i, l := range limits {
		r.keys[i] = l.key
		t.attempts[l.key] = append(t.attempts[l.key], attempt{at: now, id: r.id})
	}
	return r, 0
}

// release gives back r's attempt under every key: it did not count (the
// login succeeded, or failed for a reason other than the password).
func (t *throttle) release(r reservation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range r.keys {
		f := t.attempts[k]
		for i := range f {
			if f[i].id == r.id {
				f = append(f[:i:i], f[i+1:]...)
				break
			}
		}
		if len(f) == 0 {
			delete(t.attempts, k)
		} else {
			t.attempts[k] = f
		}
	}
}

// reset forgets key's attempts (an account logged in from an address).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.attempts, key)
}

// prune drops attempts older than the window; the caller holds mu.
func (t *throttle) prune(key string, now time.Time) []attempt {
	f := t.attempts[key]
	i := 0
	for i < len(f) && now.Sub(f[i].at) >= t.window {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(t.attempts, key)
		return nil
	}
	t.attempts[key] = f
	return f
}
