package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/atiende/atiende/agentdesk"
)

// script publishes events with consecutive Seq numbers.
type script struct {
	m   *Metrics
	seq uint64
}

func (s *script) pub(ev agentdesk.Event) {
	s.seq++
	ev.Seq = s.seq
	s.m.Publish(ev)
}

func (s *script) agent(sec int, name string, prev, st agentdesk.AgentState) {
	s.pub(agentdesk.Event{Kind: agentdesk.AgentStateChanged, At: at(sec), Agent: name, PrevState: prev, State: st})
}

// call publishes a call event; times are seconds after t0, negative for none.
func (s *script) call(kind agentdesk.EventKind, id, queue string, entered, answered, ended int, o agentdesk.Outcome) {
	ev := agentdesk.Event{Kind: kind, CallID: id, Queue: queue, Outcome: o,
		CallerNumber: "+525512345678", TicketNumber: "T-000123", EnteredQueueAt: at(entered)}
	ev.At = ev.EnteredQueueAt
	if answered >= 0 {
		ev.AnsweredAt = at(answered)
		ev.At = ev.AnsweredAt
	}
	if ended >= 0 {
		ev.EndedAt = at(ended)
		ev.At = ev.EndedAt
	}
	s.pub(ev)
}

// ended publishes the end of a call agent talked on.
func (s *script) ended(id, queue, agent string, entered, answered, ended int) {
	s.pub(agentdesk.Event{Kind: agentdesk.CallEnded, CallID: id, Queue: queue, Agent: agent,
		Outcome: agentdesk.OutcomeAnswered, EnteredQueueAt: at(entered), AnsweredAt: at(answered),
		EndedAt: at(ended), At: at(ended)})
}

const (
	avail   = agentdesk.StateAvailable
	ringing = agentdesk.StateRinging
	onCall  = agentdesk.StateOnCall
	wrapUp  = agentdesk.StateWrapUp
	paused  = agentdesk.StatePaused
	out     = agentdesk.StateLoggedOut
)

// deskDay plays a scripted morning: two agents, calls answered, abandoned
// (one within 3 s), a callback, a call with no agents and a timeout in a
// queue outside the configured set.
func deskDay(t *testing.T, clock *fakeClock, m *Metrics, reg prometheus.Gatherer) {
	s := &script{m: m}
	s.agent(0, "ana", out, avail)
	s.agent(0, "beto", out, avail)
	s.call(agentdesk.CallQueued, "c1", "network", 0, -1, -1, "")
	s.call(agentdesk.CallQueued, "c2", "network", 1, -1, -1, "")
	s.call(agentdesk.CallQueued, "c3", "network", 2, -1, -1, "")
	s.call(agentdesk.CallAbandoned, "c2", "network", 1, -1, 4, agentdesk.OutcomeAbandoned) // 3 s: short
	s.call(agentdesk.CallQueued, "c4", "general", 5, -1, -1, "")
	s.agent(8, "ana", avail, ringing)
	s.call(agentdesk.CallQueued, "c5", "general", 10, -1, -1, "")
	s.agent(12, "ana", ringing, onCall)
	s.call(agentdesk.CallAnswered, "c1", "network", 0, 12, -1, "") // 12 s
	s.call(agentdesk.CallEnded, "c6", "general", 20, -1, 20, agentdesk.OutcomeNoAgents)
	s.agent(30, "beto", avail, ringing)
	s.call(agentdesk.CallQueued, "c7", "sales", 30, -1, -1, "")
	s.call(agentdesk.CallAbandoned, "c3", "network", 2, -1, 32, agentdesk.OutcomeAbandoned) // 30 s
	s.agent(35, "beto", ringing, onCall)
	s.call(agentdesk.CallAnswered, "c5", "general", 10, 35, -1, "") // 25 s
	s.agent(50, "carla", out, avail)
	s.agent(60, "carla", avail, out)
	s.ended("c1", "network", "ana", 0, 12, 72) // talk 60 s
	s.agent(72, "ana", onCall, wrapUp)
	s.agent(82, "ana", wrapUp, avail) // wrap-up 10 s

	// A scrape in the middle: general has c4 (95 s), other has c7 (70 s).
	clock.Set(at(100))
	for _, c := range []struct {
		queue           string
		waiting, oldest float64
	}{{"network", 0, 0}, {"general", 1, 95}, {Other, 1, 70}} {
		if v := value(t, reg, "atiende_queue_calls_waiting", "queue", c.queue); v != c.waiting {
			t.Errorf("at 100 s, %s waiting %v, want %v", c.queue, v, c.waiting)
		}
		if v := value(t, reg, "atiende_queue_oldest_wait_seconds", "queue", c.queue); v != c.oldest {
			t.Errorf("at 100 s, %s oldest wait %v, want %v", c.queue, v, c.oldest)
		}
	}
	if v := value(t, reg, "atiende_agent_state_seconds_total", "state", "available"); v != 8+18+30+10 {
		t.Errorf("at 100 s, available seconds %v, want 66", v)
	}

	s.call(agentdesk.CallbackRequested, "c4", "general", 5, -1, 125, agentdesk.OutcomeCallback)
	s.call(agentdesk.CallEnded, "c7", "sales", 30, -1, 150, agentdesk.OutcomeTimeout)
	s.ended("c5", "general", "beto", 10, 35, 155) // talk 120 s
	s.agent(155, "beto", onCall, wrapUp)
	s.agent(170, "beto", wrapUp, avail) // wrap-up 15 s
	s.agent(190, "ana", avail, ringing)
	s.agent(200, "ana", ringing, onCall)
	cb := agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: "c4", Queue: "general", Callback: true,
		EnteredQueueAt: at(5), AnsweredAt: at(200), At: at(200), Agent: "ana"}
	s.pub(cb)
	s.call(agentdesk.CallQueued, "c8", "network", 250, -1, -1, "")
	cb.Kind, cb.Outcome, cb.EndedAt, cb.At = agentdesk.CallEnded, agentdesk.OutcomeAnswered, at(260), at(260)
	s.pub(cb) // talk 60 s
	s.agent(260, "ana", onCall, wrapUp)
	s.agent(280, "beto", avail, paused)
	clock.Set(at(300))
}

func TestDeskScript(t *testing.T) {
	clock := &fakeClock{t: t0}
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{Now: clock.Now, Queues: []string{"network", "general"}})
	deskDay(t, clock, m, reg)

	want := `
# HELP atiende_queue_calls_total Calls that left a queue, by outcome. short_abandoned callers hung up within the short-abandon threshold and are not counted as abandoned.
# TYPE atiende_queue_calls_total counter
`
	counts := map[string]map[string]int{
		"network": {"answered": 1, "abandoned": 1, "short_abandoned": 1},
		"general": {"answered": 1, "callback": 1, "no_agents": 1, "callback_answered": 1},
		"other":   {"timeout": 1},
	}
	for _, q := range []string{"general", "network", "other"} {
		for _, o := range outcomes {
			want += "atiende_queue_calls_total{outcome=\"" + o + "\",queue=\"" + q + "\"} " + itoa(counts[q][o]) + "\n"
		}
	}
	want += `
# HELP atiende_agent_state_seconds_total Time agents spent in each state (logged out not counted), up to the scrape.
# TYPE atiende_agent_state_seconds_total counter
atiende_agent_state_seconds_total{state="available"} 266
atiende_agent_state_seconds_total{state="on_call"} 240
atiende_agent_state_seconds_total{state="paused"} 20
atiende_agent_state_seconds_total{state="ringing"} 19
atiende_agent_state_seconds_total{state="wrap_up"} 65
# HELP atiende_agents Agents by state.
# TYPE atiende_agents gauge
atiende_agents{state="available"} 0
atiende_agents{state="logged_out"} 1
atiende_agents{state="on_call"} 0
atiende_agents{state="paused"} 1
atiende_agents{state="ringing"} 0
atiende_agents{state="wrap_up"} 1
# HELP atiende_queue_calls_waiting Calls waiting in a queue, callbacks keeping their place included.
# TYPE atiende_queue_calls_waiting gauge
atiende_queue_calls_waiting{queue="general"} 0
atiende_queue_calls_waiting{queue="network"} 1
atiende_queue_calls_waiting{queue="other"} 0
# HELP atiende_queue_oldest_wait_seconds How long the call waiting longest in a queue has waited; 0 when none waits.
# TYPE atiende_queue_oldest_wait_seconds gauge
atiende_queue_oldest_wait_seconds{queue="general"} 0
atiende_queue_oldest_wait_seconds{queue="network"} 50
atiende_queue_oldest_wait_seconds{queue="other"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"atiende_queue_calls_total", "atiende_agent_state_seconds_total", "atiende_agents",
		"atiende_queue_calls_waiting", "atiende_queue_oldest_wait_seconds"); err != nil {
		t.Error(err)
	}

	checkHisto(t, reg, histo{count: 1, sum: 12, buckets: map[float64]uint64{10: 0, 15: 1, 20: 1, 600: 1}},
		"atiende_call_answer_seconds", "queue", "network")
	checkHisto(t, reg, histo{count: 1, sum: 25, buckets: map[float64]uint64{20: 0, 30: 1}},
		"atiende_call_answer_seconds", "queue", "general")
	checkHisto(t, reg, histo{}, "atiende_call_answer_seconds", "queue", Other)
	checkHisto(t, reg, histo{count: 1, sum: 60, buckets: map[float64]uint64{30: 0, 60: 1}},
		"atiende_call_talk_seconds", "queue", "network")
	checkHisto(t, reg, histo{count: 2, sum: 180, buckets: map[float64]uint64{60: 1, 120: 2}},
		"atiende_call_talk_seconds", "queue", "general")
	checkHisto(t, reg, histo{count: 1, sum: 10, buckets: map[float64]uint64{5: 0, 10: 1}},
		"atiende_call_wrapup_seconds", "queue", "network")
	checkHisto(t, reg, histo{count: 1, sum: 15, buckets: map[float64]uint64{10: 0, 15: 1}},
		"atiende_call_wrapup_seconds", "queue", "general")

	// The counters keep growing between scrapes, never back.
	clock.Set(at(310))
	if v := value(t, reg, "atiende_agent_state_seconds_total", "state", "wrap_up"); v != 75 {
		t.Errorf("at 310 s, wrap_up seconds %v, want 75", v)
	}
	if v := value(t, reg, "atiende_queue_oldest_wait_seconds", "queue", "network"); v != 60 {
		t.Errorf("at 310 s, network oldest wait %v, want 60", v)
	}
}

// A phone number, ticket number or unknown queue never becomes a label.
func TestDeskLabelsBounded(t *testing.T) {
	clock := &fakeClock{t: t0}
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{Now: clock.Now, Queues: []string{"network", "general"}})
	deskDay(t, clock, m, reg)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, mm := range mf.GetMetric() {
			for _, lp := range mm.GetLabel() {
				switch v := lp.GetValue(); {
				case strings.Contains(v, "5512345678"), strings.Contains(v, "T-000123"),
					v == "sales", len(v) == 2 && v[0] == 'c':
					t.Errorf("%s has label %s=%q", mf.GetName(), lp.GetName(), v)
				}
			}
		}
	}
}

func TestShortAbandonConfigurable(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{Queues: []string{"q"}, ShortAbandon: 10 * 1e9})
	s := &script{m: m}
	s.call(agentdesk.CallQueued, "a", "q", 0, -1, -1, "")
	s.call(agentdesk.CallAbandoned, "a", "q", 0, -1, 9, agentdesk.OutcomeAbandoned)
	s.call(agentdesk.CallQueued, "b", "q", 0, -1, -1, "")
	s.call(agentdesk.CallAbandoned, "b", "q", 0, -1, 10, agentdesk.OutcomeAbandoned)
	if v := value(t, reg, "atiende_queue_calls_total", "queue", "q", "outcome", "short_abandoned"); v != 1 {
		t.Errorf("short_abandoned %v, want 1", v)
	}
	if v := value(t, reg, "atiende_queue_calls_total", "queue", "q", "outcome", "abandoned"); v != 1 {
		t.Errorf("abandoned %v, want 1", v)
	}
}

func TestReset(t *testing.T) {
	clock := &fakeClock{t: at(40)}
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{Now: clock.Now, Queues: []string{"q"}})
	m.Publish(agentdesk.Event{Seq: 1, Kind: agentdesk.CallQueued, CallID: "lost", Queue: "q", EnteredQueueAt: at(0)})
	// Seq 2-4 (among them the end of "lost") never arrive.
	m.Publish(agentdesk.Event{Seq: 5, Kind: agentdesk.AgentStateChanged, At: at(10), Agent: "ana", State: avail})
	if v := value(t, reg, "atiende_queue_oldest_wait_seconds", "queue", "q"); v != 40 {
		t.Errorf("before reset, oldest wait %v, want 40", v)
	}
	clock.Set(at(100))
	m.Reset(agentdesk.Snapshot{At: at(100), Seq: 9,
		Queues: []agentdesk.QueueSnapshot{{Name: "q", Calls: []agentdesk.WaitingCall{{CallID: "x", Queue: "q", EnteredQueueAt: at(90)}}}},
		Agents: []agentdesk.Agent{{Username: "ana", State: onCall, StateSince: at(40)}},
	})
	if v := value(t, reg, "atiende_queue_oldest_wait_seconds", "queue", "q"); v != 10 {
		t.Errorf("after reset, oldest wait %v, want 10", v)
	}
	if v := value(t, reg, "atiende_agents", "state", "on_call"); v != 1 {
		t.Errorf("after reset, on_call agents %v, want 1", v)
	}
	// ana's 10-40 s went to available (scraped so), 40-100 s go to on_call.
	if a, o := value(t, reg, "atiende_agent_state_seconds_total", "state", "available"),
		value(t, reg, "atiende_agent_state_seconds_total", "state", "on_call"); a != 30 || o != 60 {
		t.Errorf("after reset, available %v on_call %v, want 30 and 60", a, o)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
