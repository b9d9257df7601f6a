package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/ticketstest"
)

// The store is a double: what is checked is how /readyz reports it, not
// how PostgreSQL fails.
func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	var engineErr, dbErr error
	store := &ticketstest.Store{PingFn: func(context.Context) error { return dbErr }}
	e := newEnvOn(t, store, nil, func(_ *Config, d *Deps) {
		d.Ready = func(context.Context) error { return engineErr }
	})
	c := e.anon()
	var h healthResponse
	c.must(200, "GET", "/healthz", nil, &h)
	var rr readyResponse
	c.must(200, "GET", "/readyz", nil, &rr)
	if rr.Checks["database"] != "ok" || rr.Checks["engine"] != "ok" {
		t.Errorf("ready = %+v", rr)
	}

	engineErr = errors.New("sip: bind: address in use")
	r := c.do("GET", "/readyz", nil)
	code, msg := r.errCode()
	if r.status != 503 || code != tickets.EUNAVAILABLE || !strings.Contains(msg, "engine") || strings.Contains(string(r.body), "address in use") {
		t.Errorf("engine down: %d %s", r.status, r.body)
	}
	engineErr = nil

	dbErr = tickets.Errorf(tickets.EUNAVAILABLE, "postgres: closed pool")
	r = c.do("GET", "/readyz", nil)
	code, msg = r.errCode()
	if r.status != 503 || code != tickets.EUNAVAILABLE || !strings.Contains(msg, "database") {
		t.Errorf("database closed: %d %s", r.status, r.body)
	}
	c.must(200, "GET", "/healthz", nil, nil) // still serving
}

func TestSecurityHeadersAndPanics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.login("sup", tickets.RoleSupervisor)
	for _, path := range []string{"/healthz", "/api/v1/me", "/api/v1/nope", "/api/v1/openapi.json"} {
		r := s.do("GET", path, nil)
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Referrer-Policy":        "same-origin",
		} {
			if got := r.header.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", path, k, got, want)
			}
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
	}

	e.agent.mu.Lock()
	e.agent.panic = true
	e.agent.mu.Unlock()
	r := s.do("GET", "/api/v1/agents", nil)
	code, msg := r.errCode()
	if r.status != http.StatusInternalServerError || code != tickets.EINTERNAL || strings.Contains(string(r.body), "boom") {
		t.Errorf("panic: %d %s", r.status, r.body)
	}
	_ = msg
}

// Internal errors are logged, never shown.
func TestInternalErrorsHidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.login("ana", tickets.RoleAgent)
	a.newTicket(nil)
	e.db.Close()
	r := a.do("GET", "/api/v1/tickets", nil)
	code, msg := r.errCode()
	if r.status < 500 || strings.Contains(strings.ToLower(msg), "pool") || strings.Contains(strings.ToLower(msg), "postgres") {
		t.Errorf("closed db: %d %s (%s)", r.status, r.body, code)
	}
}

// Handlers mounted with Wrap (the websocket hub) can still hijack.
func TestWrapKeepsHijacker(t *testing.T) {
	t.Parallel()
	// No store is needed: only the middleware runs.
	s, err := New(Config{}, Deps{Store: noStore{}, Catalog: tickets.DefaultCatalog()})
	if err != nil {
		t.Fatal(err)
	}
	ok := make(chan bool, 1)
	srv := httptest.NewServer(s.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, isHJ := w.(http.Hijacker)
		_, isFlusher := w.(http.Flusher)
		ok <- isHJ && isFlusher
		if isHJ {
			conn, buf, err := hj.Hijack()
			if err == nil {
				_, _ = buf.WriteString("HTTP/1.1 204 No Content\r\n\r\n")
				_ = buf.Flush()
				conn.Close()
			}
		}
	})))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !<-ok || res.StatusCode != 204 {
		t.Errorf("hijack through Wrap failed: %d", res.StatusCode)
	}
}

// noStore is a Store for tests that must not touch one.
type noStore struct{ tickets.Store }
