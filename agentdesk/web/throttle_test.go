package web

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
)

// TestLoginThrottleHoldsUnderConcurrency sends 200 wrong passwords for one
// account at once, each on its own open connection to a real HTTP server:
// at most LoginAttempts of them may be evaluated, and the right password
// afterwards is refused while the lock lasts.
func TestLoginThrottleHoldsUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	e.user("ana", tickets.RoleAgent, 1)
	var evaluated atomic.Int64
	check := e.s.checkPassword
	e.s.checkPassword = func(hash, pw string) (bool, error) {
		evaluated.Add(1)
		return check(hash, pw)
	}
	const guesses = 200
	body := func(pw string) []byte {
		b, _ := json.Marshal(map[string]string{"username": "ana", "password": pw})
		return b
	}
	// Every request gets its own connection, opened before any is sent.
	conns := make([]net.Conn, guesses)
	addr := e.srv.Listener.Addr().String()
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	start := make(chan struct{})
	statuses := make([]int, guesses)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/login", bytes.NewReader(body("wrong guess "+string(rune('a'+i%26)))))
			req.Header.Set("Content-Type", "application/json")
			tr := &http.Transport{Dial: func(string, string) (net.Conn, error) { return c, nil }}
			defer tr.CloseIdleConnections()
			<-start
			res, err := (&http.Client{Transport: tr, Timeout: time.Minute}).Do(req)
			if err != nil {
				t.Errorf("guess %d: %v", i, err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	n := evaluated.Load()
	t.Logf("%d concurrent wrong passwords: %d evaluated; statuses %v", guesses, n, counts)
	if n > DefaultLoginAttempts {
		t.Errorf("%d guesses evaluated, want at most %d", n, DefaultLoginAttempts)
	}
	if counts[http.StatusUnauthorized] > DefaultLoginAttempts || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != guesses {
		t.Errorf("statuses %v: want at most %d 401 and the rest 429", counts, DefaultLoginAttempts)
	}
	r := e.anon().do("POST", "/api/v1/login", map[string]string{"username": "ana", "password": testPassword})
	if r.status != http.StatusTooManyRequests {
		t.Errorf("right password while locked: %d %s", r.status, r.body)
	}
}

// TestLoginLockIsPerAccountAndSource: an attacker at one address locks
// only themselves out of the account; the real user at another logs in.
func TestLoginLockIsPerAccountAndSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("ana", tickets.RoleAgent, 1)
	login := func(peer, xff, pw string) resp { return e.loginFrom(peer, xff, "ana", pw) }
	for range DefaultLoginAttempts + 3 {
		login("192.0.2.66:5000", "", "attacker guess")
	}
	if r := login("192.0.2.66:5001", "", testPassword); r.status != http.StatusTooManyRequests {
		t.Errorf("attacker's address after %d guesses: %d", DefaultLoginAttempts+3, r.status)
	}
	if r := login("198.51.100.7:6000", "", testPassword); r.status != http.StatusOK {
		t.Errorf("real user from another address: %d %s", r.status, r.body)
	}
}

// TestForwardedForOnlyFromTrustedProxies: behind a trusted proxy each
// client is its own source; from any other peer X-Forwarded-For is a lie
// that must not buy fresh attempts.
func TestForwardedForOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	proxy := netip.MustParsePrefix("10.9.0.0/24")
	e := newEnv(t, func(c *Config, _ *Deps) { c.TrustedProxies = []netip.Prefix{proxy} })
	e.user("ana", tickets.RoleAgent, 1)
	login := func(peer, xff, pw string) int { return e.loginFrom(peer, xff, "ana", pw).status }
	// Untrusted peer: a new X-Forwarded-For per guess changes nothing.
	for i := range DefaultLoginAttempts {
		if st := login("203.0.113.5:1000", "198.51.100."+strconv.Itoa(i), "guess"); st != 401 {
			t.Fatalf("untrusted guess %d: %d", i, st)
		}
	}
	if st := login("203.0.113.5:1000", "198.51.100.200", testPassword); st != http.StatusTooManyRequests {
		t.Errorf("untrusted peer with a forged X-Forwarded-For: %d, want 429", st)
	}

	// Trusted proxy: the client it names is the source. One office client
	// locked out leaves another behind the same proxy free.
	for i := range DefaultLoginAttempts {
		if st := login("10.9.0.1:2000", "192.0.2.10", "guess"); st != 401 {
			t.Fatalf("guess %d via proxy: %d", i, st)
		}
	}
	if st := login("10.9.0.1:2000", "192.0.2.10", testPassword); st != http.StatusTooManyRequests {
		t.Errorf("locked client via proxy: %d, want 429", st)
	}
	if st := login("10.9.0.1:2001", "192.0.2.11", testPassword); st != http.StatusOK {
		t.Errorf("another client via the same proxy: %d, want 200", st)
	}
	// The client may prepend anything; only the hop the proxy appended counts.
	if st := login("10.9.0.1:2002", "198.51.100.1, 192.0.2.10", testPassword); st != http.StatusTooManyRequests {
		t.Errorf("a spoofed left-hand hop escaped the lock: %d", st)
	}
}

func TestClientIP(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}}
	for _, c := range []struct{ peer, xff, want string }{
		{"192.0.2.1:1", "", "192.0.2.1"},
		{"192.0.2.1:1", "198.51.100.1", "192.0.2.1"},                      // untrusted peer
		{"10.0.0.1:1", "", "10.0.0.1"},                                    // proxy without header
		{"10.0.0.1:1", "198.51.100.1", "198.51.100.1"},                    // one proxy
		{"10.0.0.1:1", "1.1.1.1, 198.51.100.1, 10.0.0.2", "198.51.100.1"}, // two proxies
		{"10.0.0.1:1", "garbage, 198.51.100.1", "198.51.100.1"},
		{"10.0.0.1:1", "198.51.100.1, garbage", "10.0.0.1"},
		{"[fd00::1]:1", "[2001:db8::5]:443", "2001:db8::5"},
		{"[::ffff:10.0.0.1]:1", "::ffff:198.51.100.9", "198.51.100.9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := s.clientIP(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}

// loginFrom posts a login of username as a connection from peer (with an
// X-Forwarded-For header when xff is not empty) would.
func (e *env) loginFrom(peer, xff, username, pw string) resp {
	body, _ := json.Marshal(map[string]string{"username": username, "password": pw})
	req := httptest.NewRequest("POST", "/api/v1/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	req.RemoteAddr = peer
	rec := httptest.NewRecorder()
	e.s.Handler().ServeHTTP(rec, req)
	return resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}
