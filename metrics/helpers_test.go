package metrics

import (
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// t0 is the start of every scripted day: Monday 23 November 2026, 10:00 UTC.
var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// fakeClock is the injected clock of the tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// find gathers g and returns the metric of family name whose labels are
// exactly labels (given as name, value pairs).
func find(t *testing.T, g prometheus.Gatherer, name string, labels ...string) *dto.Metric {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) != len(want) {
				continue
			}
			for _, lp := range m.GetLabel() {
				if v, ok := want[lp.GetName()]; !ok || v != lp.GetValue() {
					continue next
				}
			}
			return m
		}
	}
	t.Fatalf("no %s%v", name, labels)
	return nil
}

// value is a counter's or gauge's value.
func value(t *testing.T, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	m := find(t, g, name, labels...)
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	}
	t.Fatalf("%s%v is neither a counter nor a gauge", name, labels)
	return 0
}

// histo is a histogram's count, sum and cumulative bucket counts by bound.
type histo struct {
	count   uint64
	sum     float64
	buckets map[float64]uint64
}

func histogram(t *testing.T, g prometheus.Gatherer, name string, labels ...string) histo {
	t.Helper()
	h := find(t, g, name, labels...).GetHistogram()
	if h == nil {
		t.Fatalf("%s%v is not a histogram", name, labels)
	}
	out := histo{count: h.GetSampleCount(), sum: h.GetSampleSum(), buckets: map[float64]uint64{}}
	for _, b := range h.GetBucket() {
		out.buckets[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	return out
}

// checkHisto compares count, sum and the given cumulative buckets.
func checkHisto(t *testing.T, g prometheus.Gatherer, want histo, name string, labels ...string) {
	t.Helper()
	got := histogram(t, g, name, labels...)
	if got.count != want.count || got.sum != want.sum {
		t.Errorf("%s%v: count %d sum %v, want count %d sum %v", name, labels, got.count, got.sum, want.count, want.sum)
	}
	for le, n := range want.buckets {
		if got.buckets[le] != n {
			t.Errorf("%s%v: bucket le=%v has %d, want %d", name, labels, le, got.buckets[le], n)
		}
	}
}
