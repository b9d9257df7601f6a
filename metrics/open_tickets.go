package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/tickets"
)

var (
	openDesc = prometheus.NewDesc("atiende_tickets_open",
		"Open tickets by state, priority and escalation level, as of the last successful count (cached a few seconds).",
		[]string{"state", "priority", "level"}, nil)
	openErrorsDesc = prometheus.NewDesc("atiende_tickets_open_errors_total",
		"Counts of open tickets that failed or timed out; the previous count is served meanwhile.", nil, nil)
)

type openKey struct{ state, priority, level string }

// openTickets asks the caller's count function at scrape, at most once per
// TTL, and serves the last good answer when a count fails.
type openTickets struct {
	count   func(context.Context) ([]OpenCount, error)
	now     func() time.Time
	timeout time.Duration
	ttl     time.Duration

	mu      sync.Mutex // not held while counting: scrapes meanwhile get the cache
	at      time.Time  // of the last attempt
	last    map[openKey]int
	errors  uint64
	counted bool
	running bool // a count has not returned yet
}

func newOpenTickets(o Options) *openTickets {
	return &openTickets{count: o.OpenTickets, now: o.Now, timeout: o.OpenTicketsTimeout, ttl: o.OpenTicketsTTL}
}

func (c *openTickets) Describe(ch chan<- *prometheus.Desc) {
	ch <- openDesc
	ch <- openErrorsDesc
}

func (c *openTickets) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); !c.counted || now.Sub(c.at) >= c.ttl || now.Before(c.at) {
		c.refreshLocked(now)
	}
	for k, n := range c.last {
		ch <- prometheus.MustNewConstMetric(openDesc, prometheus.GaugeValue, float64(n), k.state, k.priority, k.level)
	}
	ch <- prometheus.MustNewConstMetric(openErrorsDesc, prometheus.CounterValue, float64(c.errors))
}

// refreshLocked counts again. The count runs in its own goroutine so that
// a count function ignoring ctx cannot hold the scrape past the timeout;
// while such a count is still running no other is started.
func (c *openTickets) refreshLocked(now time.Time) {
	c.at, c.counted = now, true
	if c.running {
		c.errors++
		return
	}
	type result struct {
		counts []OpenCount
		err    error
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	done := make(chan result, 1)
	c.running = true
	go func() {
		counts, err := c.count(ctx)
		c.mu.Lock()
		c.running = false
		c.mu.Unlock()
		done <- result{counts, err}
	}()
	c.mu.Unlock() // let the goroutine clear running
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	c.mu.Lock()
	if r.err != nil {
		c.errors++
		return
	}
	c.last = tally(r.counts)
}

// tally sums counts by label values. Every open state, priority and level
// is present, so a combination that empties shows 0 instead of vanishing.
func tally(counts []OpenCount) map[openKey]int {
	last := map[openKey]int{}
	for _, s := range tickets.States {
		if !s.Open() {
			continue
		}
		for _, p := range priorities {
			for l := 1; l <= 4; l++ {
				last[openKey{string(s), p.String(), levelLabel(l)}] = 0
			}
		}
	}
	for _, oc := range counts {
		if oc.State.Valid() && !oc.State.Open() {
			continue
		}
		last[openKey{stateLabel(oc.State), priorityLabel(oc.Priority), levelLabel(oc.Level)}] += oc.Count
	}
	return last
}
