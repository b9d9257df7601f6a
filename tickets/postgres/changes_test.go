package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// process is one Atiende process's view of a shared database: its own pool,
// its own listener and caches.
type process struct {
	db      *postgres.DB
	changes *postgres.Changes
	calls   *postgres.CallCache
}

func startProcess(t *testing.T, ctx context.Context, url string) *process {
	t.Helper()
	db, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ch := postgres.NewChanges(db)
	ch.Start(ctx)
	calls, err := postgres.NewCallCache(ctx, db, ch)
	if err != nil {
		t.Fatal(err)
	}
	return &process{db: db, changes: ch, calls: calls}
}

// seen waits (bounded, generously: the machine is shared) for cond and
// returns how long it took; the figure is logged, not asserted.
func seen(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for deadline := start.Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			t.Logf("%s: seen by the other process after %v", what, time.Since(start).Round(time.Millisecond))
			return
		}
	}
	t.Fatalf("%s: the other process's cache never saw it", what)
}

// Two processes on one database: what one changes, the other's cache sees,
// through the triggers' NOTIFY, without polling.
func TestCachesFollowOtherProcesses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.DB(t)
	a := startProcess(t, ctx, url)
	b := startProcess(t, ctx, url)

	var catalogs, majors atomic.Int32
	b.changes.Watch(ctx, postgres.TopicCatalog, func(context.Context) error { catalogs.Add(1); return nil })
	b.changes.Watch(ctx, postgres.TopicMajorIncidents, func(context.Context) error { majors.Add(1); return nil })

	// A major incident declared through a.
	tk := mustCreate(t, a.db, sampleTicket())
	if inc, _ := b.calls.MajorIncident(ctx, tk.Service); inc != nil {
		t.Fatalf("major incident before any was declared: %+v", inc)
	}
	yes := true
	if _, err := a.db.Update(ctx, tk.Number, tickets.Patch{MajorIncident: &yes}, tickets.Change{Actor: "sup", Version: tk.Version}); err != nil {
		t.Fatal(err)
	}
	seen(t, "major incident declared", func() bool {
		inc, _ := b.calls.MajorIncident(ctx, tk.Service)
		return inc != nil && inc.Number == tk.Number
	})
	if inc, _ := b.calls.MajorIncident(ctx, "another_service"); inc != nil {
		t.Errorf("a major incident on %s answers for another service", inc.Service)
	}
	// Calls attached to the incident (a note and a call record each, many
	// a second in an outage) notify nothing. Notifications arrive in commit
	// order: once the catalog saved after them is heard, one they had
	// sent would have been heard too.
	time.Sleep(100 * time.Millisecond)
	m0 := majors.Load()
	if err := a.db.AddNote(ctx, tk.Number, &tickets.Note{Author: "ivr", Body: "Llamada añadida", Internal: true}); err != nil {
		t.Fatal(err)
	}
	if err := a.db.AddCall(ctx, tk.Number, tickets.CallRecord{CallID: "attached-1", CallerID: "+525551234567"}); err != nil {
		t.Fatal(err)
	}
	before := catalogs.Load()
	v := &tickets.CatalogVersion{Catalog: tickets.DefaultCatalog(), EditedBy: "admin"}
	if err := a.db.SaveCatalog(ctx, v, 0); err != nil {
		t.Fatal(err)
	}
	seen(t, "catalog saved", func() bool { return catalogs.Load() > before })
	time.Sleep(100 * time.Millisecond)
	if n := majors.Load() - m0; n != 0 {
		t.Errorf("calls attached to the major incident reloaded the major incidents %d times", n)
	}
	// Resolved: no longer open.
	cur, err := a.db.Ticket(ctx, tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Transition(ctx, tk.Number, tickets.InProgress, tickets.Change{Actor: "sup", Version: cur.Version}); err != nil {
		t.Fatal(err)
	}
	cur, _ = a.db.Ticket(ctx, tk.Number)
	if _, err := a.db.Transition(ctx, tk.Number, tickets.Resolved, tickets.Change{Actor: "sup", Version: cur.Version, Reason: "restored"}); err != nil {
		t.Fatal(err)
	}
	seen(t, "major incident resolved", func() bool {
		inc, _ := b.calls.MajorIncident(ctx, tk.Service)
		return inc == nil
	})

	// A maintenance window planned through b, cancelled through a.
	now := time.Now()
	m := &escalation.Maintenance{Services: []string{"internet"}, Start: now.Add(-time.Minute), End: now.Add(time.Hour),
		SummaryES: "Cambio de equipo", CreatedBy: "net"}
	if err := b.db.CreateMaintenance(ctx, m); err != nil {
		t.Fatal(err)
	}
	seen(t, "maintenance window planned", func() bool {
		w, _ := a.calls.ActiveMaintenance(ctx, "internet", "", time.Now())
		return w != nil && w.ID == m.ID
	})
	if w, _ := a.calls.ActiveMaintenance(ctx, "email", "", time.Now()); w != nil {
		t.Errorf("window on %v answers for email", w.Services)
	}
	if w, _ := a.calls.ActiveMaintenance(ctx, "internet", "", now.Add(2*time.Hour)); w != nil {
		t.Error("a window answers after its end")
	}
	if _, err := a.db.CancelMaintenance(ctx, m.ID, "net"); err != nil {
		t.Fatal(err)
	}
	seen(t, "maintenance window cancelled", func() bool {
		w, _ := b.calls.ActiveMaintenance(ctx, "internet", "", time.Now())
		return w == nil
	})

	// b's listening connection is cut; a change made meanwhile is still
	// seen once it is back (every reconnect reloads).
	n, err := postgres.RawInt(ctx, a.db, `SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`)
	if err != nil || n != 2 {
		t.Fatalf("terminated %d listeners (%v), want 2", n, err)
	}
	tk2 := sampleTicket()
	tk2.MajorIncident = true
	mustCreate(t, a.db, tk2)
	seen(t, "major incident declared while the listener was cut", func() bool {
		inc, _ := b.calls.MajorIncident(ctx, tk2.Service)
		return inc != nil && inc.Number == tk2.Number
	})
}

// The call path's questions about major incidents and maintenance are
// answered from memory: no statement reaches PostgreSQL.
func TestCallCacheAsksNothing(t *testing.T) {
	ctx := context.Background()
	db, st, err := postgres.OpenRecording(ctx, pgtest.DB(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tk := sampleTicket()
	tk.MajorIncident = true
	mustCreate(t, db, tk)
	now := time.Now()
	if err := db.CreateMaintenance(ctx, &escalation.Maintenance{Services: []string{"email"}, Start: now.Add(-time.Minute),
		End: now.Add(time.Hour), SummaryES: "Cambio", CreatedBy: "net"}); err != nil {
		t.Fatal(err)
	}
	// Not started: no listener, so nothing reloads behind the test's back.
	calls, err := postgres.NewCallCache(ctx, db, postgres.NewChanges(db))
	if err != nil {
		t.Fatal(err)
	}
	st.Take()
	for range 100 {
		if inc, err := calls.MajorIncident(ctx, tk.Service); err != nil || inc == nil || inc.Number != tk.Number {
			t.Fatalf("major incident: %+v, %v", inc, err)
		}
		if w, err := calls.ActiveMaintenance(ctx, "email", "Piso 3", time.Now()); err != nil || w == nil {
			t.Fatalf("maintenance: %+v, %v", w, err)
		}
	}
	if sent := st.Take(); len(sent) > 0 {
		t.Errorf("200 lookups sent %d statements: %q", len(sent), sent)
	}
}
