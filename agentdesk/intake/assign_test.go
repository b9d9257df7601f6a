package intake_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/ivr/ivrtest"
	"github.com/atiende/atiende/tickets"
)

// waitTicket polls the only ticket until ok holds.
func (h *harness) waitTicket(t *testing.T, what string, ok func(*tickets.Ticket) bool) *tickets.Ticket {
	t.Helper()
	var tk *tickets.Ticket
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if tk = h.onlyTicket(t); ok(tk) {
			return tk
		}
	}
	t.Fatalf("ticket never %s: %+v", what, tk)
	return nil
}

// waitEvent waits for an event that matches ok, skipping the others.
func (h *harness) waitEvent(t *testing.T, what string, ok func(agentdesk.Event) bool) agentdesk.Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-h.events:
			if ok(e) {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s event", what)
		}
	}
}

// noEvent fails if an event that matches ok is among those published so far.
func (h *harness) noEvent(t *testing.T, what string, ok func(agentdesk.Event) bool) {
	t.Helper()
	for len(h.events) > 0 {
		if e := <-h.events; ok(e) {
			t.Errorf("unexpected %s event %+v", what, e)
		}
	}
}

func ticketChanged(e agentdesk.Event) bool { return e.Kind == agentdesk.TicketChanged }

// The ticket is the answering agent's while the call is up: assigned by
// intake with the call in the history, and the agent's console is told the
// new version (ticket_changed). Hanging up changes nothing more.
func TestTicketAssignedWhenAnswered(t *testing.T) {
	h := newHarness(t)
	c, agentLeg := h.connect(t)
	tk := h.waitTicket(t, "assigned to ana during the call", func(tk *tickets.Ticket) bool { return tk.Assignee == "ana" })
	if by, _ := c.HungUp(); by != "" {
		t.Fatalf("the call was hung up (by %s) before the assignment was seen", by)
	}
	ev := h.waitEvent(t, "ticket_changed", ticketChanged)
	if ev.TicketNumber != tk.Number || ev.TicketVersion != tk.Version || ev.Agent != "ana" || ev.CallID != c.ID() || ev.Seq != 0 {
		t.Errorf("ticket_changed %+v, want ticket %s version %d for ana, call %s, no seq", ev, tk.Number, tk.Version, c.ID())
	}
	hist, err := h.db.History(context.Background(), tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	var assigned []tickets.HistoryEntry
	for _, e := range hist {
		if e.Field == "assignee" {
			assigned = append(assigned, e)
		}
	}
	if len(assigned) != 1 || assigned[0].Actor != intake.Actor || assigned[0].From != "" || assigned[0].To != "ana" ||
		assigned[0].Reason != tickets.AnsweredCall {
		t.Errorf("assignee history %+v, want one change to ana by %s for %s (the call is in the call records)", assigned, intake.Actor, tickets.AnsweredCall)
	}

	agentLeg.CallerHangup()
	if err := c.WaitPlayed("es/survey-offer", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	c.CallerHangup()
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	after := h.onlyTicket(t)
	if after.Assignee != "ana" || after.Version != tk.Version {
		t.Errorf("after the call: assignee %q version %d, want ana at version %d (no second change)", after.Assignee, after.Version, tk.Version)
	}
	h.noEvent(t, "second ticket_changed", ticketChanged)
	calls, err := h.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 1 || calls[0].Outcome != "answered" || calls[0].Agent != "ana" {
		t.Fatalf("calls %+v %v", calls, err)
	}
}

// A ticket someone assigned while the caller waited is left alone.
func TestAssignedTicketIsLeftAlone(t *testing.T) {
	h := newHarness(t)
	phone := h.eng.AddPhone("1001", ivrtest.Answers, 20*time.Millisecond)
	if err := h.desk.SetAgentState("ana", agentdesk.StatePaused, "break"); err != nil {
		t.Fatal(err)
	}
	c := h.walkToInternetFailure(t, "044 722 276 9600")
	h.waitQueued(t, c)
	tk := h.onlyTicket(t)
	beto := "beto"
	tk, err := h.db.Update(context.Background(), tk.Number, tickets.Patch{Assignee: &beto}, tickets.Change{Actor: "supervisora", Version: tk.Version})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.desk.SetAgentState("ana", agentdesk.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := phone.WaitAnswered(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitBridged(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	c.CallerHangup()
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := h.onlyTicket(t); got.Assignee != "beto" || got.Version != tk.Version {
		t.Errorf("ticket %s: assignee %q version %d, want beto's at version %d", got.Number, got.Assignee, got.Version, tk.Version)
	}
	h.noEvent(t, "ticket_changed", ticketChanged)
}

// slowUpdates is a store whose ticket updates wait for release.
type slowUpdates struct {
	tickets.Store
	release chan struct{}
}

func (s slowUpdates) Update(ctx context.Context, number string, p tickets.Patch, c tickets.Change) (*tickets.Ticket, error) {
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Store.Update(ctx, number, p, c)
}

// The assignment is written beside the call, not in its way: with the
// database slow to write, the caller is bridged to the agent and the ACD
// goes on (a snapshot is served) before the ticket is assigned.
func TestAssignmentDoesNotHoldTheCall(t *testing.T) {
	release := make(chan struct{})
	h := newHarnessOn(t, openDB(t), func(d *intake.Deps) { d.Store = slowUpdates{Store: d.Store, release: release} })
	c, agentLeg := h.connect(t)
	done := make(chan struct{})
	go func() { _ = h.desk.Snapshot(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the ACD is blocked while the assignment waits for the database")
	}
	if tk := h.onlyTicket(t); tk.Assignee != "" {
		t.Fatalf("assigned to %q before the write was let through", tk.Assignee)
	}
	close(release)
	h.waitTicket(t, "assigned to ana", func(tk *tickets.Ticket) bool { return tk.Assignee == "ana" })
	h.waitEvent(t, "ticket_changed", ticketChanged)
	agentLeg.CallerHangup()
	c.CallerHangup()
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}
