package escalation_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/memstore"
)

// recorder is an Executor that counts executions per key and when they
// happened on the fake clock.
type recorder struct {
	clock *memstore.Clock
	mu    sync.Mutex
	runs  map[string][]time.Time
	fail  func(a escalation.Claimed) error
}

func newRecorder(c *memstore.Clock) *recorder {
	return &recorder{clock: c, runs: map[string][]time.Time{}}
}

func (r *recorder) Execute(ctx context.Context, a escalation.Claimed) error {
	if r.fail != nil {
		if err := r.fail(a); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs[a.Key] = append(r.runs[a.Key], r.clock.Now())
	return nil
}

func (r *recorder) count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.runs[key])
}

type runningWorker struct {
	cancel context.CancelFunc
	done   chan error
}

func startWorker(st *memstore.Store, ex escalation.Executor, c *memstore.Clock, cfg escalation.WorkerConfig) *runningWorker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &escalation.Worker{Store: st, Exec: ex, Clock: c, Wake: st.Subscribe(), Config: cfg}
	rw := &runningWorker{cancel: cancel, done: make(chan error, 1)}
	go func() { rw.done <- w.Run(ctx) }()
	return rw
}

func (rw *runningWorker) stop(t *testing.T) {
	t.Helper()
	rw.cancel()
	select {
	case err := <-rw.done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("worker returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("worker did not stop")
	}
}

// idle waits (in real time) until n workers sleep on the fake clock.
func idle(t *testing.T, c *memstore.Clock, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.Waiters() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers waiting, want %d", c.Waiters(), n)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// advance moves the fake clock to end in steps, letting n workers settle
// before each.
func advance(t *testing.T, c *memstore.Clock, n int, step time.Duration, end time.Time) {
	t.Helper()
	for c.Now().Before(end) {
		idle(t, c, n)
		c.Advance(step)
	}
	idle(t, c, n)
}

func actions(from, to int, t0 time.Time, every time.Duration) []escalation.Action {
	var out []escalation.Action
	for i := from; i < to; i++ {
		out = append(out, escalation.Action{Kind: escalation.Escalate, TicketNumber: fmt.Sprintf("T-%d", i%37), Level: 2,
			DueAt: t0.Add(time.Duration(i) * every), Key: fmt.Sprintf("T-%d/escalate/%d", i%37, i)})
	}
	return out
}

// Two workers share the store, one is replaced by a new one halfway (a
// restart), and the plan is scheduled again after the restart: every
// action runs exactly once, within a second of its due time.
func TestWorkerExactlyOnceAcrossWorkersAndRestart(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := memstore.NewClock(t0)
	st := memstore.New()
	rec := newRecorder(clock)
	ctx := context.Background()
	first := actions(0, 300, t0, 2*time.Second)
	if err := st.Schedule(ctx, first...); err != nil {
		t.Fatal(err)
	}
	cfg := escalation.WorkerConfig{Batch: 7, Concurrency: 3, MaxSleep: time.Minute}
	a := startWorker(st, rec, clock, cfg)
	b := startWorker(st, rec, clock, cfg)
	advance(t, clock, 2, 250*time.Millisecond, t0.Add(5*time.Minute))

	a.stop(t) // restart: a new process takes a's place
	c := startWorker(st, rec, clock, cfg)
	second := actions(300, 400, t0, 2*time.Second)
	if err := st.Schedule(ctx, append(first, second...)...); err != nil {
		t.Fatal(err)
	}
	advance(t, clock, 2, 250*time.Millisecond, t0.Add(15*time.Minute))
	b.stop(t)
	c.stop(t)

	for _, act := range append(first, second...) {
		rec.mu.Lock()
		runs := rec.runs[act.Key]
		rec.mu.Unlock()
		if len(runs) != 1 {
			t.Errorf("%s ran %d times", act.Key, len(runs))
			continue
		}
		if late := runs[0].Sub(act.DueAt); late < 0 || late > time.Second {
			t.Errorf("%s ran %v after its due time", act.Key, late)
		}
	}
	if p := st.Entries(memstore.Pending); len(p) != 0 {
		t.Errorf("%d actions still pending", len(p))
	}
}

func TestWorkerRetriesWithBackoff(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := memstore.NewClock(t0)
	st := memstore.New()
	rec := newRecorder(clock)
	var attempts []time.Time
	var mu sync.Mutex
	rec.fail = func(a escalation.Claimed) error {
		mu.Lock()
		defer mu.Unlock()
		switch a.Key {
		case "smtp-down":
			attempts = append(attempts, clock.Now())
			if a.Attempt < 3 {
				return errors.New("smtp: connection refused")
			}
		case "gone":
			return escalation.Permanent(errors.New("ticket not found"))
		}
		return nil
	}
	st.Schedule(context.Background(),
		escalation.Action{Kind: escalation.Notify, Key: "smtp-down", DueAt: t0},
		escalation.Action{Kind: escalation.Notify, Key: "gone", DueAt: t0})
	w := startWorker(st, rec, clock, escalation.WorkerConfig{RetryBase: 10 * time.Second, RetryMax: time.Minute})
	idle(t, clock, 1)
	if e, _ := st.Get("smtp-down"); e.State != memstore.Pending || e.LastError != "smtp: connection refused" || !e.Action.DueAt.Equal(t0.Add(10*time.Second)) {
		t.Errorf("after the first failure: %+v", e)
	}
	if e, _ := st.Get("gone"); e.State != memstore.Done || e.Attempts != 1 || rec.count("gone") != 0 {
		t.Errorf("permanent failure: %+v", e)
	}
	advance(t, clock, 1, time.Second, t0.Add(time.Minute))
	w.stop(t)
	want := []time.Time{t0, t0.Add(10 * time.Second), t0.Add(30 * time.Second)}
	mu.Lock()
	defer mu.Unlock()
	if len(attempts) != 3 {
		t.Fatalf("attempts at %v, want %v", attempts, want)
	}
	for i := range want {
		if !attempts[i].Equal(want[i]) {
			t.Errorf("attempt %d at %v, want %v", i+1, attempts[i], want[i])
		}
	}
	if e, _ := st.Get("smtp-down"); e.State != memstore.Done || e.Attempts != 3 || rec.count("smtp-down") != 1 {
		t.Errorf("after recovery: %+v", e)
	}
}

// A worker stopped in the middle of an action does not mark it: the lease
// expires and the next worker runs it. Nothing is lost.
func TestWorkerStoppedMidActionLosesNothing(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := memstore.NewClock(t0)
	st := memstore.New()
	started := make(chan struct{})
	stuck := escalation.ExecutorFunc(func(ctx context.Context, a escalation.Claimed) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	st.Schedule(context.Background(), escalation.Action{Kind: escalation.AutoReject, Key: "k", DueAt: t0})
	cfg := escalation.WorkerConfig{Lease: time.Minute}
	w := startWorker(st, stuck, clock, cfg)
	<-started
	w.stop(t)
	if e, _ := st.Get("k"); e.State != memstore.Pending || e.Attempts != 1 {
		t.Fatalf("after the stop: %+v", e)
	}
	rec := newRecorder(clock)
	w2 := startWorker(st, rec, clock, cfg)
	advance(t, clock, 1, 10*time.Second, t0.Add(2*time.Minute))
	w2.stop(t)
	if e, _ := st.Get("k"); e.State != memstore.Done || rec.count("k") != 1 || e.Attempts != 2 {
		t.Errorf("after the lease expired: %+v, ran %d times", e, rec.count("k"))
	}
}

// countingStore counts the queries an idle worker makes.
type countingStore struct {
	*memstore.Store
	claims, nexts atomic.Int64
}

func (c *countingStore) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]escalation.Claimed, error) {
	c.claims.Add(1)
	return c.Store.Claim(ctx, now, limit, lease)
}

func (c *countingStore) NextDue(ctx context.Context) (time.Time, bool, error) {
	c.nexts.Add(1)
	return c.Store.NextDue(ctx)
}

// An idle worker sleeps until the next due time (or MaxSleep) and wakes at
// once when something is scheduled.
func TestWorkerSleepsUntilDueOrWoken(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := memstore.NewClock(t0)
	st := &countingStore{Store: memstore.New()}
	rec := newRecorder(clock)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &escalation.Worker{Store: st, Exec: rec, Clock: clock, Wake: st.Subscribe(), Config: escalation.WorkerConfig{MaxSleep: time.Minute}}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	advance(t, clock, 1, time.Minute, t0.Add(time.Hour))
	if n := st.claims.Load(); n > 62 {
		t.Errorf("%d claims in an idle hour with MaxSleep 1m", n)
	}
	// Woken by a schedule: runs without the clock moving.
	now := clock.Now()
	st.Schedule(ctx, escalation.Action{Kind: escalation.Notify, Key: "now", DueAt: now})
	deadline := time.Now().Add(5 * time.Second)
	for rec.count("now") == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if rec.count("now") != 1 {
		t.Fatal("a scheduled action due now did not run on wake-up")
	}
	// Sleeps exactly until the next due time, even far below MaxSleep.
	idle(t, clock, 1)
	before := st.claims.Load()
	st.Schedule(ctx, escalation.Action{Kind: escalation.Notify, Key: "soon", DueAt: now.Add(1500 * time.Millisecond)})
	for st.claims.Load() == before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // the wake-up is handled
	}
	idle(t, clock, 1)
	before = st.claims.Load()
	clock.Advance(1500 * time.Millisecond)
	idle(t, clock, 1)
	if rec.count("soon") != 1 || st.claims.Load()-before != 1 {
		t.Errorf("soon ran %d times with %d claims", rec.count("soon"), st.claims.Load()-before)
	}
	cancel()
	<-done
}
