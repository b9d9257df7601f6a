package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// allowed is the lifecycle of DOMAIN.md written out independently of
// state.go: from -> to -> whether a reason is required.
var allowed = map[tickets.State]map[tickets.State]bool{
	tickets.Registered:  {tickets.InProgress: false},
	tickets.InProgress:  {tickets.PendingUser: true, tickets.OnHold: true, tickets.Rejected: true, tickets.Resolved: true},
	tickets.PendingUser: {tickets.InProgress: false, tickets.Rejected: true},
	tickets.OnHold:      {tickets.InProgress: false},
	tickets.Resolved:    {tickets.Closed: false},
}

// pathTo is a way to reach each state from Registered.
var pathTo = map[tickets.State][]tickets.State{
	tickets.Registered:  nil,
	tickets.InProgress:  {tickets.InProgress},
	tickets.PendingUser: {tickets.InProgress, tickets.PendingUser},
	tickets.OnHold:      {tickets.InProgress, tickets.OnHold},
	tickets.Resolved:    {tickets.InProgress, tickets.Resolved},
	tickets.Closed:      {tickets.InProgress, tickets.Resolved, tickets.Closed},
	tickets.Rejected:    {tickets.InProgress, tickets.Rejected},
}

func TestEveryTransition(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)}
	db := newDB(t, postgres.Options{Clock: clock.Now})
	for _, from := range tickets.States {
		for _, to := range tickets.States {
			for _, reason := range []string{"", "el usuario no respondió"} {
				name := fmt.Sprintf("%s→%s/reason=%v", from, to, reason != "")
				t.Run(name, func(t *testing.T) {
					tk := mustCreate(t, db, sampleTicket())
					for _, s := range pathTo[from] {
						if _, err := db.Transition(ctx, tk.Number, s, tickets.Change{Actor: "setup", Reason: "setup"}); err != nil {
							t.Fatalf("setup to %s: %v", s, err)
						}
					}
					before, err := db.Ticket(ctx, tk.Number)
					if err != nil {
						t.Fatal(err)
					}
					hBefore, _ := db.History(ctx, tk.Number)
					clock.Add(time.Minute)

					got, err := db.Transition(ctx, tk.Number, to, tickets.Change{Actor: "ana", Reason: reason, Version: before.Version})
					needsReason, ok := allowed[from][to]
					ok = ok && (!needsReason || reason != "")
					after, _ := db.Ticket(ctx, tk.Number)
					hAfter, _ := db.History(ctx, tk.Number)
					if !ok {
						wantCode(t, err, tickets.EINVALID)
						if after.Version != before.Version || after.State != from || len(hAfter) != len(hBefore) {
							t.Fatalf("forbidden move wrote: version %d→%d, state %s, history %d→%d",
								before.Version, after.Version, after.State, len(hBefore), len(hAfter))
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					if got.State != to || after.State != to || after.Version != before.Version+1 || got.Version != after.Version {
						t.Fatalf("after move: got %s v%d, stored %s v%d", got.State, got.Version, after.State, after.Version)
					}
					if len(hAfter) != len(hBefore)+1 {
						t.Fatalf("history grew by %d, want 1", len(hAfter)-len(hBefore))
					}
					last := hAfter[len(hAfter)-1]
					if last.Field != "state" || last.From != string(from) || last.To != string(to) || last.Actor != "ana" || last.Reason != reason || !last.At.Equal(clock.now) {
						t.Fatalf("history entry = %+v", last)
					}
					checkMilestones(t, from, to, before, after, clock.now)
				})
			}
		}
	}
}

func checkMilestones(t *testing.T, from, to tickets.State, before, after *tickets.Ticket, now time.Time) {
	t.Helper()
	at := func(p *time.Time) bool { return p != nil && p.Equal(now) }
	if from == tickets.Registered && !at(after.FirstResponseAt) {
		t.Errorf("first response = %v, want %v", after.FirstResponseAt, now)
	}
	if from != tickets.Registered && !after.FirstResponseAt.Equal(*before.FirstResponseAt) {
		t.Errorf("first response moved from %v to %v", before.FirstResponseAt, after.FirstResponseAt)
	}
	if to == tickets.Resolved && !at(after.ResolvedAt) {
		t.Errorf("resolved at = %v, want %v", after.ResolvedAt, now)
	}
	if to == tickets.Closed && !at(after.ClosedAt) {
		t.Errorf("closed at = %v, want %v", after.ClosedAt, now)
	}
	if to != tickets.Closed && after.ClosedAt != nil {
		t.Errorf("closed at = %v on a ticket in %s", after.ClosedAt, to)
	}
}

func TestLink(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	a, b, c := mustCreate(t, db, sampleTicket()), mustCreate(t, db, sampleTicket()), mustCreate(t, db, sampleTicket())
	ch := tickets.Change{Actor: "sup"}
	_, err := db.Link(ctx, a.Number, a.Number, ch)
	wantCode(t, err, tickets.EINVALID)
	_, err = db.Link(ctx, a.Number, "260999", ch)
	wantCode(t, err, tickets.ENOTFOUND)
	_, err = db.Link(ctx, "260999", a.Number, ch)
	wantCode(t, err, tickets.ENOTFOUND)

	got, err := db.Link(ctx, b.Number, a.Number, tickets.Change{Actor: "sup", Version: 1, Reason: "caída masiva"})
	if err != nil || got.ParentNumber != a.Number || got.Version != 2 {
		t.Fatalf("link b under a: %+v, %v", got, err)
	}
	if _, err := db.Link(ctx, c.Number, b.Number, ch); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{a.Number, b.Number}, {a.Number, c.Number}, {b.Number, c.Number}} {
		_, err := db.Link(ctx, pair[0], pair[1], ch)
		wantCode(t, err, tickets.EINVALID)
	}
	_, err = db.Link(ctx, b.Number, c.Number, tickets.Change{Actor: "sup", Version: 1})
	wantCode(t, err, tickets.ECONFLICT)

	kids, err := db.Children(ctx, a.Number)
	if err != nil || len(kids) != 1 || kids[0].Number != b.Number {
		t.Fatalf("children of a = %v, %v", kids, err)
	}
	h, _ := db.History(ctx, b.Number)
	last := h[len(h)-1]
	if len(h) != 2 || last.Field != "link" || last.To != a.Number || last.Reason != "caída masiva" {
		t.Fatalf("history of b = %+v", h)
	}
	_, err = db.Children(ctx, "260999")
	wantCode(t, err, tickets.ENOTFOUND)
}
