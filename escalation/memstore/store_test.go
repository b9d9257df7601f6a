package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/memstore"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func TestScheduleIsIdempotentByKey(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	a := escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 2, DueAt: t0, Key: "k"}
	s.Schedule(ctx, a, a)
	a.DueAt = t0.Add(time.Hour) // a recomputed plan moves a pending action
	s.Schedule(ctx, a)
	if p := s.Entries(memstore.Pending); len(p) != 1 || !p[0].Action.DueAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("pending = %+v", p)
	}
	c, _ := s.Claim(ctx, t0.Add(time.Hour), 10, time.Minute)
	if len(c) != 1 {
		t.Fatalf("claimed %d", len(c))
	}
	if err := s.Done(ctx, "k", c[0].Token, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a.DueAt = t0.Add(2 * time.Hour) // done is done
	s.Schedule(ctx, a)
	if e, _ := s.Get("k"); e.State != memstore.Done || !e.Action.DueAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("done entry changed: %+v", e)
	}
	if c, _ := s.Claim(ctx, t0.Add(3*time.Hour), 10, time.Minute); len(c) != 0 {
		t.Errorf("a done action was claimed again")
	}
}

func TestLeaseExpiryAndLostLease(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	s.Schedule(ctx, escalation.Action{Kind: escalation.Notify, DueAt: t0, Key: "k"})
	first, _ := s.Claim(ctx, t0, 10, time.Minute)
	if again, _ := s.Claim(ctx, t0.Add(30*time.Second), 10, time.Minute); len(first) != 1 || len(again) != 0 {
		t.Fatalf("claimed %d then %d while leased", len(first), len(again))
	}
	if at, ok, _ := s.NextDue(ctx); !ok || !at.Equal(t0.Add(time.Minute)) {
		t.Errorf("NextDue = %v %v, want the lease expiry", at, ok)
	}
	second, _ := s.Claim(ctx, t0.Add(time.Minute), 10, time.Minute)
	if len(second) != 1 || second[0].Attempt != 2 {
		t.Fatalf("after expiry: %+v", second)
	}
	if err := s.Done(ctx, "k", first[0].Token, t0); !errors.Is(err, escalation.ErrLeaseLost) {
		t.Errorf("Done with a lost lease = %v", err)
	}
	if err := s.Retry(ctx, "k", first[0].Token, t0, "x"); !errors.Is(err, escalation.ErrLeaseLost) {
		t.Errorf("Retry with a lost lease = %v", err)
	}
	if err := s.Done(ctx, "k", second[0].Token, t0); err != nil {
		t.Error(err)
	}
}

func TestSyncCancelsOnlyPlannedActions(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	s.Schedule(ctx,
		escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 2, DueAt: t0, Key: "step"},
		escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 3, DueAt: t0, Key: "manual", Actor: "ana", Reason: "x"},
		escalation.Action{Kind: escalation.Notify, TicketNumber: "T-1", DueAt: t0, Key: "created", Template: escalation.CreatedTemplate},
		escalation.Action{Kind: escalation.Escalate, TicketNumber: "T-2", Level: 2, DueAt: t0, Key: "other"},
	)
	s.Sync(ctx, "T-1", []escalation.Action{{Kind: escalation.AutoReject, TicketNumber: "T-1", DueAt: t0, Key: "reject"}})
	var pending []string
	for _, e := range s.Entries(memstore.Pending) {
		pending = append(pending, e.Action.Key)
	}
	if fmt.Sprint(pending) != "[created manual other reject]" {
		t.Errorf("pending = %v", pending)
	}
	// The clock resumes: the cancelled step comes back.
	s.Sync(ctx, "T-1", []escalation.Action{{Kind: escalation.Escalate, TicketNumber: "T-1", Level: 2, DueAt: t0.Add(time.Hour), Key: "step"}})
	if e, _ := s.Get("step"); e.State != memstore.Pending || !e.Action.DueAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("step = %+v", e)
	}
	if e, _ := s.Get("reject"); e.State != memstore.Cancelled {
		t.Errorf("reject = %+v", e)
	}
}

// Concurrent claimers never share an action (SKIP LOCKED semantics).
func TestConcurrentClaimsAreDisjoint(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	for i := range 1000 {
		s.Schedule(ctx, escalation.Action{Kind: escalation.Notify, DueAt: t0.Add(time.Duration(i)), Key: fmt.Sprint(i)})
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
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

func TestClockFiresTimersInOrder(t *testing.T) {
	c := memstore.NewClock(t0)
	a, _ := c.After(time.Second)
	b, stopB := c.After(time.Minute)
	if c.Waiters() != 2 {
		t.Fatalf("waiters = %d", c.Waiters())
	}
	c.Advance(time.Second)
	select {
	case at := <-a:
		if !at.Equal(t0.Add(time.Second)) {
			t.Errorf("fired at %v", at)
		}
	default:
		t.Error("timer a did not fire")
	}
	select {
	case <-b:
		t.Error("timer b fired early")
	default:
	}
	stopB()
	if c.Waiters() != 0 {
		t.Errorf("waiters after stop = %d", c.Waiters())
	}
}
