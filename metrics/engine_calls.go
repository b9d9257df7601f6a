package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// EngineCallCounts are the calls and requests a telephony engine refused
// or ended on its own, as monotonic counts.
type EngineCallCounts struct {
	Refused       uint64 // calls refused: too many from one source
	Reaped        uint64 // calls answered and torn down: never acknowledged, or silent (no RTP)
	AuthThrottled uint64 // authentications refused by the guess throttle
}

// EngineCalls exports counts, called at each scrape, for the engine name:
// atiende_engine_calls_refused_total, atiende_engine_calls_reaped_total and
// atiende_engine_auth_throttled_total. counts must be cheap and must not
// block. Registering a name again replaces its func.
func (m *Metrics) EngineCalls(name string, counts func() EngineCallCounts) {
	m.engineCalls.mu.Lock()
	defer m.engineCalls.mu.Unlock()
	m.engineCalls.funcs[name] = counts
}

var (
	engineRefusedDesc = prometheus.NewDesc("atiende_engine_calls_refused_total",
		"Calls a telephony engine refused because their source had too many calls up.", []string{"engine"}, nil)
	engineReapedDesc = prometheus.NewDesc("atiende_engine_calls_reaped_total",
		"Calls a telephony engine answered and tore down on its own: the caller never acknowledged the answer, or sent no RTP for the RTP timeout.", []string{"engine"}, nil)
	engineThrottledDesc = prometheus.NewDesc("atiende_engine_auth_throttled_total",
		"Authentications a telephony engine refused, unchecked, after too many wrong passwords.", []string{"engine"}, nil)
)

type engineCallSet struct {
	mu    sync.Mutex
	funcs map[string]func() EngineCallCounts
}

func (s *engineCallSet) Describe(ch chan<- *prometheus.Desc) {
	ch <- engineRefusedDesc
	ch <- engineReapedDesc
	ch <- engineThrottledDesc
}

func (s *engineCallSet) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	funcs := make(map[string]func() EngineCallCounts, len(s.funcs))
	for n, f := range s.funcs {
		funcs[n] = f
	}
	s.mu.Unlock()
	for n, f := range funcs {
		c := f()
		ch <- prometheus.MustNewConstMetric(engineRefusedDesc, prometheus.CounterValue, float64(c.Refused), n)
		ch <- prometheus.MustNewConstMetric(engineReapedDesc, prometheus.CounterValue, float64(c.Reaped), n)
		ch <- prometheus.MustNewConstMetric(engineThrottledDesc, prometheus.CounterValue, float64(c.AuthThrottled), n)
	}
}
