package memstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/escalation/timerstoretest"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// The in-memory store keeps the TimerStore contract the PostgreSQL store
// keeps (tickets/postgres runs the same suite).
func TestTimerStoreContract(t *testing.T) {
	timerstoretest.Run(t, func(t *testing.T, n int) []escalation.TimerStore {
		return slices.Repeat([]escalation.TimerStore{memstore.New()}, n)
	})
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
