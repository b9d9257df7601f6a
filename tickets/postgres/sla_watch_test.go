package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestSLAWatch(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	// mk creates a ticket in state, created `ago` before now and due `in`
	// after now (negative: overdue); in 0 leaves resolution_due NULL.
	mk := func(state tickets.State, ago, in time.Duration) string {
		t.Helper()
		tk := mustCreate(t, db, sampleTicket())
		var due *time.Time
		if in != 0 {
			d := now.Add(in)
			due = &d
		}
		rawExec(t, db, "UPDATE tickets SET state = $1, created_at = $2, resolution_due = $3 WHERE number = $4",
			string(state), now.Add(-ago), due, tk.Number)
		return tk.Number
	}
	if list, past, near, err := db.SLAWatch(ctx, now, 0.75, 10); err != nil || len(list)+past+near != 0 {
		t.Fatalf("empty desk: %v %d %d %v", list, past, near, err)
	}
	past1 := mk(tickets.InProgress, 10*time.Hour, -2*time.Hour)
	past2 := mk(tickets.Registered, 5*time.Hour, -time.Hour)
	near1 := mk(tickets.Registered, 8*time.Hour, time.Hour) // 8/9 elapsed
	near2 := mk(tickets.InProgress, 3*time.Hour, time.Hour) // exactly 3/4
	mk(tickets.Registered, 2*time.Hour, time.Hour)          // 2/3: not near
	mk(tickets.OnHold, 10*time.Hour, -time.Hour)            // clock stopped
	mk(tickets.PendingUser, 10*time.Hour, time.Minute)      // clock stopped
	mk(tickets.Resolved, 10*time.Hour, -time.Hour)          // not open
	mk(tickets.InProgress, 10*time.Hour, 0)                 // no SLA
	mk(tickets.Closed, 10*time.Hour, -3*time.Hour)          // not open

	list, past, near, err := db.SLAWatch(ctx, now, 0.75, 10)
	if err != nil {
		t.Fatal(err)
	}
	if past != 2 || near != 2 {
		t.Errorf("past %d near %d, want 2 and 2", past, near)
	}
	var got []string
	for _, tk := range list {
		got = append(got, tk.Number)
	}
	if want := []string{past1, past2, near1, near2}; !slices.Equal(got, want) {
		t.Errorf("list %v, want %v (by resolution_due)", got, want)
	}

	// The limit applies to each group; the counts do not.
	list, past, near, err = db.SLAWatch(ctx, now, 0.75, 1)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, tk := range list {
		got = append(got, tk.Number)
	}
	if want := []string{past1, near1}; !slices.Equal(got, want) || past != 2 || near != 2 {
		t.Errorf("limit 1: %v (%d past, %d near), want %v (2, 2)", got, past, near, want)
	}
}
