package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// The SLA store writes through this interface.
var _ desk.SLAWriter = (*postgres.DB)(nil)

// recordingDB is a migrated store on one connection (so that a warm-up
// prepares every statement once) whose statements are recorded.
func recordingDB(t *testing.T, clock func() time.Time) (*postgres.DB, *postgres.Statements) {
	t.Helper()
	db, st, err := postgres.OpenRecording(context.Background(), pgtest.DB(t), postgres.Options{MaxConns: 1, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, st
}

func slaStore(t *testing.T, db *postgres.DB, clock *memstore.Clock) *desk.Store {
	t.Helper()
	sla, _, err := escalation.New(escalation.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return desk.NewStore(db, db, sla, db.Timers(), clock, tickets.TicketEvents{}, nil)
}

func p1Ticket() *tickets.Ticket {
	tk := sampleTicket()
	tk.Priority = tickets.P1
	return tk
}

// A ticket is created with its due times, SLA timers and confirmation in
// one statement, and they are
// what the two-transaction bookkeeping (Resync) computes.
func TestSLACreateTicketIsOneStatement(t *testing.T) {
	ctx := context.Background()
	clock := memstore.NewClock(tt0)
	db, st := recordingDB(t, clock.Now)
	store := slaStore(t, db, clock)
	mustCreateVia(t, store, p1Ticket()) // prepares the statement, makes the year's sequence
	st.Take()

	tk := mustCreateVia(t, store, p1Ticket())
	if sent := st.Take(); len(sent) != 1 {
		t.Fatalf("creating a ticket with its SLA took %d statements, want 1:\n%s", len(sent), strings.Join(sent, "\n---\n"))
	}

	if tk.ResponseDue == nil || tk.ResolutionDue == nil {
		t.Fatalf("due times not set on the ticket: %v %v", tk.ResponseDue, tk.ResolutionDue)
	}
	stored, err := db.Ticket(ctx, tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !equalTime(stored.ResponseDue, tk.ResponseDue) || !equalTime(stored.ResolutionDue, tk.ResolutionDue) {
		t.Errorf("stored due times %v %v, returned %v %v", stored.ResponseDue, stored.ResolutionDue, tk.ResponseDue, tk.ResolutionDue)
	}
	hist, err := db.History(ctx, tk.Number)
	if err != nil || len(hist) != 1 || hist[0].Field != "created" || hist[0].Actor != "agent1" {
		t.Errorf("history = %+v, %v; want the created entry", hist, err)
	}
	planned := ticketTimers(t, db, tk.Number)
	var notices, escalations int
	for _, tm := range planned {
		if !strings.HasPrefix(tm.Key, tk.Number+"/") || strings.Contains(tm.Key, "{") || tm.TicketNumber != tk.Number {
			t.Errorf("timer %q of ticket %q is not keyed by the ticket's number", tm.Key, tm.TicketNumber)
		}
		if tm.State != "pending" {
			t.Errorf("timer %s is %s", tm.Key, tm.State)
		}
		switch tm.Kind {
		case escalation.Notify:
			notices++
		case escalation.Escalate:
			escalations++
		}
	}
	if notices != 1 || escalations == 0 {
		t.Errorf("%d confirmations and %d escalation steps, want 1 and some: %+v", notices, escalations, planned)
	}

	// The bookkeeping of any later change finds nothing to correct.
	if err := store.Resync(ctx, tk.Number); err != nil {
		t.Fatal(err)
	}
	if again := ticketTimers(t, db, tk.Number); !slices.EqualFunc(planned, again, sameTimer) {
		t.Errorf("Resync changed the timers:\n created %+v\n resync  %+v", planned, again)
	}
	if again, _ := db.Ticket(ctx, tk.Number); !equalTime(again.ResponseDue, tk.ResponseDue) || !equalTime(again.ResolutionDue, tk.ResolutionDue) {
		t.Errorf("Resync changed the due times to %v %v", again.ResponseDue, again.ResolutionDue)
	}
}

// A ticket never exists without its timers: when they cannot be written the
// ticket is not created either.
func TestSLACreateTicketFailsWholeWithoutItsTimers(t *testing.T) {
	ctx := context.Background()
	clock := memstore.NewClock(tt0)
	db, _ := recordingDB(t, clock.Now)
	store := slaStore(t, db, clock)
	rawExec(t, db, `CREATE FUNCTION refuse_timers() RETURNS trigger LANGUAGE plpgsql
		AS $$ BEGIN RAISE EXCEPTION 'the timers table refuses rows'; END $$`)
	rawExec(t, db, `CREATE TRIGGER refuse_timers BEFORE INSERT ON timers FOR EACH ROW EXECUTE FUNCTION refuse_timers()`)

	tk := p1Ticket()
	if err := store.CreateTicket(ctx, tk, "agent1"); err == nil {
		t.Fatalf("ticket %s created although its timers could not be written", tk.Number)
	}
	if n := rawInt(t, db, "SELECT count(*) FROM tickets"); n != 0 {
		t.Errorf("%d tickets exist without their timers", n)
	}
	if n := rawInt(t, db, "SELECT count(*) FROM ticket_history"); n != 0 {
		t.Errorf("%d history entries of a ticket that does not exist", n)
	}
}

func TestCreatePlan(t *testing.T) {
	ctx := context.Background()
	clock := memstore.NewClock(tt0)
	db, _ := recordingDB(t, clock.Now)
	action := func(tk *tickets.Ticket, key string) escalation.Action {
		return escalation.Action{Kind: escalation.Escalate, TicketNumber: tk.Number, Level: 2, DueAt: tt0.Add(time.Hour), Key: key}
	}
	count := func() (int, int) {
		return rawInt(t, db, "SELECT count(*) FROM tickets"), rawInt(t, db, "SELECT count(*) FROM timers")
	}

	// The plan sees the ticket as it will be stored and its history.
	var seen *tickets.Ticket
	var seenHist []tickets.HistoryEntry
	due := tt0.Add(2 * time.Hour)
	plan := func(tk *tickets.Ticket, h []tickets.HistoryEntry) ([]escalation.Action, error) {
		seen, seenHist = tk, h
		tk.ResolutionDue = &due
		return []escalation.Action{action(tk, tk.Number+"/a"), action(tk, tk.Number+"/b")}, nil
	}
	tk := sampleTicket()
	if err := db.CreatePlannedTicket(ctx, tk, "ivr", plan); err != nil {
		t.Fatal(err)
	}
	if seen == nil || !seen.CreatedAt.Equal(tk.CreatedAt) || seen.State != tickets.Registered || seen.Version != 1 {
		t.Errorf("plan saw %+v", seen)
	}
	if len(seenHist) != 1 || seenHist[0].Field != "created" || seenHist[0].Actor != "ivr" || seenHist[0].To != "registered" {
		t.Errorf("plan saw history %+v", seenHist)
	}
	if !equalTime(tk.ResolutionDue, &due) {
		t.Errorf("resolution due %v, want the plan's %v", tk.ResolutionDue, due)
	}
	if got := ticketTimers(t, db, tk.Number); len(got) != 2 || got[0].Key != tk.Number+"/a" || got[1].Key != tk.Number+"/b" {
		t.Errorf("timers %+v", got)
	}

	// A failing plan, or one whose actions are not the new ticket's,
	// writes nothing.
	for name, plan := range map[string]func(*tickets.Ticket, []tickets.HistoryEntry) ([]escalation.Action, error){
		"error": func(*tickets.Ticket, []tickets.HistoryEntry) ([]escalation.Action, error) {
			return nil, tickets.Errorf(tickets.EINVALID, "no SLA policy")
		},
		"other ticket's action": func(tk *tickets.Ticket, _ []tickets.HistoryEntry) ([]escalation.Action, error) {
			a := action(tk, "260001/x")
			a.TicketNumber = "260001"
			return []escalation.Action{a}, nil
		},
		"key without the number": func(tk *tickets.Ticket, _ []tickets.HistoryEntry) ([]escalation.Action, error) {
			return []escalation.Action{action(tk, "same-for-every-ticket")}, nil
		},
	} {
		tickets0, timers0 := count()
		err := db.CreatePlannedTicket(ctx, sampleTicket(), "ivr", plan)
		if err == nil {
			t.Errorf("%s: created", name)
		}
		if name == "error" {
			wantCode(t, err, tickets.EINVALID)
		}
		if n, m := count(); n != tickets0 || m != timers0 {
			t.Errorf("%s: %d tickets and %d timers written", name, n-tickets0, m-timers0)
		}
	}
}

// The timers a creation writes wake the workers of every process.
func TestCreatePlanWakesWorkers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.DB(t)
	a, b := openMigrated(t, url), openMigrated(t, url)
	wake := a.Timers().Listen(ctx)
	select { // the first signal says the listener is connected
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("listener did not connect")
	}
	plan := func(tk *tickets.Ticket, _ []tickets.HistoryEntry) ([]escalation.Action, error) {
		return []escalation.Action{escalation.Notice(tk, escalation.CreatedTemplate, "created", tt0)}, nil
	}
	if err := b.CreatePlannedTicket(ctx, sampleTicket(), "ivr", plan); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up after a ticket was created with a timer")
	}
}

// The statements of the other writes on a call's way: each is one round
// trip (a transaction on a locked ticket is four).
func TestCallPathStatements(t *testing.T) {
	ctx := context.Background()
	clock := memstore.NewClock(tt0)
	db, st := recordingDB(t, clock.Now)
	store := slaStore(t, db, clock)
	who := "ana"
	steps := []struct {
		name string
		want int
		do   func(tk *tickets.Ticket) error
	}{
		{"add call", 1, func(tk *tickets.Ticket) error {
			return db.AddCall(ctx, tk.Number, tickets.CallRecord{CallID: "c-" + tk.Number, Queue: "network", StartedAt: tt0})
		}},
		{"update call", 1, func(tk *tickets.Ticket) error {
			return db.UpdateCall(ctx, tickets.CallRecord{CallID: "c-" + tk.Number, Agent: "ana", Outcome: "answered"})
		}},
		// begin, the ticket FOR UPDATE, the change with its history, commit
		{"assign (no SLA bookkeeping)", 4, func(tk *tickets.Ticket) error {
			_, err := store.Update(ctx, tk.Number, tickets.Patch{Assignee: &who}, tickets.Change{Actor: "ivr"})
			return err
		}},
		// the transaction above, then the history, the due times, the timers
		{"transition with SLA bookkeeping", 4 + 3, func(tk *tickets.Ticket) error {
			_, err := store.Transition(ctx, tk.Number, tickets.InProgress, tickets.Change{Actor: "ana"})
			return err
		}},
		{"history", 1, func(tk *tickets.Ticket) error {
			_, err := db.History(ctx, tk.Number)
			return err
		}},
	}
	run := func(tk *tickets.Ticket, check bool) {
		for _, s := range steps {
			st.Take()
			if err := s.do(tk); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if sent := st.Take(); check && len(sent) != s.want {
				t.Errorf("%s: %d statements, want %d:\n%s", s.name, len(sent), s.want, strings.Join(sent, "\n---\n"))
			}
		}
	}
	run(mustCreateVia(t, store, p1Ticket()), false) // prepares the statements
	run(mustCreateVia(t, store, p1Ticket()), true)
}

func mustCreateVia(t *testing.T, s tickets.Store, tk *tickets.Ticket) *tickets.Ticket {
	t.Helper()
	if err := s.CreateTicket(context.Background(), tk, "agent1"); err != nil {
		t.Fatal(err)
	}
	return tk
}

func ticketTimers(t *testing.T, db *postgres.DB, number string) []postgres.TimerState {
	t.Helper()
	list, err := db.Timers().TicketTimers(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func sameTimer(a, b postgres.TimerState) bool {
	return a.Key == b.Key && a.Kind == b.Kind && a.Level == b.Level && a.DueAt.Equal(b.DueAt) &&
		a.State == b.State && a.Reason == b.Reason && a.Template == b.Template && a.RunAt.Equal(b.RunAt)
}

func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// The SLA store tells its TicketEvents of each creation and transition, with
// the state the ticket left (read from the history the bookkeeping reads
// anyway), and not of an update.
func TestSLAStoreTicketEvents(t *testing.T) {
	ctx := context.Background()
	clock := memstore.NewClock(tt0)
	db := newDB(t, postgres.Options{Clock: clock.Now})
	sla, _, err := escalation.New(escalation.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	events := tickets.TicketEvents{
		Created: func(tk *tickets.Ticket) { seen = append(seen, "created "+string(tk.State)) },
		Moved: func(tk *tickets.Ticket, from tickets.State) {
			seen = append(seen, string(from)+" -> "+string(tk.State))
		},
	}
	store := desk.NewStore(db, db, sla, db.Timers(), clock, events, nil)
	tk := mustCreateVia(t, store, p1Ticket())
	if _, err := store.Transition(ctx, tk.Number, tickets.InProgress, tickets.Change{Actor: "ana"}); err != nil {
		t.Fatal(err)
	}
	subject := "Otro asunto"
	if _, err := store.Update(ctx, tk.Number, tickets.Patch{Subject: &subject}, tickets.Change{Actor: "ana"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Transition(ctx, tk.Number, tickets.Resolved, tickets.Change{Actor: "ana", Reason: "listo"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"created registered", "registered -> in_progress", "in_progress -> resolved"}
	if !slices.Equal(seen, want) {
		t.Errorf("events %q, want %q", seen, want)
	}
}
