package metrics

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestEngineEdge(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{})
	var bad, panics atomic.Uint64
	m.EngineEdge("sip", func() EdgeCounts {
		return EdgeCounts{BadMessages: map[string]uint64{"unparsable": bad.Load(), "missing_from": 2}, Panics: panics.Load()}
	})
	bad.Add(10000)
	panics.Add(1)
	want := `
# HELP atiende_engine_bad_messages_total Messages a telephony engine refused at its network edge (malformed, too large), by reason.
# TYPE atiende_engine_bad_messages_total counter
atiende_engine_bad_messages_total{engine="sip",reason="missing_from"} 2
atiende_engine_bad_messages_total{engine="sip",reason="unparsable"} 10000
# HELP atiende_engine_panics_recovered_total Panics recovered in a telephony engine's protocol handlers.
# TYPE atiende_engine_panics_recovered_total counter
atiende_engine_panics_recovered_total{engine="sip"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"atiende_engine_bad_messages_total", "atiende_engine_panics_recovered_total"); err != nil {
		t.Error(err)
	}
}
