package web

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// TestDatabaseOutage stops a real PostgreSQL mid-test: reads and writes
// answer 503 with Retry-After (not 500 "internal error"), and the API
// serves again once the database is back.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	cl := pgtest.NewCluster(t)
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	db, err := postgres.Open(ctx, cl.URL(), postgres.Options{Clock: clk.Now, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{}, Deps{Store: db, Catalog: tickets.DefaultCatalog(), Phones: tickets.PhonePlan{Region: "MX"}, Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, db: db, s: s, srv: srv, clock: clk}
	a := e.login("ana", tickets.RoleAgent)
	tk := a.newTicket(nil)

	calls := []struct {
		method, path string
		body         any
	}{
		{"GET", API + "/tickets", nil},
		{"GET", API + "/tickets/" + tk.Number, nil},
		{"GET", API + "/tickets?q=internet", nil},
		{"GET", API + "/me", nil},
		{"POST", API + "/tickets/" + tk.Number + "/notes", map[string]any{"body": "sigue sin servicio"}},
		{"POST", API + "/tickets", map[string]any{"service": "internet_failure", "subject": "Sin red",
			"caller": map[string]any{"name": "Luis", "phone": "5512345678"}}},
	}
	for _, mode := range []string{"fast", "immediate"} {
		cl.Stop(mode)
		for _, c := range calls {
			r := a.do(c.method, c.path, c.body)
			code, msg := r.errCode()
			ra, _ := strconv.Atoi(r.header.Get("Retry-After"))
			if r.status != 503 || code != tickets.EUNAVAILABLE || ra <= 0 {
				t.Errorf("stop %s: %s %s: %d Retry-After %q %s, want 503 unavailable with Retry-After",
					mode, c.method, c.path, r.status, r.header.Get("Retry-After"), r.body)
			}
			if msg == "internal error" {
				t.Errorf("%s %s: the message says nothing useful: %s", c.method, c.path, r.body)
			}
		}
		// A new login while the database is down is 503 too, not 401.
		r := e.anon().do("POST", API+"/login", map[string]string{"username": "ana", "password": testPassword})
		if r.status != 503 || r.header.Get("Retry-After") == "" {
			t.Errorf("stop %s: login: %d %s, want 503 with Retry-After", mode, r.status, r.body)
		}
		cl.Start()
		// The pool notices dead connections as it uses them: the API may
		// answer 503 a few more times, then serves again.
		ok, tries := false, 0
		for i := 0; i < 50 && !ok; i++ {
			r := a.do("GET", API+"/tickets/"+tk.Number, nil)
			switch r.status {
			case 200:
				ok = true
			case 503:
				tries++
				time.Sleep(100 * time.Millisecond)
			default:
				t.Fatalf("after restart: %d %s", r.status, r.body)
			}
		}
		if !ok {
			t.Fatalf("stop %s: the API did not recover after the database came back", mode)
		}
		t.Logf("stop %s: served again after %d requests answered 503", mode, tries)
		a.newTicket(nil)
	}
}
