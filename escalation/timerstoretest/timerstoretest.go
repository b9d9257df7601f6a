// Package timerstoretest is the contract every escalation.TimerStore keeps,
// as one suite each implementation runs (escalation/memstore,
// tickets/postgres), so the in-memory double cannot drift from the store
// the worker runs on. It looks at a store only through the interface.
package timerstoretest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
)

// NewStores returns n handles on one new, empty store: n processes on one
// database, or the same in-memory store n times.
type NewStores func(t *testing.T, n int) []escalation.TimerStore

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Run runs the suite, each case on a store of its own.
func Run(t *testing.T, newStores NewStores) {
	one := func(t *testing.T) escalation.TimerStore { return newStores(t, 1)[0] }
	t.Run("ScheduleIsIdempotentByKey", func(t *testing.T) { scheduleIsIdempotentByKey(t, one(t)) })
	t.Run("LeaseExpiryRetryAndLostLease", func(t *testing.T) { leaseExpiryRetryAndLostLease(t, one(t)) })
	t.Run("SyncCancelsOnlyPlannedActions", func(t *testing.T) { syncCancelsOnlyPlannedActions(t, one(t)) })
	t.Run("ConcurrentClaimsAreDisjoint", func(t *testing.T) { concurrentClaimsAreDisjoint(t, newStores(t, 2)) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func claim(t *testing.T, s escalation.TimerStore, now time.Time, lease time.Duration) []escalation.Claimed {
	t.Helper()
	c, err := s.Claim(context.Background(), now, 10, lease)
	must(t, err)
	return c
}

// keys are the claimed keys, sorted.
func keys(c []escalation.Claimed) []string {
	var out []string
	for _, a := range c {
		out = append(out, a.Key)
	}
	slices.Sort(out)
	return out
}

func scheduleIsIdempotentByKey(t *testing.T, s escalation.TimerStore) {
	ctx := context.Background()
	if _, ok, err := s.NextDue(ctx); ok || err != nil {
		t.Fatalf("NextDue of an empty store: %v %v", ok, err)
	}
	a := escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 2, DueAt: t0, Key: "k"}
	must(t, s.Schedule(ctx, a, a))
	a.DueAt = t0.Add(time.Hour) // a recomputed plan moves a pending action
	must(t, s.Schedule(ctx, a))
	if c := claim(t, s, t0, time.Minute); len(c) != 0 {
		t.Fatalf("claimed at the old due time: %+v", c)
	}
	c := claim(t, s, t0.Add(time.Hour), time.Minute)
	if len(c) != 1 || c[0].Kind != escalation.Escalate || c[0].Level != 2 || c[0].TicketNumber != "T-1" ||
		!c[0].DueAt.Equal(t0.Add(time.Hour)) || c[0].Attempt != 1 {
		t.Fatalf("claimed %+v", c)
	}
	must(t, s.Done(ctx, "k", c[0].Token, t0.Add(time.Hour)))
	a.DueAt = t0.Add(2 * time.Hour) // done is done
	must(t, s.Schedule(ctx, a))
	if c := claim(t, s, t0.Add(3*time.Hour), time.Minute); len(c) != 0 {
		t.Errorf("a done action was claimed again: %+v", c)
	}
	if at, ok, _ := s.NextDue(ctx); ok {
		t.Errorf("NextDue = %v with nothing pending", at)
	}
}

func leaseExpiryRetryAndLostLease(t *testing.T, s escalation.TimerStore) {
	ctx := context.Background()
	must(t, s.Schedule(ctx, escalation.Action{Kind: escalation.Notify, DueAt: t0, Key: "k"}))
	first := claim(t, s, t0, time.Minute)
	if again := claim(t, s, t0.Add(30*time.Second), time.Minute); len(first) != 1 || len(again) != 0 {
		t.Fatalf("claimed %d then %d while leased", len(first), len(again))
	}
	// A recomputed plan does not break the lease.
	must(t, s.Schedule(ctx, escalation.Action{Kind: escalation.Notify, DueAt: t0, Key: "k"}))
	if at, ok, _ := s.NextDue(ctx); !ok || !at.Equal(t0.Add(time.Minute)) {
		t.Errorf("NextDue = %v %v, want the lease expiry", at, ok)
	}
	second := claim(t, s, t0.Add(time.Minute), time.Minute)
	if len(second) != 1 || second[0].Attempt != 2 {
		t.Fatalf("after expiry: %+v", second)
	}
	if err := s.Done(ctx, "k", first[0].Token, t0); !errors.Is(err, escalation.ErrLeaseLost) {
		t.Errorf("Done with a lost lease = %v", err)
	}
	if err := s.Retry(ctx, "k", first[0].Token, t0, "x"); !errors.Is(err, escalation.ErrLeaseLost) {
		t.Errorf("Retry with a lost lease = %v", err)
	}
	must(t, s.Retry(ctx, "k", second[0].Token, t0.Add(time.Hour), "smtp: connection refused"))
	if at, ok, _ := s.NextDue(ctx); !ok || !at.Equal(t0.Add(time.Hour)) {
		t.Errorf("NextDue after a retry = %v %v, want the retry time", at, ok)
	}
	if c := claim(t, s, t0.Add(time.Hour-time.Second), time.Minute); len(c) != 0 {
		t.Errorf("claimed before the retry time: %+v", c)
	}
	third := claim(t, s, t0.Add(time.Hour), time.Minute)
	if len(third) != 1 || third[0].Attempt != 3 || third[0].LastError != "smtp: connection refused" {
		t.Fatalf("third claim: %+v", third)
	}
	must(t, s.Done(ctx, "k", third[0].Token, t0))
	if _, ok, _ := s.NextDue(ctx); ok {
		t.Error("NextDue with nothing pending")
	}
}

func syncCancelsOnlyPlannedActions(t *testing.T, s escalation.TimerStore) {
	ctx := context.Background()
	must(t, s.Schedule(ctx,
		escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 2, DueAt: t0, Key: "step"},
		escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 3, DueAt: t0, Key: "manual", Actor: "ana", Reason: "x"},
		escalation.Action{Kind: escalation.Notify, TicketNumber: "T-1", DueAt: t0, Key: "created", Template: escalation.CreatedTemplate},
		escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-2", Level: 2, DueAt: t0, Key: "other"},
	))
	held := claim(t, s, t0, time.Minute)
	if got := fmt.Sprint(keys(held)); got != "[created manual other step]" {
		t.Fatalf("claimed %s", got)
	}
	must(t, s.Sync(ctx, "T-1", []escalation.Action{{Kind: escalation.AutoReject, TicketNumber: "T-1", DueAt: t0, Key: "reject"}}))
	for _, c := range held {
		if c.Key == "step" { // cancelled while held: its effect must not be recorded as done
			if err := s.Done(ctx, c.Key, c.Token, t0); !errors.Is(err, escalation.ErrLeaseLost) {
				t.Errorf("Done of a cancelled action = %v", err)
			}
		}
	}
	if got := fmt.Sprint(keys(claim(t, s, t0.Add(time.Minute), time.Minute))); got != "[created manual other reject]" {
		t.Errorf("pending after Sync: %s", got)
	}
	// The clock resumes: the cancelled step comes back as new, the
	// rejection goes.
	must(t, s.Sync(ctx, "T-1", []escalation.Action{{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 2, DueAt: t0.Add(time.Hour), Key: "step"}}))
	c := claim(t, s, t0.Add(time.Hour), time.Minute)
	if got := fmt.Sprint(keys(c)); got != "[created manual other step]" {
		t.Errorf("pending after the second Sync: %s", got)
	}
	for _, a := range c {
		if a.Key == "step" && (a.Attempt != 1 || !a.DueAt.Equal(t0.Add(time.Hour))) {
			t.Errorf("step back: %+v", a)
		}
	}
}

func concurrentClaimsAreDisjoint(t *testing.T, handles []escalation.TimerStore) {
	ctx := context.Background()
	var acts []escalation.Action
	for i := range 1000 {
		acts = append(acts, escalation.Action{Kind: escalation.Notify, DueAt: t0.Add(time.Duration(i)), Key: fmt.Sprint(i)})
	}
	must(t, handles[0].Schedule(ctx, acts...))
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for i := range 6 {
		s := handles[i%len(handles)]
		wg.Go(func() {
			for {
				c, err := s.Claim(ctx, t0.Add(time.Hour), 13, time.Hour)
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
