package desk_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/ticketstest"
)

// dueFunc is a desk.SLAWriter that only sets due times (the test creates
// no ticket).
type dueFunc func(ctx context.Context, number string, response, resolution *time.Time) error

func (f dueFunc) SetDue(ctx context.Context, number string, response, resolution *time.Time) error {
	return f(ctx, number, response, resolution)
}

func (f dueFunc) CreatePlannedTicket(context.Context, *tickets.Ticket, string, desk.CreatePlan) error {
	return errors.New("dueFunc: no ticket is created in this test")
}

// Assigning a ticket (on the call path: the agent who answers) costs no SLA
// bookkeeping; changing its priority replans it: new due times and timers.
// The ticket store is a double: what is checked is the decorator's choice,
// not how PostgreSQL stores the change.
func TestUpdateReplansOnlyWhatAffectsTheSLA(t *testing.T) {
	ctx := context.Background()
	opened := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday, in business hours
	tk := &tickets.Ticket{Number: "260001", Kind: tickets.Incident, Service: "internet", Priority: tickets.P3, Level: 1,
		State: tickets.Registered, Channel: tickets.Phone, CreatedAt: opened}
	var histories, dues atomic.Int32
	inner := &ticketstest.Store{
		UpdateFn: func(_ context.Context, number string, p tickets.Patch, _ tickets.Change) (*tickets.Ticket, error) {
			cp := *tk
			if p.Priority != nil {
				cp.Priority = *p.Priority
			}
			if p.Assignee != nil {
				cp.Assignee = *p.Assignee
			}
			return &cp, nil
		},
		HistoryFn: func(context.Context, string) ([]tickets.HistoryEntry, error) {
			histories.Add(1)
			return []tickets.HistoryEntry{{At: opened, Actor: "ivr", Field: "created", To: string(tickets.Registered)}}, nil
		},
	}
	timers := memstore.New()
	s := desk.NewStore(inner, dueFunc(func(context.Context, string, *time.Time, *time.Time) error {
		dues.Add(1)
		return nil
	}), newSLA(t, 0), timers, memstore.NewClock(opened.Add(time.Minute)), tickets.TicketEvents{}, nil)

	who := "ana"
	if _, err := s.Update(ctx, tk.Number, tickets.Patch{Assignee: &who}, tickets.Change{Actor: "ana"}); err != nil {
		t.Fatal(err)
	}
	if histories.Load() != 0 || dues.Load() != 0 || len(timers.Entries(memstore.Pending)) != 0 {
		t.Errorf("an assignment was replanned: %d history reads, %d due writes, %d timers",
			histories.Load(), dues.Load(), len(timers.Entries(memstore.Pending)))
	}
	p1 := tickets.P1
	t1, err := s.Update(ctx, tk.Number, tickets.Patch{Priority: &p1}, tickets.Change{Actor: "sup"})
	if err != nil {
		t.Fatal(err)
	}
	if histories.Load() != 1 || dues.Load() != 1 || t1.ResponseDue == nil || len(timers.Entries(memstore.Pending)) == 0 {
		t.Errorf("a priority change was not replanned: %d history reads, %d due writes, due %v, %d timers",
			histories.Load(), dues.Load(), t1.ResponseDue, len(timers.Entries(memstore.Pending)))
	}
}
