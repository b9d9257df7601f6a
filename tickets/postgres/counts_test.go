package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestOpenTicketCounts(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	if got, err := db.OpenTicketCounts(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty desk: %v, %v", got, err)
	}
	open := func(n int, state tickets.State, p tickets.Priority, level int) {
		for range n {
			tk := sampleTicket()
			tk.Priority, tk.Level = p, level
			mustCreate(t, db, tk)
			rawExec(t, db, "UPDATE tickets SET state = $1 WHERE number = $2", string(state), tk.Number)
		}
	}
	open(3, tickets.Registered, tickets.P2, 1)
	open(1, tickets.Registered, tickets.P1, 1)
	open(2, tickets.InProgress, tickets.P2, 2)
	open(1, tickets.PendingUser, tickets.P3, 1)
	open(4, tickets.OnHold, tickets.P4, 3)
	open(2, tickets.Resolved, tickets.P2, 1) // not open
	open(1, tickets.Closed, tickets.P1, 1)
	open(1, tickets.Rejected, tickets.P3, 2)
	got, err := db.OpenTicketCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []tickets.OpenCount{
		{State: tickets.InProgress, Priority: tickets.P2, Level: 2, Count: 2},
		{State: tickets.OnHold, Priority: tickets.P4, Level: 3, Count: 4},
		{State: tickets.PendingUser, Priority: tickets.P3, Level: 1, Count: 1},
		{State: tickets.Registered, Priority: tickets.P1, Level: 1, Count: 1},
		{State: tickets.Registered, Priority: tickets.P2, Level: 1, Count: 3},
	}
	if !slices.Equal(got, want) {
		t.Errorf("counts:\n got %+v\nwant %+v", got, want)
	}
}
