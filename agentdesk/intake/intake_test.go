package intake_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type harness struct {
	db     *postgres.DB
	eng    *ivrtest.Engine
	desk   *acd.ACD
	events <-chan agentdesk.Event
}

// newHarness wires the real pieces: PostgreSQL, the default IVR flow (with
// short timeouts), the ACD and intake, over the scripted engine.
func newHarness(t *testing.T) *harness { return newHarnessOn(t, openDB(t), nil) }

// openDB is a migrated database that knows María López by her number.
func openDB(t *testing.T) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.DB(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveContact(ctx, &tickets.Contact{Name: "María López", Department: "Finanzas",
		Email: "maria@example.mx", Phones: []string{"+527222769600"}}); err != nil {
		t.Fatal(err)
	}
	return db
}

// newHarnessOn is newHarness on db; tweak, if set, adjusts intake's deps.
func newHarnessOn(t *testing.T, db *postgres.DB, tweak func(*intake.Deps)) *harness {
	t.Helper()
	ctx := context.Background()
	flow, err := ivr.ParseFlow("default.yaml", ivr.DefaultFlowYAML())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range flow.Nodes {
		if n.Type == ivr.NodeMenu || n.Type == ivr.NodeOfferExisting || n.Type == ivr.NodeAnnounceIncident || n.Type == ivr.NodeSurvey {
			n.Timeout = 2 * time.Second
		}
	}
	eng := ivrtest.NewEngine()
	eng.SetPlayDuration(2 * time.Millisecond)
	bus := agentdesk.NewBus()
	events, unsub := bus.Subscribe(1000)
	t.Cleanup(unsub)
	desk := acd.New(acd.Config{}, eng, bus, nil, nil)
	t.Cleanup(func() { _ = desk.Close() })
	for _, q := range tickets.DefaultCatalog().Groups() {
		if err := desk.AddQueue(agentdesk.QueueConfig{Name: q, WrapUp: -1, AnnounceInterval: -1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := desk.AddAgent(agentdesk.Agent{Username: "ana", Name: "Ana", Extension: "1001", Skills: map[string]int{"network": 0}}); err != nil {
		t.Fatal(err)
	}
	deps := intake.Deps{Store: db, Catalog: tickets.DefaultCatalog(), Phones: tickets.PhonePlan{Region: "MX"},
		Matrix: tickets.DefaultMatrix, Queue: desk, Engine: eng, Publish: bus, Surveys: db,
		OpenTickets: db} // as cmd wires it
	if tweak != nil {
		tweak(&deps)
	}
	svc := intake.New(deps)
	runner := ivr.NewFlowRunner(flow, svc, nil)
	runner.Surveys = svc
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = eng.Serve(sctx, runner); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &harness{db: db, eng: eng, desk: desk, events: events}
}

func (h *harness) walkToInternetFailure(t *testing.T, from string) *ivrtest.Call {
	t.Helper()
	c := h.eng.Call(ivr.Party{Number: from, DisplayName: "Maria L"}, "6000")
	if err := c.WaitPlayed("es/main-menu", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	c.Press("1")
	if err := c.WaitPlayed("es/failures-menu", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	c.Press("1")
	return c
}

func (h *harness) waitQueued(t *testing.T, c *ivrtest.Call) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-h.events:
			if e.Kind == agentdesk.CallQueued && e.CallID == c.ID() {
				return
			}
		case <-deadline:
			t.Fatalf("call %s never queued; played %v", c.ID(), c.Sounds())
		}
	}
}

func (h *harness) onlyTicket(t *testing.T) *tickets.Ticket {
	t.Helper()
	list, total, err := h.db.ListTickets(context.Background(), tickets.Filter{})
	if err != nil || total != 1 {
		t.Fatalf("tickets: %d, %v", total, err)
	}
	return list[0]
}

// A known caller reports an internet failure: the ticket carries the
// contact's data and the IVR path, the offer event carries the ticket, the
// agent who answers is assigned, and the call record has its timeline.
func TestCallOpensTicketAndReachesAgent(t *testing.T) {
	h := newHarness(t)
	phone := h.eng.AddPhone("1001", ivrtest.Answers, 20*time.Millisecond)
	if err := h.desk.SetAgentState("ana", agentdesk.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	c := h.walkToInternetFailure(t, "044 722 276 9600")
	agentLeg, err := phone.WaitAnswered(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitBridged(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	agentLeg.CallerHangup() // the agent hangs up
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}

	tk := h.onlyTicket(t)
	if tk.Service != "internet_failure" || tk.Kind != tickets.Incident || tk.Channel != tickets.Phone ||
		tk.Caller.Name != "María López" || tk.Caller.Department != "Finanzas" || tk.Caller.Phone != "+527222769600" ||
		!slices.Equal(tk.IVRPath, []string{"main:1", "failures:1"}) || tk.Queue != "network" {
		t.Fatalf("ticket %+v", tk)
	}
	// The caller heard the ticket number.
	var heard string
	for _, p := range c.Played() {
		heard += p.Digits
	}
	if heard != tk.Number {
		t.Errorf("caller heard digits %q, ticket is %s", heard, tk.Number)
	}
	// Assigned to the agent who answered, with the reason in the history.
	if tk.Assignee != "ana" {
		t.Errorf("assignee %q, want ana", tk.Assignee)
	}
	calls, err := h.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 1 {
		t.Fatalf("calls %v %v", calls, err)
	}
	cr := calls[0]
	if cr.CallID != c.ID() || cr.Outcome != "answered" || cr.Agent != "ana" || cr.Queue != "network" ||
		cr.QueuedAt == nil || cr.AnsweredAt == nil || cr.EndedAt == nil || cr.AnsweredAt.Before(*cr.QueuedAt) {
		t.Errorf("call record %+v", cr)
	}
	offered := false
	for len(h.events) > 0 {
		e := <-h.events
		if e.Kind == agentdesk.CallOffered {
			offered = true
			if e.TicketNumber != tk.Number || e.Agent != "ana" || e.CallerName != "María López" || e.Queue != "network" {
				t.Errorf("offer event %+v", e)
			}
		}
	}
	if !offered {
		t.Error("no call_offered event")
	}
}

// The caller hangs up while waiting: the ticket stays, the call is recorded
// as abandoned.
func TestHangUpInQueueKeepsTicket(t *testing.T) {
	h := newHarness(t)
	if err := h.desk.SetAgentState("ana", agentdesk.StatePaused, "break"); err != nil {
		t.Fatal(err)
	}
	c := h.walkToInternetFailure(t, "+52 722 555 0101") // unknown caller
	h.waitQueued(t, c)
	c.CallerHangup()
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	tk := h.onlyTicket(t)
	if tk.State != tickets.Registered || tk.Caller.Phone != "+527225550101" || tk.Caller.Name != "Maria L" || tk.Assignee != "" {
		t.Fatalf("ticket %+v", tk)
	}
	calls, err := h.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 1 || calls[0].Outcome != "abandoned" || calls[0].EndedAt == nil {
		t.Fatalf("calls %+v %v", calls, err)
	}
}

// A known caller with an open ticket on the same service is offered to add
// the call to it; pressing 1 adds it instead of opening a new one.
func TestRecentTicketIsOffered(t *testing.T) {
	h := newHarness(t)
	if err := h.desk.SetAgentState("ana", agentdesk.StatePaused, "break"); err != nil {
		t.Fatal(err)
	}
	first := h.walkToInternetFailure(t, "7222769600")
	h.waitQueued(t, first)
	first.CallerHangup()
	if err := first.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	tk := h.onlyTicket(t)

	c := h.walkToInternetFailure(t, "+52 722 276 9600")
	if err := c.WaitPlayed("es/existing-offer", 5*time.Second); err != nil {
		t.Fatalf("%v; played %v", err, c.Sounds())
	}
	c.Press("1")
	h.waitQueued(t, c)
	c.CallerHangup()
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := h.onlyTicket(t); got.Number != tk.Number {
		t.Fatalf("a new ticket %s was opened", got.Number)
	}
	calls, err := h.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 2 {
		t.Fatalf("calls on the ticket: %+v %v", calls, err)
	}
}
