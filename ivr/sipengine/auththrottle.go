package sipengine

import (
	"log/slog"
	"sync"
	"time"
)

// authThrottle bounds digest guesses, whatever the method (REGISTER,
// INVITE, anything that checks a password): at most max wrong answers per
// window for one (account, source) pair and for one source, counting the
// checks in progress, so that concurrent requests cannot slip through.
// Past the limit the pair or the source is refused for ban (and at least
// until the window ends) without the password being checked.
type authThrottle struct {
	max         int
	window, ban time.Duration
	now         func() time.Time

	mu   sync.Mutex
	keys map[string]*guesses // "src\x00host" and "acct\x00user\x00host"
}

type guesses struct {
	start       time.Time // of the current window
	failed      int       // wrong answers in the window
	pending     int       // checks admitted and not yet done
	bannedUntil time.Time
}

func newAuthThrottle(max int, window, ban time.Duration, now func() time.Time) *authThrottle {
	return &authThrottle{max: max, window: window, ban: ban, now: now, keys: map[string]*guesses{}}
}

func throttleKeys(user, host string) [2]string {
	return [2]string{"src\x00" + host, "acct\x00" + user + "\x00" + host}
}

// admit reserves a password check for user from host; false means the
// pair or the host is throttled and the password must not be checked. An
// admitted check must be followed by done.
func (t *authThrottle) admit(user, host string) bool {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.keys) > 100_000 {
		t.sweepLocked(now)
	}
	keys := throttleKeys(user, host)
	var gs [2]*guesses
	for i, k := range keys {
		g := t.keys[k]
		if g == nil {
			g = &guesses{start: now}
			t.keys[k] = g
		}
		if now.Sub(g.start) >= t.window {
			g.start, g.failed = now, 0
		}
		if now.Before(g.bannedUntil) || g.failed+g.pending >= t.max {
			return false
		}
		gs[i] = g
	}
	for _, g := range gs {
		g.pending++
	}
	return true
}

// done ends an admitted check; ok false counts a wrong answer.
func (t *authThrottle) done(user, host string, ok bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range throttleKeys(user, host) {
		g := t.keys[k]
		if g == nil {
			continue
		}
		g.pending = max(g.pending-1, 0)
		if ok {
			continue
		}
		g.failed++
		if g.failed >= t.max {
			g.bannedUntil = now.Add(max(t.ban, t.window-now.Sub(g.start)))
		}
	}
}

// sweepLocked forgets keys with no failure, check or ban that matters now.
func (t *authThrottle) sweepLocked(now time.Time) {
	for k, g := range t.keys {
		if g.pending == 0 && !now.Before(g.bannedUntil) && (g.failed == 0 || now.Sub(g.start) >= t.window) {
			delete(t.keys, k)
		}
	}
}

// authRefused logs and counts a refused digest answer (res authDenied or
// authThrottled); the caller answers 403 either way.
func (e *Engine) authRefused(log *slog.Logger, res authResult, user string) {
	if res == authThrottled {
		e.edge.throttled.Add(1)
		log.Debug("auth refused", "user", user, "reason", "too many wrong answers: throttled")
		return
	}
	log.Warn("auth refused", "user", user, "reason", "bad credentials")
}
