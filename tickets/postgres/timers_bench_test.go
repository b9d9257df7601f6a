package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/metrics/benchload"
	"github.com/atiende/atiende/tickets/postgres"
)

// BenchmarkTimers100kTickets: 100,000 open tickets, each with pending
// timers (two escalation steps and an automatic action, due days ahead),
// plus a batch of actions falling due over the next few seconds. A real
// worker (wall clock, LISTEN/NOTIFY wake-ups) executes them; the metrics are
// how late each ran after its due time (p50, p99, max) and the worker
// process's CPU time while idle (getrusage over 10 s), as a share of one
// core. Run: go test -run '^$' -bench Timers100k -benchtime 1x ./tickets/postgres
func BenchmarkTimers100kTickets(b *testing.B) {
	defer benchload.Report(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := newDB(b, postgres.Options{MaxConns: 8})
	timers := db.Timers()
	const nTickets = 100_000
	now := time.Now()
	var rows [][]any
	for i := range nTickets {
		rows = append(rows, []any{fmt.Sprintf("26%06d", i), "incident", "internet", "", "", 3, 1, "in_progress", "phone",
			"", "", "", "", "", "", "", 1, now, now})
	}
	if _, err := postgres.BulkLoadTickets(ctx, db, rows); err != nil {
		b.Fatal(err)
	}
	var batch []escalation.Action
	flush := func() {
		if err := timers.Schedule(ctx, batch...); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range nTickets {
		n := fmt.Sprintf("26%06d", i)
		later := now.Add(24*time.Hour + time.Duration(i)*time.Second)
		batch = append(batch,
			escalation.Action{Kind: escalation.Escalate, TicketNumber: n, Level: 2, DueAt: later, Key: n + "/escalate/75%/L2"},
			escalation.Action{Kind: escalation.Escalate, TicketNumber: n, Level: 3, DueAt: later.Add(8 * time.Hour), Key: n + "/escalate/100%/L3"},
			escalation.Action{Kind: escalation.AutoClose, TicketNumber: n, Level: 1, DueAt: later.Add(72 * time.Hour), Key: n + "/auto_close/1"})
		if len(batch) >= 6000 {
			flush()
		}
	}
	flush()
	if err := postgres.RawExec(ctx, db, "VACUUM ANALYZE timers"); err != nil {
		b.Fatal(err)
	}

	var mu sync.Mutex
	var late []time.Duration
	exec := escalation.ExecutorFunc(func(ctx context.Context, a escalation.Claimed) error {
		d := time.Since(a.DueAt)
		mu.Lock()
		late = append(late, d)
		mu.Unlock()
		return nil
	})
	w := &escalation.Worker{Store: timers, Exec: exec, Wake: timers.Listen(ctx)}
	go w.Run(ctx)

	const due = 2000
	b.ResetTimer()
	for b.Loop() {
		mu.Lock()
		late = late[:0]
		mu.Unlock()
		start := time.Now().Add(time.Second)
		batch = batch[:0]
		for i := range due {
			n := fmt.Sprintf("26%06d", i*37%nTickets)
			batch = append(batch, escalation.Action{Kind: escalation.Notify, TicketNumber: n, Template: escalation.CreatedTemplate,
				DueAt: start.Add(time.Duration(i) * 5 * time.Second / due), Key: fmt.Sprintf("%s/notify/bench/%d", n, start.UnixNano()+int64(i))})
		}
		flush()
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			n := len(late)
			mu.Unlock()
			if n >= due || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	b.StopTimer()
	mu.Lock()
	slices.Sort(late)
	got := slices.Clone(late)
	mu.Unlock()
	if len(got) < due {
		b.Fatalf("%d of %d due actions executed", len(got), due)
	}
	pct := func(p float64) float64 { return float64(got[int(float64(len(got)-1)*p)]) / float64(time.Millisecond) }
	b.ReportMetric(pct(0.5), "late_p50_ms")
	b.ReportMetric(pct(0.99), "late_p99_ms")
	b.ReportMetric(pct(1), "late_max_ms")

	// Idle: nothing due for a day; the worker sleeps until NextDue or
	// MaxSleep (1 min), or a NOTIFY.
	time.Sleep(time.Second)
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	c0, t0 := cpu(), time.Now()
	time.Sleep(10 * time.Second)
	b.ReportMetric(100*float64(cpu()-c0)/float64(time.Since(t0)), "idle_cpu_%")
	if n, err := postgres.RawInt(ctx, db, "SELECT count(*) FROM timers WHERE state = 'pending'"); err == nil {
		b.ReportMetric(float64(n), "pending_timers")
	}
}
