package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// TestNoLostUpdates: 20 writers each add a note, make an optimistic update
// (retrying on conflict) and a blind one (Version 0). Every write must be
// in the final version and history.
func TestNoLostUpdates(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{MaxConns: 20})
	tk := mustCreate(t, db, sampleTicket())
	const writers = 20
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() { errs <- write(ctx, db, tk.Number, i) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	final, err := db.Ticket(ctx, tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 2*writers; final.Version != want {
		t.Errorf("version = %d, want %d", final.Version, want)
	}
	h, _ := db.History(ctx, tk.Number)
	if want := 1 + 3*writers; len(h) != want {
		t.Errorf("history has %d entries, want %d", len(h), want)
	}
	notes, _ := db.Notes(ctx, tk.Number, true)
	if len(notes) != writers {
		t.Errorf("%d notes, want %d", len(notes), writers)
	}
	seen := map[string]bool{}
	for _, e := range h {
		seen[e.Field+"="+e.To] = true
	}
	for i := range writers {
		if !seen[fmt.Sprintf("queue=q%d", i)] || !seen[fmt.Sprintf("assignee=u%d", i)] {
			t.Errorf("writer %d's changes are missing from the history", i)
		}
	}
}

func write(ctx context.Context, db *postgres.DB, number string, i int) error {
	if err := db.AddNote(ctx, number, &tickets.Note{Author: fmt.Sprintf("u%d", i), Body: "nota"}); err != nil {
		return err
	}
	queue := fmt.Sprintf("q%d", i)
	for attempt := 0; ; attempt++ {
		cur, err := db.Ticket(ctx, number)
		if err != nil {
			return err
		}
		_, err = db.Update(ctx, number, tickets.Patch{Queue: &queue}, tickets.Change{Actor: "w", Version: cur.Version})
		if err == nil {
			break
		}
		if tickets.ErrorCode(err) != tickets.ECONFLICT || attempt > 100 {
			return fmt.Errorf("writer %d: %w", i, err)
		}
	}
	assignee := fmt.Sprintf("u%d", i)
	_, err := db.Update(ctx, number, tickets.Patch{Assignee: &assignee}, tickets.Change{Actor: "w"})
	return err
}

func TestStaleVersionConflicts(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	tk := mustCreate(t, db, sampleTicket())
	p := tickets.P1
	got, err := db.Update(ctx, tk.Number, tickets.Patch{Priority: &p}, tickets.Change{Actor: "a", Version: 1, Reason: "VIP"})
	if err != nil || got.Version != 2 || got.Priority != tickets.P1 {
		t.Fatalf("update: %+v, %v", got, err)
	}
	s := "otro asunto"
	_, err = db.Update(ctx, tk.Number, tickets.Patch{Subject: &s}, tickets.Change{Actor: "b", Version: 1})
	wantCode(t, err, tickets.ECONFLICT)
	_, err = db.Transition(ctx, tk.Number, tickets.InProgress, tickets.Change{Actor: "b", Version: 1})
	wantCode(t, err, tickets.ECONFLICT)
	cur, _ := db.Ticket(ctx, tk.Number)
	h, _ := db.History(ctx, tk.Number)
	if cur.Version != 2 || cur.Subject == s || cur.State != tickets.Registered || len(h) != 2 {
		t.Fatalf("a stale change wrote: %+v, %d history entries", cur, len(h))
	}
	if h[1].Field != "priority" || h[1].From != "P2" || h[1].To != "P1" || h[1].Reason != "VIP" {
		t.Fatalf("history entry = %+v", h[1])
	}
	// A patch that changes nothing writes nothing.
	if got, err := db.Update(ctx, tk.Number, tickets.Patch{Priority: &p}, tickets.Change{Actor: "a"}); err != nil || got.Version != 2 {
		t.Fatalf("no-op update: %+v, %v", got, err)
	}
	bad := 9
	_, err = db.Update(ctx, tk.Number, tickets.Patch{Level: &bad}, tickets.Change{Actor: "a"})
	wantCode(t, err, tickets.EINVALID)
}
