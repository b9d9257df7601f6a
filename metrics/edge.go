package metrics

import (
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

// EdgeCounts is what a telephony engine's network edge refused or
// survived since it started.
type EdgeCounts struct {
	// BadMessages counts refused messages by reason. Reasons are set by the
	// engine's code (a fixed list), never by the network.
	BadMessages map[string]uint64
	// Panics counts panics recovered in the engine's protocol handlers.
	Panics uint64
}

// EngineEdge exports counts, called at each scrape, as
// atiende_engine_bad_messages_total and atiende_engine_panics_recovered_total
// for the engine name. counts must be cheap and must not block.
func (m *Metrics) EngineEdge(name string, counts func() EdgeCounts) {
	m.engines.set(name, func(e *engineFuncs) { e.edge = counts })
}

var (
	engineBadDesc = prometheus.NewDesc("atiende_engine_bad_messages_total",
		"Messages a telephony engine refused at its network edge (malformed, too large), by reason.",
		[]string{"engine", "reason"}, nil)
	enginePanicsDesc = prometheus.NewDesc("atiende_engine_panics_recovered_total",
		"Panics recovered in a telephony engine's protocol handlers.", []string{"engine"}, nil)
)

func describeEdge(ch chan<- *prometheus.Desc) {
	ch <- engineBadDesc
	ch <- enginePanicsDesc
}

func collectEdge(ch chan<- prometheus.Metric, engine string, counts func() EdgeCounts) {
	c := counts()
	reasons := make([]string, 0, len(c.BadMessages))
	for r := range c.BadMessages {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		ch <- prometheus.MustNewConstMetric(engineBadDesc, prometheus.CounterValue, float64(c.BadMessages[r]), engine, r)
	}
	ch <- prometheus.MustNewConstMetric(enginePanicsDesc, prometheus.CounterValue, float64(c.Panics), engine)
}
