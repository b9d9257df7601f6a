package extmon_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/extmon"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

var _ extmon.Store = (*postgres.DB)(nil)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env is a fake engine and a real database; monitors started on it share
// both, as a restarted process would.
type env struct {
	t   *testing.T
	db  *postgres.DB
	eng *ivrtest.Engine
	cfg extmon.Config
	// catalog is the monitor's Deps.Catalog (nil: none).
	catalog tickets.CatalogSource
}

func newEnv(t *testing.T, downAfter time.Duration) *env {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.DB(t), postgres.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: db, eng: ivrtest.NewEngine(),
		cfg: extmon.Config{DownAfter: downAfter, Resync: 50 * time.Millisecond, Retry: 50 * time.Millisecond}}
}

// monitor runs a monitor until the returned stop is called (or the test
// ends), and returns it.
func (e *env) monitor() (*extmon.Monitor, func()) {
	e.t.Helper()
	m, err := extmon.New(e.cfg, extmon.Deps{Engine: e.eng, Store: e.db, Tickets: e.db, Owner: extmon.DirectoryOwner(e.db),
		Catalog: e.catalog})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := m.Run(ctx); err != nil {
			e.t.Errorf("Run: %v", err)
		}
	}()
	stop := func() { cancel(); wg.Wait() }
	e.t.Cleanup(stop)
	return m, stop
}

func (e *env) set(ext string, state ivr.ExtState, reason string) {
	st := ivr.ExtensionStatus{Extension: ext, State: state, Reason: reason, Since: time.Now()}
	if state != ivr.ExtUnregistered {
		st.Contact, st.UserAgent = "sip:"+ext+"@192.0.2.10:5060", "baresip v3"
	}
	e.eng.SetExtension(st)
}

// up sets ext registered and waits until the monitor has recorded it: a
// status set before the monitor watches is seen only by its first list.
func (e *env) up(ext string) {
	e.t.Helper()
	e.set(ext, ivr.ExtRegistered, "registered")
	eventually(e.t, 3*time.Second, ext+" not recorded", func() bool {
		h, _ := e.db.ExtensionHistory(context.Background(), ext, 1)
		return len(h) == 1 && h[0].State == ivr.ExtRegistered
	})
}

func (e *env) tickets() []*tickets.Ticket {
	e.t.Helper()
	list, _, err := e.db.ListTickets(context.Background(), tickets.Filter{Service: "extension_failure"})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) notes(number string) []tickets.Note {
	e.t.Helper()
	n, err := e.db.Notes(context.Background(), number, true)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// never checks that cond stays false for d.
func never(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			t.Fatalf("%s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLongOutageOpensOneTicketAndNotesRecovery(t *testing.T) {
	t.Parallel()
	const down = 200 * time.Millisecond
	e := newEnv(t, down)
	ctx := context.Background()
	if err := e.db.SaveContact(ctx, &tickets.Contact{Name: "María Pérez", Department: "Finanzas",
		Email: "maria@example.org", Extensions: []string{"1001"}}); err != nil {
		t.Fatal(err)
	}
	m, _ := e.monitor()
	e.up("1001")
	e.set("1001", ivr.ExtUnreachable, "qualify timeout")
	time.Sleep(down / 2)
	e.set("1001", ivr.ExtUnregistered, "expired") // still the same outage
	eventually(t, 3*time.Second, "no ticket", func() bool { return len(e.tickets()) == 1 })
	tk := e.tickets()[0]
	if tk.Kind != tickets.Incident || tk.Service != "extension_failure" || tk.Queue != "telephony" || tk.Assignee != "" ||
		tk.Level != 1 || tk.Priority != tickets.P2 || tk.Caller.Name != "María Pérez" || tk.Caller.Extension != "1001" ||
		tk.State != tickets.Registered {
		t.Errorf("ticket: %+v", tk)
	}
	for _, s := range []string{"La extensión 1001 (María Pérez) está caída", "sin registro", "Motivo: su registro venció",
		"sip:1001@192.0.2.10:5060 (baresip v3)", "Extension 1001 (María Pérez) has been down", "Reason: its registration expired"} {
		if !strings.Contains(tk.Description, s) {
			t.Errorf("description lacks %q:\n%s", s, tk.Description)
		}
	}
	eventually(t, time.Second, "ticket not shown", func() bool {
		list, _ := m.Extensions(ctx)
		return len(list) == 1 && list[0].Ticket == tk.Number && list[0].Owner == "María Pérez" && list[0].DownSince != nil
	})
	never(t, 3*down, "a second ticket", func() bool { return len(e.tickets()) != 1 })

	e.set("1001", ivr.ExtRegistered, "registered")
	eventually(t, 3*time.Second, "no recovery note", func() bool { return len(e.notes(tk.Number)) == 1 })
	n := e.notes(tk.Number)[0]
	if !n.Internal || n.Author != "monitor" || !strings.Contains(n.Body, "Extensión 1001 recuperada") ||
		!strings.Contains(n.Body, "Extension 1001 recovered at") {
		t.Errorf("recovery note: %+v", n)
	}

	// A second long outage while the ticket is open: noted, not a new ticket.
	e.set("1001", ivr.ExtUnregistered, "expired")
	eventually(t, 3*time.Second, "no down-again note", func() bool { return len(e.notes(tk.Number)) == 2 })
	if b := e.notes(tk.Number)[1].Body; !strings.Contains(b, "volvió a caer") || !strings.Contains(b, "went down again") {
		t.Errorf("down-again note: %s", b)
	}
	e.set("1001", ivr.ExtRegistered, "registered")
	eventually(t, 3*time.Second, "no second recovery note", func() bool { return len(e.notes(tk.Number)) == 3 })
	if len(e.tickets()) != 1 {
		t.Fatalf("tickets: %d", len(e.tickets()))
	}

	// Once network staff resolve it, the next long outage is a new ticket.
	if _, err := e.db.Transition(ctx, tk.Number, tickets.InProgress, tickets.Change{Actor: "redes"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Transition(ctx, tk.Number, tickets.Resolved, tickets.Change{Actor: "redes", Reason: "cable replaced"}); err != nil {
		t.Fatal(err)
	}
	e.set("1001", ivr.ExtUnregistered, "unregistered")
	eventually(t, 3*time.Second, "no new ticket", func() bool { return len(e.tickets()) == 2 })
	e.set("1001", ivr.ExtRegistered, "registered")
	eventually(t, 3*time.Second, "no note on the new ticket", func() bool { return len(e.notes(e.tickets()[0].Number)) == 1 })
	if len(e.notes(tk.Number)) != 3 {
		t.Errorf("the resolved ticket was noted again")
	}
}

func TestFlappingOpensNoTicket(t *testing.T) {
	t.Parallel()
	const down = 200 * time.Millisecond
	e := newEnv(t, down)
	var (
		mu      sync.Mutex
		changes []extmon.Extension
	)
	m, err := extmon.New(e.cfg, extmon.Deps{Engine: e.eng, Store: e.db, Tickets: e.db,
		OnChange: func(x extmon.Extension) { mu.Lock(); changes = append(changes, x); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()

	var want []ivr.ExtState
	e.set("1002", ivr.ExtUnregistered, "") // never registered: never down
	e.up("1001")
	want = append(want, ivr.ExtRegistered)
	for range 6 {
		time.Sleep(down / 4)
		e.set("1001", ivr.ExtUnreachable, "qualify timeout")
		time.Sleep(down / 4)
		e.set("1001", ivr.ExtRegistered, "qualify ok")
		want = append(want, ivr.ExtUnreachable, ivr.ExtRegistered)
	}
	never(t, 3*down, "a ticket for a flapping or never registered extension", func() bool { return len(e.tickets()) > 0 })

	h, err := m.History(context.Background(), "1001", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != len(want) {
		t.Fatalf("history: %d events, want %d: %+v", len(h), len(want), h)
	}
	for i, st := range h { // newest first
		if w := want[len(want)-1-i]; st.State != w || (i > 0 && st.Since.After(h[i-1].Since)) {
			t.Errorf("history[%d] = %s at %v, want %s", i, st.State, st.Since, w)
		}
	}
	if _, err := m.History(context.Background(), "9999", 10); tickets.ErrorCode(err) != tickets.ENOTFOUND {
		t.Errorf("unknown extension: %v", err)
	}
	mu.Lock()
	n := len(changes)
	mu.Unlock()
	if n != len(want)+1 {
		t.Errorf("OnChange called %d times, want %d", n, len(want)+1)
	}
}

func TestRestartKeepsOutageDeadline(t *testing.T) {
	t.Parallel()
	const down = time.Second
	e := newEnv(t, down)
	_, stop := e.monitor()
	e.up("1001")
	t0 := time.Now()
	e.set("1001", ivr.ExtUnreachable, "qualify timeout")
	time.Sleep(600 * time.Millisecond)
	stop() // the process stops 600 ms into the outage

	_, stop = e.monitor()
	eventually(t, 3*time.Second, "no ticket after restart", func() bool { return len(e.tickets()) == 1 })
	tk := e.tickets()[0]
	// On time: DownAfter after the outage began, not after the restart
	// (which would be t0 + 1.6 s).
	if late := tk.CreatedAt.Sub(t0); late < down || late > down+450*time.Millisecond {
		t.Errorf("ticket opened %v after the outage began, want about %v", late, down)
	}
	stop()

	// A restart after the ticket neither opens another nor forgets it.
	m, _ := e.monitor()
	never(t, 2*down, "a second ticket after restart", func() bool { return len(e.tickets()) != 1 })
	list, err := m.Extensions(context.Background())
	if err != nil || len(list) != 1 || list[0].Ticket != tk.Number {
		t.Fatalf("extensions after restart: %+v %v", list, err)
	}
	if n := e.notes(tk.Number); len(n) != 0 {
		t.Errorf("notes: %+v", n)
	}
	e.set("1001", ivr.ExtRegistered, "qualify ok")
	eventually(t, 3*time.Second, "no recovery note after restart", func() bool { return len(e.notes(tk.Number)) == 1 })
}

// An engine that restarted with the process reports extensions it has not
// heard from yet as unregistered: StartGrace holds their tickets back.
func TestStartGrace(t *testing.T) {
	t.Parallel()
	const down = 200 * time.Millisecond
	e := newEnv(t, down)
	_, stop := e.monitor()
	e.up("1001")
	e.up("1002")
	stop()

	e.eng = ivrtest.NewEngine() // the restarted engine knows no registration
	e.eng.SetExtension(ivr.ExtensionStatus{Extension: "1001", State: ivr.ExtUnregistered, Since: time.Now()})
	e.eng.SetExtension(ivr.ExtensionStatus{Extension: "1002", State: ivr.ExtUnregistered, Since: time.Now()})
	e.cfg.StartGrace = 4 * down
	_, _ = e.monitor()
	time.Sleep(down / 2)
	e.set("1002", ivr.ExtRegistered, "registered") // re-registers within the grace
	never(t, 2*down, "a ticket within the start grace", func() bool { return len(e.tickets()) > 0 })
	eventually(t, 3*time.Second, "no ticket after the start grace", func() bool { return len(e.tickets()) == 1 })
	if tk := e.tickets()[0]; tk.Caller.Extension != "1001" {
		t.Errorf("ticket for %s", tk.Caller.Extension)
	}
}

// A fault an agent already filed for the extension gets the outage as a
// note, and is linked, rather than a second ticket.
func TestAdoptsOpenTicketOfTheExtension(t *testing.T) {
	t.Parallel()
	const down = 200 * time.Millisecond
	e := newEnv(t, down)
	ctx := context.Background()
	filed := func(ext, service string) *tickets.Ticket {
		tk := &tickets.Ticket{Kind: tickets.Incident, Service: service, Priority: tickets.P3, Level: 1, Channel: tickets.Phone,
			Caller: tickets.Caller{Name: "Luis", Extension: ext}, Description: "El teléfono de la 1003 no da tono"}
		if err := e.db.CreateTicket(ctx, tk, "agent1"); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	mine := filed("1003", "extension_failure")
	filed("1004", "extension_failure") // mentions 1003 in its text, but is not 1003's
	filed("1003", "internet_failure")
	m, _ := e.monitor()
	e.up("1003")
	e.set("1003", ivr.ExtUnregistered, "expired")
	eventually(t, 3*time.Second, "no note on the filed ticket", func() bool { return len(e.notes(mine.Number)) == 1 })
	if b := e.notes(mine.Number)[0].Body; !strings.Contains(b, "La extensión 1003 está caída") {
		t.Errorf("note: %s", b)
	}
	if n := len(e.tickets()); n != 2 {
		t.Errorf("%d extension_failure tickets, want the 2 filed", n)
	}
	eventually(t, time.Second, "not linked", func() bool {
		l, _ := e.db.ExtensionTickets(ctx)
		list, _ := m.Extensions(ctx)
		return l["1003"] == mine.Number && len(list) == 1 && list[0].Ticket == mine.Number
	})
	e.set("1003", ivr.ExtRegistered, "registered")
	eventually(t, 3*time.Second, "no recovery note", func() bool { return len(e.notes(mine.Number)) == 2 })
}

// The ticket's queue and level follow the catalog's service, the one rule
// of new tickets (tickets.Service.NewTicketDefaults), unless the monitor's
// configuration sets them.
func TestOutageTicketTakesTheCatalogsQueueAndLevel(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		cfg       func(*extmon.Config)
		wantQueue string
		wantLevel int
	}{
		{"catalog", func(*extmon.Config) {}, "network", 2},
		{"configured", func(c *extmon.Config) { c.Queue, c.Level = "servers", 3 }, "servers", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			const down = 100 * time.Millisecond
			e := newEnv(t, down)
			cat := tickets.DefaultCatalog()
			for i := range cat.Services {
				if cat.Services[i].Code == extmon.DefaultService {
					cat.Services[i].Group, cat.Services[i].Level = "network", 2
				}
			}
			e.catalog = tickets.NewLiveCatalog(cat)
			c.cfg(&e.cfg)
			e.monitor()
			e.up("1001")
			e.set("1001", ivr.ExtUnreachable, "qualify timeout")
			eventually(t, 3*time.Second, "no ticket", func() bool { return len(e.tickets()) == 1 })
			if tk := e.tickets()[0]; tk.Queue != c.wantQueue || tk.Level != c.wantLevel {
				t.Errorf("queue %q level %d, want %q %d", tk.Queue, tk.Level, c.wantQueue, c.wantLevel)
			}
		})
	}
}
