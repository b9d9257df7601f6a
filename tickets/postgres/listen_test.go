package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// listeners counts the connections LISTENing on the database.
func listeners(t *testing.T, db *postgres.DB) int {
	return rawInt(t, db, `SELECT count(*)::int FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%'`)
}

// One process listens on one connection whatever hears it (the caches, the
// session revocations, the timers' worker), each hearing its own channel;
// the connection closes when the last of them stops.
func TestOneListenConnection(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	a, b := openMigrated(t, url), openMigrated(t, url)

	lctx, stop := context.WithCancel(ctx)
	changes := postgres.NewChanges(a)
	reloads := make(chan struct{}, 8)
	changes.Watch(lctx, postgres.TopicMajorIncidents, func(context.Context) error { reloads <- struct{}{}; return nil })
	changes.Start(lctx)
	revoked := make(chan string, 8)
	a.ListenRevoked(lctx, func(u string) { revoked <- u }, nil)
	wctx, stopTimers := context.WithCancel(lctx)
	wake := a.Timers().Listen(wctx)
	wait := func(what string, ch <-chan struct{}) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: nothing heard", what)
		}
	}
	wait("the first connect reloads the caches", reloads)
	wait("the first connect wakes the worker", wake)
	if n := listeners(t, b); n != 1 {
		t.Errorf("%d listening connections, want 1", n)
	}

	if err := b.CreateUser(ctx, &tickets.User{Username: "ana", Role: tickets.RoleAgent, Level: 1, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := b.EndSessions(ctx, "ana", false); err != nil {
		t.Fatal(err)
	}
	select {
	case u := <-revoked:
		if u != "ana" {
			t.Errorf("revoked %q", u)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("revocation not heard")
	}
	if len(reloads) != 0 || len(wake) != 0 {
		t.Errorf("a revocation reloaded the caches (%d) or woke the worker (%d)", len(reloads), len(wake))
	}
	if err := b.Timers().Schedule(ctx, escalation.Action{Kind: escalation.Notify, DueAt: tt0, Key: "k"}); err != nil {
		t.Fatal(err)
	}
	wait("a schedule wakes the worker", wake)
	if len(revoked) != 0 {
		t.Errorf("a schedule was heard as a revocation: %q", <-revoked)
	}

	// The worker stops: the others still hear on the same connection.
	stopTimers()
	tk := sampleTicket()
	tk.MajorIncident = true
	mustCreate(t, b, tk)
	wait("a major incident reloads its cache", reloads)
	if n := listeners(t, b); n != 1 {
		t.Errorf("%d listening connections after the worker stopped, want 1", n)
	}

	stop()
	for deadline := time.Now().Add(10 * time.Second); listeners(t, b) != 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the listening connection outlived its last listener")
		}
	}
}
