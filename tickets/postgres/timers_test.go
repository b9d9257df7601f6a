package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

var tt0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func timerState(t *testing.T, s *postgres.Timers, key string) postgres.TimerState {
	t.Helper()
	st, err := s.Timer(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The memstore behaviour tests, against PostgreSQL.
func TestTimersScheduleIsIdempotentByKey(t *testing.T) {
	ctx := context.Background()
	s := newDB(t, postgres.Options{}).Timers()
	a := escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 2, DueAt: tt0, Key: "k"}
	if err := s.Schedule(ctx, a, a); err != nil {
		t.Fatal(err)
	}
	a.DueAt = tt0.Add(time.Hour)
	s.Schedule(ctx, a)
	if st := timerState(t, s, "k"); st.State != "pending" || !st.DueAt.Equal(tt0.Add(time.Hour)) {
		t.Fatalf("pending = %+v", st)
	}
	c, err := s.Claim(ctx, tt0.Add(time.Hour), 10, time.Minute)
	if err != nil || len(c) != 1 || c[0].Kind != escalation.Escalate || c[0].Level != 2 || c[0].TicketNumber != "T-1" {
		t.Fatalf("claimed %+v %v", c, err)
	}
	if err := s.Done(ctx, "k", c[0].Token, tt0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a.DueAt = tt0.Add(2 * time.Hour)
	s.Schedule(ctx, a)
	if st := timerState(t, s, "k"); st.State != "done" || !st.DueAt.Equal(tt0.Add(time.Hour)) {
		t.Errorf("done entry changed: %+v", st)
	}
	if c, _ := s.Claim(ctx, tt0.Add(3*time.Hour), 10, time.Minute); len(c) != 0 {
		t.Errorf("a done action was claimed again")
	}
}

func TestTimersLeaseExpiryRetryAndLostLease(t *testing.T) {
	ctx := context.Background()
	s := newDB(t, postgres.Options{}).Timers()
	s.Schedule(ctx, escalation.Action{Kind: escalation.Notify, DueAt: tt0, Key: "k"})
	first, _ := s.Claim(ctx, tt0, 10, time.Minute)
	if again, _ := s.Claim(ctx, tt0.Add(30*time.Second), 10, time.Minute); len(first) != 1 || len(again) != 0 {
		t.Fatalf("claimed %d then %d while leased", len(first), len(again))
	}
	// A recomputed plan does not break the lease.
	s.Schedule(ctx, escalation.Action{Kind: escalation.Notify, DueAt: tt0, Key: "k"})
	if at, ok, _ := s.NextDue(ctx); !ok || !at.Equal(tt0.Add(time.Minute)) {
		t.Errorf("NextDue = %v %v, want the lease expiry", at, ok)
	}
	second, _ := s.Claim(ctx, tt0.Add(time.Minute), 10, time.Minute)
	if len(second) != 1 || second[0].Attempt != 2 {
		t.Fatalf("after expiry: %+v", second)
	}
	if err := s.Done(ctx, "k", first[0].Token, tt0); !errors.Is(err, escalation.ErrLeaseLost) {
		t.Errorf("Done with a lost lease = %v", err)
	}
	if err := s.Retry(ctx, "k", first[0].Token, tt0, "x"); !errors.Is(err, escalation.ErrLeaseLost) {
		t.Errorf("Retry with a lost lease = %v", err)
	}
	if err := s.Retry(ctx, "k", second[0].Token, tt0.Add(time.Hour), "smtp: connection refused"); err != nil {
		t.Fatal(err)
	}
	if st := timerState(t, s, "k"); st.State != "pending" || st.LastError != "smtp: connection refused" || !st.RunAt.Equal(tt0.Add(time.Hour)) {
		t.Errorf("after retry: %+v", st)
	}
	third, _ := s.Claim(ctx, tt0.Add(time.Hour), 10, time.Minute)
	if len(third) != 1 || third[0].Attempt != 3 || third[0].LastError != "smtp: connection refused" {
		t.Fatalf("third claim: %+v", third)
	}
	if err := s.Done(ctx, "k", third[0].Token, tt0); err != nil {
		t.Error(err)
	}
	if _, ok, _ := s.NextDue(ctx); ok {
		t.Error("NextDue with nothing pending")
	}
}

func TestTimersSyncCancelsOnlyPlannedActions(t *testing.T) {
	ctx := context.Background()
	s := newDB(t, postgres.Options{}).Timers()
	s.Schedule(ctx,
		escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 2, DueAt: tt0, Key: "step"},
		escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 3, DueAt: tt0, Key: "manual", Actor: "ana", Reason: "x"},
		escalation.Action{Kind: escalation.Notify, TicketNumber: "T-1", DueAt: tt0, Key: "created", Template: escalation.CreatedTemplate},
		escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-2", Level: 2, DueAt: tt0, Key: "other"},
	)
	if err := s.Sync(ctx, "T-1", []escalation.Action{{Kind: escalation.AutoReject, TicketNumber: "T-1", DueAt: tt0, Key: "reject"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"step": "cancelled", "manual": "pending", "created": "pending", "other": "pending", "reject": "pending"}
	for k, st := range want {
		if got := timerState(t, s, k).State; got != st {
			t.Errorf("%s is %s, want %s", k, got, st)
		}
	}
	s.Sync(ctx, "T-1", []escalation.Action{{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 2, DueAt: tt0.Add(time.Hour), Key: "step"}})
	if e := timerState(t, s, "step"); e.State != "pending" || !e.DueAt.Equal(tt0.Add(time.Hour)) || e.Attempts != 0 {
		t.Errorf("step = %+v", e)
	}
	if e := timerState(t, s, "reject"); e.State != "cancelled" {
		t.Errorf("reject = %+v", e)
	}
}

// Two handles are two processes' worth of connections.
func TestTimersConcurrentClaimsAreDisjoint(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	a, b := openMigrated(t, url), openMigrated(t, url)
	var acts []escalation.Action
	for i := range 1000 {
		acts = append(acts, escalation.Action{Kind: escalation.Notify, DueAt: tt0.Add(time.Duration(i)), Key: fmt.Sprint(i)})
	}
	a.Timers().Schedule(ctx, acts...)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for i := range 6 {
		s := []*postgres.DB{a, b}[i%2].Timers()
		wg.Go(func() {
			for {
				c, err := s.Claim(ctx, tt0.Add(time.Hour), 13, time.Hour)
				if err != nil || len(c) == 0 {
					return
				}
				mu.Lock()
				for _, a := range c {
					seen[a.Key]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 1000 {
		t.Errorf("%d distinct actions claimed, want 1000", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times", k, n)
		}
	}
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
