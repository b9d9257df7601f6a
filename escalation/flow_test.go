package escalation_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/tickets"
)

// Plan, store, worker and clock together: a ticket waits for the user from
// Thursday afternoon; the reminder goes on Tuesday at noon and the
// rejection on the next Thursday at closing time, 48 business hours later,
// not a minute before. A second ticket whose user answers on Monday is not
// rejected, and its escalations resume where its clock stopped.
func TestPendingUserFlowAcrossWeekend(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, mx) }
	ctx := context.Background()
	sla := defaultSLA(t)
	st := memstore.New()
	clock := memstore.NewClock(at(11, 26, 15))
	rec := newRecorder(clock)

	plan := func(number string, moves ...move) {
		tk, hist := ticketWith(number, tickets.P4, at(11, 26, 9), moves...)
		acts, err := sla.Plan(tk, hist)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Sync(ctx, number, acts); err != nil {
			t.Fatal(err)
		}
	}
	toProgress := move{at(11, 26, 10), tickets.InProgress}
	toPending := move{at(11, 26, 15), tickets.PendingUser}
	plan("T-A", toProgress, toPending)
	plan("T-B", toProgress, toPending)

	w := startWorker(st, rec, clock, escalation.WorkerConfig{MaxSleep: 24 * time.Hour})
	advance(t, clock, 1, 30*time.Minute, at(11, 30, 10))
	plan("T-B", toProgress, toPending, move{at(11, 30, 10), tickets.InProgress}) // T-B's user answers
	advance(t, clock, 1, 30*time.Minute, at(12, 5, 0))
	w.stop(t)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	since := itoa(at(11, 26, 15).Unix())
	want := map[string]time.Time{
		"T-A/remind/" + since:      at(12, 1, 12),
		"T-A/auto_reject/" + since: at(12, 3, 18),
		// T-B's clock resumed Monday 10:00 with 6 of its 40 hours used.
		"T-B/escalate/resolution/75%/L2":  at(12, 2, 16),
		"T-B/escalate/resolution/100%/L3": at(12, 3, 17),
	}
	for key, when := range want {
		if runs := rec.runs[key]; len(runs) != 1 || !runs[0].Equal(when) {
			t.Errorf("%s ran at %v, want once at %v", key, runs, when)
		}
	}
	for key, runs := range rec.runs {
		if _, ok := want[key]; !ok {
			t.Errorf("%s ran at %v", key, runs)
		}
	}
	if e, _ := st.Get("T-B/auto_reject/" + since); e.State != memstore.Cancelled {
		t.Errorf("T-B's rejection is %s, want cancelled", e.State)
	}
}
