package metrics

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestEngineCalls(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg, Options{})
	var reaped atomic.Uint64
	m.EngineCalls("sip", func() EngineCallCounts {
		return EngineCallCounts{Refused: 20, Reaped: reaped.Load(), AuthThrottled: 990}
	})
	reaped.Store(3)
	want := `
# HELP atiende_engine_calls_refused_total Calls a telephony engine refused because their source had too many calls up.
# TYPE atiende_engine_calls_refused_total counter
atiende_engine_calls_refused_total{engine="sip"} 20
# HELP atiende_engine_calls_reaped_total Calls a telephony engine answered and tore down on its own: the caller never acknowledged the answer, or sent no RTP for the RTP timeout.
# TYPE atiende_engine_calls_reaped_total counter
atiende_engine_calls_reaped_total{engine="sip"} 3
# HELP atiende_engine_auth_throttled_total Authentications a telephony engine refused, unchecked, after too many wrong passwords.
# TYPE atiende_engine_auth_throttled_total counter
atiende_engine_auth_throttled_total{engine="sip"} 990
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "atiende_engine_calls_refused_total",
		"atiende_engine_calls_reaped_total", "atiende_engine_auth_throttled_total"); err != nil {
		t.Error(err)
	}
}
