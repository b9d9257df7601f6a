package metrics

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

func TestTelephony(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{})

	m.ExtensionsChanged([]ivr.ExtensionStatus{
		{Extension: "1001", State: ivr.ExtRegistered},
		{Extension: "1002", State: ivr.ExtRegistered},
		{Extension: "1003", State: ivr.ExtUnreachable},
	})
	m.ExtensionStatus(ivr.ExtensionStatus{Extension: "1002", State: ivr.ExtUnregistered})
	m.ExtensionStatus(ivr.ExtensionStatus{Extension: "1004", State: ivr.ExtRegistered})

	var up atomic.Bool
	up.Store(true)
	m.EngineUp("sip", up.Load)
	m.EngineDrops("sip", func() uint64 { return 7 })
	m.EngineUp("asterisk", func() bool { return false })
	m.EngineDown("asterisk")
	m.EngineDown("asterisk")

	m.ObserveIVR(42 * time.Second)
	m.ObserveIVR(8 * time.Second)
	m.ScreenPop(30 * time.Millisecond)
	m.WebsocketClients(3)
	m.WebsocketClients(2)

	want := `
# HELP atiende_extensions Phone extensions by registration state.
# TYPE atiende_extensions gauge
atiende_extensions{state="registered"} 2
atiende_extensions{state="unreachable"} 1
atiende_extensions{state="unregistered"} 1
# HELP atiende_engine_up Whether a telephony engine can take calls (1) or not (0).
# TYPE atiende_engine_up gauge
atiende_engine_up{engine="asterisk"} 0
atiende_engine_up{engine="sip"} 1
# HELP atiende_engine_down_total Times a telephony engine went down (could take calls, then could not).
# TYPE atiende_engine_down_total counter
atiende_engine_down_total{engine="asterisk"} 2
atiende_engine_down_total{engine="sip"} 0
# HELP atiende_engine_events_dropped_total Events a telephony engine dropped rather than block.
# TYPE atiende_engine_events_dropped_total counter
atiende_engine_events_dropped_total{engine="sip"} 7
# HELP atiende_websocket_clients Consoles and wallboards connected by websocket.
# TYPE atiende_websocket_clients gauge
atiende_websocket_clients 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "atiende_extensions",
		"atiende_engine_up", "atiende_engine_down_total", "atiende_engine_events_dropped_total", "atiende_websocket_clients"); err != nil {
		t.Error(err)
	}
	up.Store(false)
	if v := value(t, reg, "atiende_engine_up", "engine", "sip"); v != 0 {
		t.Errorf("sip up %v after going down, want 0", v)
	}
	checkHisto(t, reg, histo{count: 2, sum: 50, buckets: map[float64]uint64{5: 0, 10: 1, 30: 1, 45: 2}}, "atiende_ivr_seconds")
	checkHisto(t, reg, histo{count: 1, sum: 0.03, buckets: map[float64]uint64{0.025: 0, 0.05: 1}}, "atiende_screenpop_seconds")
}

func TestAgentExtensionsDown(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{})
	s := &script{m: m}
	for _, a := range []struct{ name, ext string }{{"ana", "1001"}, {"beto", "1002"}, {"carla", "1003"}, {"dora", "1009"}} {
		s.pub(agentdesk.Event{Kind: agentdesk.AgentStateChanged, At: t0, Agent: a.name, Extension: a.ext, State: avail})
	}
	s.agent(10, "carla", avail, out)
	m.ExtensionsChanged([]ivr.ExtensionStatus{
		{Extension: "1001", State: ivr.ExtRegistered},
		{Extension: "1002", State: ivr.ExtUnreachable},  // counted
		{Extension: "1003", State: ivr.ExtUnregistered}, // logged out: not counted
		// 1009 never reported: not counted
	})
	if v := value(t, reg, "atiende_agent_extensions_down"); v != 1 {
		t.Errorf("agent extensions down %v, want 1", v)
	}
}
