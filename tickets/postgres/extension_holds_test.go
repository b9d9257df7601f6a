package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// TestExtensionHoldRace: many agents take one extension at once, on
// separate connections; exactly one wins, the others are told who holds it.
func TestExtensionHoldRace(t *testing.T) {
	t.Parallel()
	db := newDB(t, postgres.Options{MaxConns: 20})
	ctx := context.Background()
	const n = 16
	for i := range n {
		if err := db.CreateUser(ctx, &tickets.User{Username: fmt.Sprintf("a%02d", i), Role: tickets.RoleAgent}); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 5 {
		ext := fmt.Sprintf("10%02d", round)
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = db.HoldExtension(ctx, fmt.Sprintf("a%02d", i), ext)
			}()
		}
		close(start)
		wg.Wait()
		winners := 0
		var winner string
		for i, err := range errs {
			var held *tickets.ExtensionHeldError
			switch {
			case err == nil:
				winners++
				winner = fmt.Sprintf("a%02d", i)
			case errors.As(err, &held) && tickets.ErrorCode(err) == tickets.ECONFLICT:
			default:
				t.Errorf("round %d agent %d: %v", round, i, err)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d agents hold %s, want exactly 1", round, winners, ext)
		}
		if h, err := db.ExtensionHolder(ctx, ext); err != nil || h != winner {
			t.Errorf("holder of %s = %q, %v; want %s", ext, h, err, winner)
		}
		// The winner moves on (to the next round's extension or away):
		// release so that everyone races again.
		if err := db.ReleaseExtension(ctx, winner); err != nil {
			t.Fatal(err)
		}
	}
}

// TestExtensionHoldMoves: an agent holds one extension at a time; a
// released (logged-out) agent's extension may be taken, and then the
// previous holder no longer has it.
func TestExtensionHoldMoves(t *testing.T) {
	t.Parallel()
	db := newDB(t, postgres.Options{})
	ctx := context.Background()
	for _, u := range []string{"ana", "beto"} {
		if err := db.CreateUser(ctx, &tickets.User{Username: u, Role: tickets.RoleAgent}); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	holder := func(ext string) string {
		t.Helper()
		h, err := db.ExtensionHolder(ctx, ext)
		must(err)
		return h
	}
	must(db.HoldExtension(ctx, "ana", "1001"))
	must(db.HoldExtension(ctx, "ana", "1001")) // again: nothing changes
	wantCode(t, db.HoldExtension(ctx, "beto", "1001"), tickets.ECONFLICT)
	must(db.HoldExtension(ctx, "ana", "1002")) // ana moves: 1001 is free
	if h := holder("1001"); h != "" {
		t.Errorf("1001 held by %q after ana moved", h)
	}
	must(db.HoldExtension(ctx, "beto", "1001"))
	must(db.ReleaseExtension(ctx, "ana")) // ana logs out
	must(db.HoldExtension(ctx, "beto", "1002"))
	if h1, h2 := holder("1001"), holder("1002"); h1 != "" || h2 != "beto" {
		t.Errorf("holders 1001=%q 1002=%q, want none and beto", h1, h2)
	}
	wantCode(t, db.HoldExtension(ctx, "ana", "1002"), tickets.ECONFLICT)
}
