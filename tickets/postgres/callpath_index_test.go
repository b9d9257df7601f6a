package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Issue 11: the cost of a call must not grow with the history. The test
// runs every call-path and console read through the store itself, records
// the statements it sends (SQL and arguments, with a pgx tracer: what runs
// is what is checked, nothing is copied here), and EXPLAINs each of them,
// with ANALYZE and BUFFERS, first on an empty desk and then with 1,000,000
// tickets and their history (pgtest.LoadHistory, which the call-path
// benchmark loads too). A sequential scan of tickets or of
// ticket_history fails it, as does a scan of them that reads rows it then
// throws away (rows removed by a filter or a recheck).

// sampleCall is one store call the IVR, the intake or a console makes.
type sampleCall struct {
	name string
	run  func(ctx context.Context, db *DB, s *callSample) error
}

// callSample is what the calls are asked about: a caller with a long
// history and an open ticket, a ticket with history, notes and calls.
type callSample struct {
	phone, service, number string
	now                    time.Time
}

// callPathCalls are the store calls of a call (IVR, intake) and of the
// consoles (agent pop-up, ticket page, wallboard, network page), with sample
// arguments. A new query on the call path belongs here.
var callPathCalls = []sampleCall{
	// IVR, per call.
	{"ivr: caller lookup", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.ContactByPhone(ctx, s.phone)
		return err
	}},
	{"ivr: open ticket of the caller on a service", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.OpenTicketOf(ctx, s.phone, s.service, s.now.Add(-72*time.Hour))
		return err
	}},
	{"ivr: open ticket of the caller, any service", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.OpenTicketOf(ctx, s.phone, "", s.now.Add(-72*time.Hour))
		return err
	}},
	{"ivr: ticket status by number", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.Ticket(ctx, s.number)
		return err
	}},
	// Reloads of the caches a call reads from memory (on NOTIFY only).
	{"cache: open major incidents", func(ctx context.Context, db *DB, _ *callSample) error {
		_, err := db.OpenMajorIncidents(ctx)
		return err
	}},
	{"cache: maintenance windows", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.LiveMaintenance(ctx, s.now)
		return err
	}},
	{"cache: announcements", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.LiveAnnouncements(ctx, s.now)
		return err
	}},
	{"cache: catalog", func(ctx context.Context, db *DB, _ *callSample) error {
		_, err := db.LatestCatalog(ctx)
		return err
	}},
	{"cache: queue settings", func(ctx context.Context, db *DB, _ *callSample) error {
		_, err := db.ListQueueSettings(ctx)
		return err
	}},
	// Intake: the call's writes.
	{"intake: create ticket", func(ctx context.Context, db *DB, s *callSample) error {
		t := &tickets.Ticket{Kind: tickets.Incident, Service: s.service, Impact: tickets.Medium, Urgency: tickets.Medium,
			Priority: tickets.P3, Level: 1, Channel: tickets.Phone, Caller: tickets.Caller{Phone: s.phone}, Subject: "Sin red"}
		return db.CreateTicket(ctx, t, "ivr")
	}},
	{"intake: call record", func(ctx context.Context, db *DB, s *callSample) error {
		return db.AddCall(ctx, s.number, tickets.CallRecord{CallID: freshID(), Queue: "soporte",
			CallerID: s.phone, StartedAt: s.now})
	}},
	{"intake: call outcome", func(ctx context.Context, db *DB, s *callSample) error {
		end := s.now
		return db.UpdateCall(ctx, tickets.CallRecord{CallID: "cp-sample", Agent: "agent1", Outcome: "answered", EndedAt: &end})
	}},
	{"intake: call without ticket", func(ctx context.Context, db *DB, s *callSample) error {
		return db.AddIVRCall(ctx, tickets.CallRecord{CallID: freshID(), CallerID: s.phone,
			StartedAt: s.now, Outcome: "abandoned_ivr"})
	}},
	{"intake: note on an attached call", func(ctx context.Context, db *DB, s *callSample) error {
		return db.AddNote(ctx, s.number, &tickets.Note{Author: "ivr", Body: "Llamada añadida", Internal: true})
	}},
	{"intake: assign to the answering agent", func(ctx context.Context, db *DB, s *callSample) error {
		t, err := db.Ticket(ctx, s.number)
		if err != nil {
			return err
		}
		agent := fmt.Sprintf("agent%d", time.Now().UnixNano()%7)
		_, err = db.Update(ctx, s.number, tickets.Patch{Assignee: &agent}, tickets.Change{Actor: "ivr", Version: t.Version})
		return err
	}},
	// Agent console: the popped ticket and its pop-up.
	{"console: ticket history", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.History(ctx, s.number)
		return err
	}},
	{"console: ticket notes", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.Notes(ctx, s.number, true)
		return err
	}},
	{"console: ticket calls", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.Calls(ctx, s.number)
		return err
	}},
	{"console: child tickets", func(ctx context.Context, db *DB, s *callSample) error {
		_, err := db.Children(ctx, s.number)
		return err
	}},
	{"console: the caller's tickets", func(ctx context.Context, db *DB, s *callSample) error {
		_, _, err := db.ListTickets(ctx, tickets.Filter{CallerPhone: s.phone, Limit: 50})
		return err
	}},
	{"console: open tickets of the service", func(ctx context.Context, db *DB, s *callSample) error {
		_, _, err := db.ListTickets(ctx, tickets.Filter{Service: s.service,
			States: []tickets.State{tickets.Registered, tickets.InProgress, tickets.OnHold, tickets.PendingUser}, Limit: 100})
		return err
	}},
	{"console: open major incidents of the service", func(ctx context.Context, db *DB, s *callSample) error {
		_, _, err := db.ListTickets(ctx, tickets.Filter{Service: s.service, MajorOnly: true,
			States: []tickets.State{tickets.Registered, tickets.InProgress, tickets.OnHold, tickets.PendingUser}, Limit: 100})
		return err
	}},
	// The ticket list asked what the IVR now asks OpenTicketOf and the
	// cache (intake without them: tests, other stores).
	{"list: open major incidents", func(ctx context.Context, db *DB, _ *callSample) error {
		_, _, err := db.ListTickets(ctx, tickets.Filter{MajorOnly: true, Limit: 1,
			States: []tickets.State{tickets.Registered, tickets.InProgress, tickets.PendingUser, tickets.OnHold}})
		return err
	}},
	{"list: the caller's open tickets on a service", func(ctx context.Context, db *DB, s *callSample) error {
		_, _, err := db.ListTickets(ctx, tickets.Filter{CallerPhone: s.phone, Service: s.service, Limit: 1,
			States: []tickets.State{tickets.Registered, tickets.InProgress, tickets.PendingUser, tickets.OnHold}})
		return err
	}},
	{"console: tickets in a state", func(ctx context.Context, db *DB, _ *callSample) error {
		_, _, err := db.ListTickets(ctx, tickets.Filter{States: []tickets.State{tickets.Registered}, Limit: 100})
		return err
	}},
	// Wallboard.
	{"wallboard: open ticket counts", func(ctx context.Context, db *DB, _ *callSample) error {
		_, err := db.OpenTicketCounts(ctx)
		return err
	}},
	{"wallboard: SLA watch", func(ctx context.Context, db *DB, s *callSample) error {
		_, _, _, err := db.SLAWatch(ctx, s.now, 0.75, 20)
		return err
	}},
	{"wallboard: the day's calls", func(ctx context.Context, db *DB, s *callSample) error {
		d, err := tickets.ParseDate(s.now.Format("2006-01-02"))
		if err != nil {
			return err
		}
		_, err = db.DayCallStats(ctx, agentdesk.DayStatsQuery{Date: d, Location: time.UTC, CallsSince: s.now.Add(-time.Hour)})
		return err
	}},
	// Network page.
	{"network: extensions", func(ctx context.Context, db *DB, _ *callSample) error {
		_, err := db.ExtensionStates(ctx)
		return err
	}},
	{"network: extension history", func(ctx context.Context, db *DB, _ *callSample) error {
		_, err := db.ExtensionHistory(ctx, "60100", 50)
		return err
	}},
	{"network: extension tickets", func(ctx context.Context, db *DB, _ *callSample) error {
		_, err := db.ExtensionTickets(ctx)
		return err
	}},
}

// recorder keeps the statements a DB sends, with their arguments.
type recorder struct {
	mu   sync.Mutex
	sent []recorded
}

type recorded struct {
	sql  string
	args []any
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, recorded{d.SQL, d.Args})
	return ctx
}

func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (r *recorder) take() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

func TestCallPathIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 1,000,000 tickets")
	}
	ctx := context.Background()
	start := time.Now()
	url := pgtest.DB(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	cfg.ConnConfig.Tracer = rec
	now := time.Now().UTC().Truncate(time.Microsecond)
	db, err := open(ctx, cfg, Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := &callSample{phone: "+525500001234", service: "svc14", now: now}
	seedCallSample(t, db, s)

	before := explainCalls(t, db, rec, s)
	t.Logf("empty desk: %d statements explained", len(before))

	n := 1000000
	if v := os.Getenv("ATIENDE_CALLPATH_TICKETS"); v != "" { // a quicker look while working on it
		fmt.Sscan(v, &n)
	}
	loadStart := time.Now()
	if err := pgtest.LoadHistory(ctx, url, n, now.Add(-time.Hour), t.Logf); err != nil {
		t.Fatalf("load: %v", err)
	}
	load := time.Since(loadStart)
	var hist int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM ticket_history").Scan(&hist); err != nil {
		t.Fatal(err)
	}
	after := explainCalls(t, db, rec, s)

	t.Logf("%d tickets, %d history entries loaded in %v", n, hist, load.Round(time.Millisecond))
	t.Logf("%-48s %10s %10s %8s %8s", "statement (PostgreSQL execution time)", "0 tickets", "1M", "rows", "buffers")
	empty := map[string]float64{}
	for _, b := range before {
		empty[b.name] = b.ms
	}
	for _, a := range after {
		b := "-"
		if ms, ok := empty[a.name]; ok {
			b = fmt.Sprintf("%.3fms", ms)
		}
		t.Logf("%-48s %10s %8.3fms %8d %8d", a.name, b, a.ms, a.rows, a.buffers)
	}
	for _, a := range after {
		for _, bad := range a.bad {
			t.Errorf("%s: %s\nSQL: %s\nplan:\n%s", a.name, bad, a.sql, a.plan)
		}
	}
	t.Logf("TestCallPathIndexes took %v (load %v)", time.Since(start).Round(time.Millisecond), load.Round(time.Millisecond))
}

// seedCallSample stores, through the store, the sample caller (a contact
// with an open ticket, a note, a call), a maintenance window, a catalog
// version and queue settings, so that every call has something to find.
func seedCallSample(t *testing.T, db *DB, s *callSample) {
	t.Helper()
	ctx := context.Background()
	if err := db.SaveContact(ctx, &tickets.Contact{Name: "María", Phones: []string{s.phone}, Extensions: []string{"60100"}}); err != nil {
		t.Fatal(err)
	}
	tk := &tickets.Ticket{Kind: tickets.Incident, Service: s.service, Impact: tickets.Medium, Urgency: tickets.Medium,
		Priority: tickets.P3, Level: 1, Channel: tickets.Phone, Caller: tickets.Caller{Phone: s.phone}, Subject: "Sin red"}
	if err := db.CreateTicket(ctx, tk, "ivr"); err != nil {
		t.Fatal(err)
	}
	s.number = tk.Number
	if err := db.AddCall(ctx, s.number, tickets.CallRecord{CallID: "cp-sample", Queue: "soporte", CallerID: s.phone, StartedAt: s.now}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddNote(ctx, s.number, &tickets.Note{Author: "agent1", Body: "Revisado", Internal: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateMaintenance(ctx, &escalation.Maintenance{Services: []string{s.service}, Start: s.now.Add(-time.Hour),
		End: s.now.Add(time.Hour), SummaryES: "Mantenimiento", CreatedBy: "admin"}); err != nil {
		t.Fatal(err)
	}
}

type explained struct {
	name, sql, plan string
	ms              float64
	rows, buffers   int64
	thrown          int64 // rows of tickets or history read and thrown away
	bad             []string
}

// explainCalls runs each sample call, then EXPLAINs (ANALYZE, BUFFERS)
// every statement it sent, in a transaction rolled back.
func explainCalls(t *testing.T, db *DB, rec *recorder, s *callSample) []explained {
	t.Helper()
	ctx := context.Background()
	var open int64
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM tickets WHERE state IN "+openStatesSQL).Scan(&open); err != nil {
		t.Fatal(err)
	}
	var out []explained
	for _, c := range callPathCalls {
		rec.take()
		if err := c.run(ctx, db, s); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		stmts := rec.take()
		k := 0
		for _, st := range stmts {
			if skipExplain(st.sql) {
				continue
			}
			k++
			name := c.name
			if k > 1 {
				name = fmt.Sprintf("%s (%d)", c.name, k)
			}
			e, err := explainOne(ctx, db, st)
			if err != nil {
				t.Fatalf("%s: explain: %v\nSQL: %s", name, err, st.sql)
			}
			e.name = name
			e.bad = append(e.bad, thrownAway(e, c.name, open)...)
			out = append(out, e)
		}
		if k == 0 {
			t.Fatalf("%s: sent no statement", c.name)
		}
	}
	return out
}

// thrownAway checks e's rows read and thrown away against the allowance.
func thrownAway(e explained, call string, open int64) []string {
	limit := int64(maxThrownAway)
	if readsOpenTickets[call] {
		limit += open
	}
	if e.thrown > limit {
		return []string{fmt.Sprintf("reads %d rows of tickets or history it throws away (at most %d)", e.thrown, limit)}
	}
	return nil
}

func skipExplain(sql string) bool {
	s := strings.ToLower(strings.TrimSpace(sql))
	for _, p := range []string{"begin", "commit", "rollback", "savepoint", "release", "create sequence", "select pg_advisory"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// scanned tables: a sequential scan of these, or rows read and thrown away,
// grows with the history.
var historyTables = map[string]bool{"tickets": true, "ticket_history": true}

// freshID returns a new call ID for a sample call that inserts one:
// EXPLAIN ANALYZE runs the insert again with another, since the call stored
// the first.
func freshID() string { return fmt.Sprintf("%s%d", freshPrefix, time.Now().UnixNano()) }

const freshPrefix = "fresh-call-"

func explainOne(ctx context.Context, db *DB, st recorded) (explained, error) {
	args := make([]any, len(st.args))
	for i, a := range st.args {
		if v, ok := a.(string); ok && strings.HasPrefix(v, freshPrefix) {
			a = freshID()
		}
		args[i] = a
	}
	e, err := explainIn(ctx, db, recorded{st.sql, args}, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ")
	if err != nil {
		return e, err
	}
	bad, err := genericPlanBad(ctx, db, st)
	e.bad = append(e.bad, bad...)
	return e, err
}

// genericPlanBad EXPLAINs st's generic plan, made without the arguments'
// values: pgx prepares every statement and PostgreSQL may switch to the
// generic plan after a few runs. A partial index whose predicate only a
// parameter's value would satisfy is lost then.
func genericPlanBad(ctx context.Context, db *DB, st recorded) ([]string, error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	name := fmt.Sprintf("callpath_generic_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "PREPARE "+name+" AS "+st.sql); err != nil {
		return nil, err
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "DEALLOCATE "+name)
		_, _ = conn.Exec(context.WithoutCancel(ctx), "RESET plan_cache_mode")
	}()
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = force_generic_plan"); err != nil {
		return nil, err
	}
	call := "EXECUTE " + name
	if len(st.args) > 0 {
		ps := make([]string, len(st.args))
		for i := range ps {
			ps[i] = fmt.Sprintf("$%d", i+1)
		}
		call += "(" + strings.Join(ps, ", ") + ")"
	}
	var raw []byte
	// EXECUTE's arguments go as literals (the simple protocol): PostgreSQL
	// does not take parameters inside a utility statement.
	args := append([]any{pgx.QueryExecModeSimpleProtocol}, st.args...)
	if err := conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+call, args...).Scan(&raw); err != nil {
		return nil, fmt.Errorf("generic plan: %w", err)
	}
	var doc []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	var bad []string
	walkPlan(doc[0].Plan, 0, func(n planNode, _ int) {
		if historyTables[n.Relation] && n.NodeType == "Seq Scan" {
			bad = append(bad, "the generic plan scans "+n.Relation+" sequentially")
		}
	})
	return bad, nil
}

func explainIn(ctx context.Context, db *DB, st recorded, explain string) (explained, error) {
	e := explained{sql: st.sql}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var raw []byte
		if err := tx.QueryRow(ctx, explain+st.sql, st.args...).Scan(&raw); err != nil {
			return err
		}
		var doc []struct {
			Plan          planNode `json:"Plan"`
			ExecutionTime float64  `json:"Execution Time"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return err
		}
		e.ms = doc[0].ExecutionTime
		e.rows = int64(doc[0].Plan.ActualRows)
		e.buffers = doc[0].Plan.SharedHit + doc[0].Plan.SharedRead
		var lines []string
		walkPlan(doc[0].Plan, 0, func(n planNode, depth int) {
			lines = append(lines, fmt.Sprintf("%s%s on %s (index %s) rows=%.0f loops=%.0f removed=%.0f/%.0f", strings.Repeat("  ", depth),
				n.NodeType, n.Relation, n.Index, n.ActualRows, n.ActualLoops, n.RemovedByFilter, n.RemovedByRecheck))
			if !historyTables[n.Relation] {
				return
			}
			if n.NodeType == "Seq Scan" {
				e.bad = append(e.bad, "sequential scan of "+n.Relation)
			}
			e.thrown += int64((n.RemovedByFilter + n.RemovedByRecheck) * n.ActualLoops)
		})
		e.plan = strings.Join(lines, "\n")
		return errRollback // EXPLAIN ANALYZE ran the writes too
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	return e, err
}

// readsOpenTickets are the statements that must look at every open ticket
// (the wallboard's SLA watch computes, per ticket, how much of its time is
// used): they may throw away up to the number of open tickets, which does
// not grow with the history.
var readsOpenTickets = map[string]bool{"wallboard: SLA watch": true}

// maxThrownAway is how many rows of tickets or history a statement may read
// and discard: a handful (a caller's few open tickets on other services),
// never a share of the history.
const maxThrownAway = 50

var errRollback = errors.New("rollback")

type planNode struct {
	NodeType         string     `json:"Node Type"`
	Relation         string     `json:"Relation Name"`
	Index            string     `json:"Index Name"`
	ActualRows       float64    `json:"Actual Rows"`
	ActualLoops      float64    `json:"Actual Loops"`
	RemovedByFilter  float64    `json:"Rows Removed by Filter"`
	RemovedByRecheck float64    `json:"Rows Removed by Index Recheck"`
	SharedHit        int64      `json:"Shared Hit Blocks"`
	SharedRead       int64      `json:"Shared Read Blocks"`
	Plans            []planNode `json:"Plans"`
}

func walkPlan(n planNode, depth int, fn func(planNode, int)) {
	fn(n, depth)
	for _, c := range n.Plans {
		walkPlan(c, depth+1, fn)
	}
}
