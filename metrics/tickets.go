package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/tickets"
)

// SLA targets, the values of the target label of atiende_sla_breaches_total.
const (
	TargetResponse   = "response"
	TargetResolution = "resolution"
)

// Business-time buckets, in seconds: 5 min to 2 weeks, with the 1, 4, 8,
// 16, 24 and 48 hour marks SLAs are written in.
var ticketBuckets = []float64{
	300, 900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600, 604800, 1209600,
}

var priorities = []tickets.Priority{tickets.P1, tickets.P2, tickets.P3, tickets.P4}

func (m *Metrics) newTicketCollectors(reg prometheus.Registerer) {
	m.ticketsCreated = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "atiende_tickets_created_total",
		Help: "Tickets created, by catalog service, priority and channel.",
	}, []string{"service", "priority", "channel"})
	m.firstResponse = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "atiende_ticket_first_response_seconds",
		Help:    "Business time from a ticket's creation to its first response (work started).",
		Buckets: ticketBuckets,
	}, []string{"priority"})
	m.resolution = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "atiende_ticket_resolution_seconds",
		Help:    "Business time from a ticket's creation to its resolution.",
		Buckets: ticketBuckets,
	}, []string{"priority"})
	m.slaBreaches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "atiende_sla_breaches_total",
		Help: "Tickets that missed an SLA target (response or resolution), by priority.",
	}, []string{"priority", "target"})
	m.escalations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "atiende_escalations_total",
		Help: "Escalations, by the level escalated to.",
	}, []string{"level"})
	m.survey = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "atiende_survey_score_total",
		Help: "Satisfaction survey answers, by score and channel (keypad after the call, or the web survey page).",
	}, []string{"score", "channel"})
	reg.MustRegister(m.ticketsCreated, m.firstResponse, m.resolution, m.slaBreaches, m.escalations, m.survey)

	// Children that exist from the start, so rates and ratios see zeros.
	for _, p := range priorities {
		m.firstResponse.WithLabelValues(p.String())
		m.resolution.WithLabelValues(p.String())
		m.slaBreaches.WithLabelValues(p.String(), TargetResponse)
		m.slaBreaches.WithLabelValues(p.String(), TargetResolution)
	}
	for l := 2; l <= 4; l++ {
		m.escalations.WithLabelValues(strconv.Itoa(l))
	}
	for s := 1; s <= m.opts.SurveyMaxScore; s++ {
		for _, c := range surveyChannels {
			m.survey.WithLabelValues(strconv.Itoa(s), c)
		}
	}
}

func priorityLabel(p tickets.Priority) string {
	if p < tickets.P1 || p > tickets.P4 {
		return Other
	}
	return p.String()
}

func levelLabel(l int) string {
	if l < 1 || l > 4 {
		return Other
	}
	return strconv.Itoa(l)
}

func channelLabel(c tickets.Channel) string {
	if !c.Valid() {
		return Other
	}
	return string(c)
}

func stateLabel(s tickets.State) string {
	if !s.Valid() {
		return Other
	}
	return string(s)
}

// TicketCreated counts a new ticket.
func (m *Metrics) TicketCreated(t *tickets.Ticket) {
	m.ticketsCreated.WithLabelValues(m.services.value(t.Service), priorityLabel(t.Priority), channelLabel(t.Channel)).Inc()
}

// TicketTransition observes the milestones of a state change already made
// (t is the ticket after it): leaving registered is the first response,
// reaching resolved the resolution. Times are business time from
// t.CreatedAt to the milestone stamped on t (FirstResponseAt, ResolvedAt),
// or to t.UpdatedAt when it is not stamped.
func (m *Metrics) TicketTransition(t *tickets.Ticket, from, to tickets.State) {
	p := priorityLabel(t.Priority)
	if from == tickets.Registered && to != tickets.Registered {
		at := t.UpdatedAt
		if t.FirstResponseAt != nil {
			at = *t.FirstResponseAt
		}
		m.firstResponse.WithLabelValues(p).Observe(seconds(m.opts.BusinessTime(t.CreatedAt, at)))
	}
	if to == tickets.Resolved && from != tickets.Resolved {
		at := t.UpdatedAt
		if t.ResolvedAt != nil {
			at = *t.ResolvedAt
		}
		m.resolution.WithLabelValues(p).Observe(seconds(m.opts.BusinessTime(t.CreatedAt, at)))
	}
}

// SLABreach counts a ticket that missed its target (TargetResponse or
// TargetResolution; anything else counts as "other").
func (m *Metrics) SLABreach(p tickets.Priority, target string) {
	if target != TargetResponse && target != TargetResolution {
		target = Other
	}
	m.slaBreaches.WithLabelValues(priorityLabel(p), target).Inc()
}

// Escalation counts an escalation to level (2-4).
func (m *Metrics) Escalation(level int) {
	m.escalations.WithLabelValues(levelLabel(level)).Inc()
}

// surveyChannels are the values of the channel label of
// atiende_survey_score_total (tickets.SurveyKeypad, tickets.SurveyWeb).
var surveyChannels = []string{tickets.SurveyKeypad, tickets.SurveyWeb}

// SurveyScore counts a survey answer given on channel (tickets.SurveyKeypad
// or tickets.SurveyWeb; others count as "other"); scores outside
// 1..SurveyMaxScore count as "other".
func (m *Metrics) SurveyScore(n int, channel string) {
	s := Other
	if n >= 1 && n <= m.opts.SurveyMaxScore {
		s = strconv.Itoa(n)
	}
	if channel != tickets.SurveyKeypad && channel != tickets.SurveyWeb {
		channel = Other
	}
	m.survey.WithLabelValues(s, channel).Inc()
}
