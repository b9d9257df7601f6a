package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestEndSessionsNotifiesOtherProcesses: EndSessions in one process deletes
// the user's sessions (and tokens when asked) and a listener in another
// process hears the username.
func TestEndSessionsNotifiesOtherProcesses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.DB(t)
	a, b := openMigrated(t, url), openMigrated(t, url)
	heard := make(chan string, 8)
	b.ListenRevoked(ctx, func(u string) { heard <- u }, nil)

	for _, name := range []string{"ana", "beto"} {
		if err := a.CreateUser(ctx, &tickets.User{Username: name, Role: tickets.RoleAgent, Level: 1, PasswordHash: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	exp := time.Now().Add(time.Hour)
	mk := func(user string) (sess, tok []byte) {
		_, sess = tickets.NewToken()
		_, tok = tickets.NewToken()
		if err := a.CreateSession(ctx, &tickets.Session{Hash: sess, Username: user, CSRFToken: "c", ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
		if err := a.CreateToken(ctx, &tickets.APIToken{Hash: tok, Username: user, Name: "n"}); err != nil {
			t.Fatal(err)
		}
		return sess, tok
	}
	anaS, anaT := mk("ana")
	betoS, betoT := mk("beto")

	if err := a.EndSessions(ctx, "ana", false); err != nil {
		t.Fatal(err)
	}
	select {
	case u := <-heard:
		if u != "ana" {
			t.Errorf("heard %q, want ana", u)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the other process heard nothing within 2 s")
	}
	if _, err := b.SessionByHash(ctx, anaS); tickets.ErrorCode(err) != tickets.ENOTFOUND {
		t.Errorf("ana's session after EndSessions: %v", err)
	}
	if _, err := b.TokenByHash(ctx, anaT); err != nil {
		t.Errorf("ana's token was to be kept: %v", err)
	}
	if _, err := b.SessionByHash(ctx, betoS); err != nil {
		t.Errorf("beto's session: %v", err)
	}
	if err := a.EndSessions(ctx, "ana", true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.TokenByHash(ctx, anaT); tickets.ErrorCode(err) != tickets.ENOTFOUND {
		t.Errorf("ana's token after EndSessions with tokens: %v", err)
	}
	if _, err := b.TokenByHash(ctx, betoT); err != nil {
		t.Errorf("beto's token: %v", err)
	}
}

// TestListenRevokedResyncsAfterReconnect: when the listening connection is
// lost, revocations made meanwhile could be missed, so after reconnecting
// the listener calls resync (the hub then closes every socket and pages
// authenticate again); later revocations are heard again.
func TestListenRevokedResyncsAfterReconnect(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.DB(t)
	a, b := openMigrated(t, url), openMigrated(t, url)
	heard, resynced := make(chan string, 8), make(chan struct{}, 8)
	b.ListenRevoked(ctx, func(u string) { heard <- u }, func() { resynced <- struct{}{} })
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var n int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%atiende_session_revoked%'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d listeners: %v", n, err)
	}
	select {
	case <-resynced:
	case <-time.After(10 * time.Second):
		t.Fatal("no resync after the listener reconnected")
	}
	if err := a.CreateUser(ctx, &tickets.User{Username: "ana", Role: tickets.RoleAgent, Level: 1, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := a.EndSessions(ctx, "ana", false); err != nil {
		t.Fatal(err)
	}
	select {
	case u := <-heard:
		if u != "ana" {
			t.Errorf("heard %q", u)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("nothing heard after the reconnect")
	}
}
