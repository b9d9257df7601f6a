package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/agentdesk"
)

// agentStates are the values of the state label of the agent metrics.
var agentStates = []agentdesk.AgentState{
	agentdesk.StateLoggedOut, agentdesk.StateAvailable, agentdesk.StateRinging,
	agentdesk.StateOnCall, agentdesk.StateWrapUp, agentdesk.StatePaused,
}

var (
	waitingDesc = prometheus.NewDesc("atiende_queue_calls_waiting",
		"Calls waiting in a queue, callbacks keeping their place included.", []string{"queue"}, nil)
	oldestDesc = prometheus.NewDesc("atiende_queue_oldest_wait_seconds",
		"How long the call waiting longest in a queue has waited; 0 when none waits.", []string{"queue"}, nil)
	agentsDesc = prometheus.NewDesc("atiende_agents",
		"Agents by state.", []string{"state"}, nil)
	stateSecondsDesc = prometheus.NewDesc("atiende_agent_state_seconds_total",
		"Time agents spent in each state (logged out not counted), up to the scrape.", []string{"state"}, nil)
	agentExtDownDesc = prometheus.NewDesc("atiende_agent_extensions_down",
		"Logged-in agents whose phone extension is unregistered or unreachable.", nil, nil)
)

// deskCollector computes the desk's live gauges at scrape time.
type deskCollector struct{ m *Metrics }

func (c *deskCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- waitingDesc
	ch <- oldestDesc
	ch <- agentsDesc
	ch <- stateSecondsDesc
	ch <- agentExtDownDesc
}

func (c *deskCollector) Collect(ch chan<- prometheus.Metric) {
	v := c.m.desk.view()
	for _, q := range c.m.queues.values() {
		ch <- prometheus.MustNewConstMetric(waitingDesc, prometheus.GaugeValue, float64(v.waiting[q]), q)
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, seconds(v.oldest[q]), q)
	}
	for _, s := range agentStates {
		ch <- prometheus.MustNewConstMetric(agentsDesc, prometheus.GaugeValue, float64(v.agents[s]), string(s))
		if s != agentdesk.StateLoggedOut {
			ch <- prometheus.MustNewConstMetric(stateSecondsDesc, prometheus.CounterValue, v.stateTime[s].Seconds(), string(s))
		}
	}
	ch <- prometheus.MustNewConstMetric(agentExtDownDesc, prometheus.GaugeValue, float64(c.m.extensions.down(v.loggedIn)))
}
