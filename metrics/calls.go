package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/agentdesk"
)

// Outcomes of atiende_queue_calls_total. A queued call counts once under
// answered, abandoned, short_abandoned, callback, timeout or no_agents;
// callback_answered and callback_failed count the callback made later for
// a call already counted under callback.
const (
	OutcomeAnswered         = "answered"
	OutcomeAbandoned        = "abandoned"
	OutcomeShortAbandoned   = "short_abandoned"
	OutcomeCallback         = "callback"
	OutcomeTimeout          = "timeout"
	OutcomeNoAgents         = "no_agents"
	OutcomeCallbackAnswered = "callback_answered"
	OutcomeCallbackFailed   = "callback_failed"
)

var outcomes = []string{
	OutcomeAnswered, OutcomeAbandoned, OutcomeShortAbandoned, OutcomeCallback,
	OutcomeTimeout, OutcomeNoAgents, OutcomeCallbackAnswered, OutcomeCallbackFailed,
}

// Buckets, in seconds. Answer buckets hold the service-level thresholds
// (10, 20, 30, 60 s) so that the share answered within one is exact.
var (
	answerBuckets    = []float64{5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600}
	ivrBuckets       = []float64{5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300}
	talkBuckets      = []float64{30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600}
	wrapUpBuckets    = []float64{5, 10, 15, 30, 60, 120, 300, 600}
	screenPopBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}
)

// queueMetrics are one queue's children, resolved once so that Publish
// does no label lookups.
type queueMetrics struct {
	answer, talk, wrapUp prometheus.Observer
	calls                map[string]prometheus.Counter
}

func (m *Metrics) newCallCollectors(reg prometheus.Registerer) {
	answer := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "atiende_call_answer_seconds",
		Help:    "Time from entering a queue to an agent answering, of calls answered (callbacks excluded).",
		Buckets: answerBuckets,
	}, []string{"queue"})
	talk := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "atiende_call_talk_seconds",
		Help:    "Time from an agent answering to the call ending.",
		Buckets: talkBuckets,
	}, []string{"queue"})
	wrapUp := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "atiende_call_wrapup_seconds",
		Help:    "Time agents spent in wrap-up after a call.",
		Buckets: wrapUpBuckets,
	}, []string{"queue"})
	calls := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "atiende_queue_calls_total",
		Help: "Calls that left a queue, by outcome. short_abandoned callers hung up within the short-abandon threshold and are not counted as abandoned.",
	}, []string{"queue", "outcome"})
	m.ivr = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "atiende_ivr_seconds",
		Help:    "Time callers spent in the IVR before reaching a queue or hanging up.",
		Buckets: ivrBuckets,
	})
	m.screenPop = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "atiende_screenpop_seconds",
		Help:    "Time from an offer to the agent's console showing the screen pop.",
		Buckets: screenPopBuckets,
	})
	m.wsClients = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "atiende_websocket_clients",
		Help: "Consoles and wallboards connected by websocket.",
	})
	reg.MustRegister(answer, talk, wrapUp, calls, m.ivr, m.screenPop, m.wsClients)

	m.queueMx = map[string]*queueMetrics{}
	for _, q := range m.queues.values() {
		qm := &queueMetrics{
			answer: answer.WithLabelValues(q),
			talk:   talk.WithLabelValues(q),
			wrapUp: wrapUp.WithLabelValues(q),
			calls:  map[string]prometheus.Counter{},
		}
		for _, o := range outcomes {
			qm.calls[o] = calls.WithLabelValues(q, o)
		}
		m.queueMx[q] = qm
	}
}

func (m *Metrics) queue(name string) (string, *queueMetrics) {
	q := m.queues.value(name)
	return q, m.queueMx[q]
}

// Publish updates the metrics from a desk event, so that Metrics can be an
// agentdesk.Publisher. It only touches in-memory counters and maps.
func (m *Metrics) Publish(ev agentdesk.Event) {
	if ev.Kind == agentdesk.AgentStateChanged {
		if d, queue, ok := m.desk.agentState(ev); ok {
			_, qm := m.queue(queue)
			qm.wrapUp.Observe(seconds(d))
		}
		return
	}
	q, qm := m.queue(ev.Queue)
	entered := orAt(ev.EnteredQueueAt, ev.At)
	switch ev.Kind {
	case agentdesk.CallQueued:
		m.desk.enqueue(ev.CallID, q, entered)
	case agentdesk.CallAnswered:
		m.desk.dequeue(ev.CallID)
		if ev.Callback {
			qm.calls[OutcomeCallbackAnswered].Inc()
			return
		}
		qm.calls[OutcomeAnswered].Inc()
		qm.answer.Observe(seconds(orAt(ev.AnsweredAt, ev.At).Sub(entered)))
	case agentdesk.CallAbandoned:
		m.desk.dequeue(ev.CallID)
		if orAt(ev.EndedAt, ev.At).Sub(entered) < m.opts.ShortAbandon {
			qm.calls[OutcomeShortAbandoned].Inc()
		} else {
			qm.calls[OutcomeAbandoned].Inc()
		}
	case agentdesk.CallbackRequested:
		// The entry keeps its place in the queue and its wait goes on.
		qm.calls[OutcomeCallback].Inc()
	case agentdesk.CallEnded:
		m.desk.dequeue(ev.CallID)
		switch ev.Outcome {
		case agentdesk.OutcomeAnswered:
			qm.talk.Observe(seconds(orAt(ev.EndedAt, ev.At).Sub(orAt(ev.AnsweredAt, ev.At))))
			m.desk.lastQueue(ev.Agent, q)
		case agentdesk.OutcomeTimeout:
			qm.calls[OutcomeTimeout].Inc()
		case agentdesk.OutcomeNoAgents:
			qm.calls[OutcomeNoAgents].Inc()
		case agentdesk.OutcomeCallbackFailed:
			qm.calls[OutcomeCallbackFailed].Inc()
		}
	}
}

var _ agentdesk.Publisher = (*Metrics)(nil)
