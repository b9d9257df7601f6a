package metrics

import (
	"strconv"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/metrics/benchload"
)

// BenchmarkPublish is the cost the ACD pays under its lock per event: a
// call's life (queued, answered, ended) and the agent's three state changes.
func BenchmarkPublish(b *testing.B) {
	defer benchload.Report(b)
	m := New(prometheus.NewRegistry(), Options{Queues: []string{"network", "general"}})
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = "call-" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := ids[i%len(ids)]
		var ev agentdesk.Event
		switch i % 6 {
		case 0:
			ev = agentdesk.Event{Kind: agentdesk.CallQueued, CallID: id, Queue: "network", EnteredQueueAt: at(i)}
		case 1:
			ev = agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "ana", State: agentdesk.StateOnCall, At: at(i)}
		case 2:
			ev = agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: id, Queue: "network", EnteredQueueAt: at(i - 2), AnsweredAt: at(i)}
		case 3:
			ev = agentdesk.Event{Kind: agentdesk.CallEnded, CallID: id, Queue: "network", Agent: "ana",
				Outcome: agentdesk.OutcomeAnswered, AnsweredAt: at(i - 1), EndedAt: at(i)}
		case 4:
			ev = agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "ana", State: agentdesk.StateWrapUp, At: at(i)}
		case 5:
			ev = agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "ana", State: agentdesk.StateAvailable, At: at(i)}
		}
		ev.Seq = uint64(i + 1)
		m.Publish(ev)
	}
}
