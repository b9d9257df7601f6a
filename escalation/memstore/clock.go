package memstore

import (
	"sync"
	"time"

	"github.com/atiende/atiende/escalation"
)

// Clock is a fake escalation.Clock: time moves only with Advance.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters map[int]*waiter
	next    int
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

var _ escalation.Clock = (*Clock)(nil)

// NewClock returns a clock stopped at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now, waiters: map[int]*waiter{}} }

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *Clock) After(d time.Duration) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch, func() {}
	}
	id := c.next
	c.next++
	c.waiters[id] = &waiter{c.now.Add(d), ch}
	return ch, func() {
		c.mu.Lock()
		delete(c.waiters, id)
		c.mu.Unlock()
	}
}

// Advance moves time forward by d and fires the timers that are due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for id, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
			delete(c.waiters, id)
		}
	}
}

// Waiters returns how many timers are pending: a test knows its workers are
// idle when each has one.
func (c *Clock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}
