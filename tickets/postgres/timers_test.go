package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/escalation/timerstoretest"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

var tt0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// The PostgreSQL store keeps the TimerStore contract the in-memory store
// keeps (escalation/memstore runs the same suite); several handles are
// several processes' worth of connections on one database.
func TestTimersContract(t *testing.T) {
	timerstoretest.Run(t, func(t *testing.T, n int) []escalation.TimerStore {
		url := pgtest.DB(t)
		var out []escalation.TimerStore
		for range n {
			out = append(out, openMigrated(t, url).Timers())
		}
		return out
	})
}

func openMigrated(t testing.TB, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// Each effect happens once with two worker processes running, one of which
// dies mid-batch and is restarted: what it held is claimed again only once
// its lease has expired, and nothing it finished runs again.
func TestTimersExactlyOnceAcrossWorkersAndRestart(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	clock := memstore.NewClock(tt0)
	var mu sync.Mutex
	effects := map[string]int{}
	record := escalation.ExecutorFunc(func(ctx context.Context, a escalation.Claimed) error {
		mu.Lock()
		effects[a.Key]++
		mu.Unlock()
		return nil
	})
	var acts []escalation.Action
	for i := range 300 {
		acts = append(acts, escalation.Action{Kind: escalation.Escalate, TicketNumber: fmt.Sprintf("T-%d", i), Level: 2,
			DueAt: tt0.Add(time.Duration(i) * time.Second), Key: fmt.Sprintf("T-%d/escalate/L2", i)})
	}
	if err := openMigrated(t, url).Timers().Schedule(ctx, acts...); err != nil {
		t.Fatal(err)
	}
	cfg := escalation.WorkerConfig{Batch: 20, Concurrency: 4, Lease: time.Minute}

	// Process A claims a batch and dies before finishing it: its executor
	// never returns for the actions it holds.
	dbA, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	actx, crash := context.WithCancel(ctx)
	held := make(chan struct{}, 20)
	dying := escalation.ExecutorFunc(func(ctx context.Context, a escalation.Claimed) error {
		held <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	})
	clock.Advance(10 * time.Minute) // everything is due
	wa := &escalation.Worker{Store: dbA.Timers(), Exec: dying, Clock: clock, Config: cfg}
	doneA := make(chan struct{})
	go func() { wa.RunOnce(actx); close(doneA) }()
	for range cfg.Concurrency {
		<-held
	}
	crash()
	<-doneA
	dbA.Close()

	// Process B and the restarted A run together.
	var wg sync.WaitGroup
	for range 2 {
		db := openMigrated(t, url)
		w := &escalation.Worker{Store: db.Timers(), Exec: record, Clock: clock, Config: cfg}
		wg.Go(func() {
			for {
				if n, err := w.RunOnce(ctx); err != nil || n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(effects) != 300-20 {
		t.Fatalf("%d effects before the lease expired, want 280", len(effects))
	}
	clock.Advance(cfg.Lease) // A's lease expires
	w := &escalation.Worker{Store: openMigrated(t, url).Timers(), Exec: record, Clock: clock, Config: cfg}
	for {
		if n, err := w.RunOnce(ctx); err != nil || n == 0 {
			break
		}
	}
	if len(effects) != 300 {
		t.Errorf("%d distinct effects, want 300", len(effects))
	}
	for k, n := range effects {
		if n != 1 {
			t.Errorf("%s happened %d times", k, n)
		}
	}
	if n := rawInt(t, openMigrated(t, url), "SELECT count(*) FROM timers WHERE state <> 'done'"); n != 0 {
		t.Errorf("%d timers not done", n)
	}
}

// A schedule in one process wakes a worker listening in another.
func TestTimersListenWakes(t *testing.T) {
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
	b.Timers().Schedule(ctx, escalation.Action{Kind: escalation.Notify, DueAt: tt0, Key: "k"})
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up after Schedule in another process")
	}
}
