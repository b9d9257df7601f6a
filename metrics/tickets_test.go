package metrics

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/atiende/atiende/tickets"
)

// halfTime is a stand-in business calendar: half of the wall time counts.
func halfTime(start, end time.Time) time.Duration { return end.Sub(start) / 2 }

func TestTickets(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{Services: []string{"email_failure", "internet_failure"}, BusinessTime: halfTime})

	first := t0.Add(30 * time.Minute)
	a := &tickets.Ticket{Number: "T-1", Service: "email_failure", Priority: tickets.P2, Channel: tickets.Phone,
		State: tickets.Registered, CreatedAt: t0}
	m.TicketCreated(a)
	a.State, a.FirstResponseAt, a.UpdatedAt = tickets.InProgress, &first, first
	m.TicketTransition(a, tickets.Registered, tickets.InProgress) // 15 min business
	a.State, a.UpdatedAt = tickets.PendingUser, t0.Add(time.Hour)
	m.TicketTransition(a, tickets.InProgress, tickets.PendingUser) // nothing observed
	m.TicketTransition(a, tickets.PendingUser, tickets.InProgress)
	resolved := t0.Add(4 * time.Hour)
	a.State, a.ResolvedAt, a.UpdatedAt = tickets.Resolved, &resolved, resolved
	m.TicketTransition(a, tickets.InProgress, tickets.Resolved) // 2 h business
	m.TicketTransition(a, tickets.Resolved, tickets.Closed)     // nothing observed

	b := &tickets.Ticket{Number: "T-2", Service: "my printer", Priority: tickets.P1, Channel: tickets.Web,
		State: tickets.Registered, CreatedAt: t0}
	m.TicketCreated(b)
	m.TicketCreated(&tickets.Ticket{Service: "internet_failure", Priority: 9, Channel: "fax"})
	// No FirstResponseAt stamped: UpdatedAt is the first response.
	b.State, b.UpdatedAt = tickets.InProgress, t0.Add(3*time.Hour)
	m.TicketTransition(b, tickets.Registered, tickets.InProgress) // 1.5 h business

	m.SLABreach(tickets.P1, TargetResponse)
	m.SLABreach(tickets.P1, TargetResponse)
	m.SLABreach(tickets.P2, "whenever")
	m.Escalation(2)
	m.Escalation(3)
	m.Escalation(9)
	m.SurveyScore(5, tickets.SurveyKeypad)
	m.SurveyScore(5, tickets.SurveyWeb)
	m.SurveyScore(4, tickets.SurveyKeypad)
	m.SurveyScore(0, "email")

	want := `
# HELP atiende_tickets_created_total Tickets created, by catalog service, priority and channel.
# TYPE atiende_tickets_created_total counter
atiende_tickets_created_total{channel="other",priority="other",service="internet_failure"} 1
atiende_tickets_created_total{channel="phone",priority="P2",service="email_failure"} 1
atiende_tickets_created_total{channel="web",priority="P1",service="other"} 1
# HELP atiende_sla_breaches_total Tickets that missed an SLA target (response or resolution), by priority.
# TYPE atiende_sla_breaches_total counter
atiende_sla_breaches_total{priority="P1",target="resolution"} 0
atiende_sla_breaches_total{priority="P1",target="response"} 2
atiende_sla_breaches_total{priority="P2",target="other"} 1
atiende_sla_breaches_total{priority="P2",target="resolution"} 0
atiende_sla_breaches_total{priority="P2",target="response"} 0
atiende_sla_breaches_total{priority="P3",target="resolution"} 0
atiende_sla_breaches_total{priority="P3",target="response"} 0
atiende_sla_breaches_total{priority="P4",target="resolution"} 0
atiende_sla_breaches_total{priority="P4",target="response"} 0
# HELP atiende_escalations_total Escalations, by the level escalated to.
# TYPE atiende_escalations_total counter
atiende_escalations_total{level="2"} 1
atiende_escalations_total{level="3"} 1
atiende_escalations_total{level="4"} 0
atiende_escalations_total{level="other"} 1
# HELP atiende_survey_score_total Satisfaction survey answers, by score and channel (keypad after the call, or the web survey page).
# TYPE atiende_survey_score_total counter
atiende_survey_score_total{channel="keypad",score="1"} 0
atiende_survey_score_total{channel="keypad",score="2"} 0
atiende_survey_score_total{channel="keypad",score="3"} 0
atiende_survey_score_total{channel="keypad",score="4"} 1
atiende_survey_score_total{channel="keypad",score="5"} 1
atiende_survey_score_total{channel="other",score="other"} 1
atiende_survey_score_total{channel="web",score="1"} 0
atiende_survey_score_total{channel="web",score="2"} 0
atiende_survey_score_total{channel="web",score="3"} 0
atiende_survey_score_total{channel="web",score="4"} 0
atiende_survey_score_total{channel="web",score="5"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "atiende_tickets_created_total",
		"atiende_sla_breaches_total", "atiende_escalations_total", "atiende_survey_score_total"); err != nil {
		t.Error(err)
	}
	checkHisto(t, reg, histo{count: 1, sum: 900, buckets: map[float64]uint64{300: 0, 900: 1}},
		"atiende_ticket_first_response_seconds", "priority", "P2")
	checkHisto(t, reg, histo{count: 1, sum: 5400, buckets: map[float64]uint64{3600: 0, 7200: 1}},
		"atiende_ticket_first_response_seconds", "priority", "P1")
	checkHisto(t, reg, histo{count: 1, sum: 7200, buckets: map[float64]uint64{3600: 0, 7200: 1}},
		"atiende_ticket_resolution_seconds", "priority", "P2")
	checkHisto(t, reg, histo{}, "atiende_ticket_resolution_seconds", "priority", "P1")
}

func TestOpenTicketsCachedAndBounded(t *testing.T) {
	clock := &fakeClock{t: t0}
	var calls atomic.Int32
	var fail atomic.Bool
	count := func(ctx context.Context) ([]OpenCount, error) {
		calls.Add(1)
		if fail.Load() {
			return nil, errors.New("database down")
		}
		return []OpenCount{
			{State: tickets.InProgress, Priority: tickets.P1, Level: 2, Count: 3},
			{State: tickets.InProgress, Priority: tickets.P1, Level: 2, Count: 1},
			{State: tickets.Registered, Priority: tickets.P4, Level: 1, Count: 7},
			{State: tickets.Closed, Priority: tickets.P4, Level: 1, Count: 1000}, // not open
			{State: "weird", Priority: 0, Level: 0, Count: 1},
		}, nil
	}
	reg := prometheus.NewPedanticRegistry()
	New(reg, Options{Now: clock.Now, OpenTickets: count, OpenTicketsTTL: 5 * time.Second})

	if v := value(t, reg, "atiende_tickets_open", "state", "in_progress", "priority", "P1", "level", "2"); v != 4 {
		t.Errorf("in_progress P1 level 2: %v, want 4", v)
	}
	if v := value(t, reg, "atiende_tickets_open", "state", "registered", "priority", "P4", "level", "1"); v != 7 {
		t.Errorf("registered P4 level 1: %v, want 7", v)
	}
	if v := value(t, reg, "atiende_tickets_open", "state", "on_hold", "priority", "P3", "level", "4"); v != 0 {
		t.Errorf("on_hold P3 level 4: %v, want 0", v)
	}
	if v := value(t, reg, "atiende_tickets_open", "state", "other", "priority", "other", "level", "other"); v != 1 {
		t.Errorf("other: %v, want 1", v)
	}
	if n := testutil.CollectAndCount(newOpenTicketsFor(t, count), "atiende_tickets_open"); n != 4*4*4+1 {
		t.Errorf("%d open series, want 65 (closed not among them)", n)
	}
	// One count for the registry's four scrapes within the TTL, one for
	// the bare collector.
	if n := calls.Load(); n != 2 {
		t.Errorf("%d counts, want 2", n)
	}

	calls.Store(0)
	clock.Set(t0.Add(4 * time.Second))
	value(t, reg, "atiende_tickets_open", "state", "registered", "priority", "P4", "level", "1")
	if n := calls.Load(); n != 0 {
		t.Errorf("within the TTL: %d counts, want 0", n)
	}
	fail.Store(true)
	clock.Set(t0.Add(6 * time.Second))
	if v := value(t, reg, "atiende_tickets_open", "state", "registered", "priority", "P4", "level", "1"); v != 7 {
		t.Errorf("after a failed count: %v, want the previous 7", v)
	}
	if v := value(t, reg, "atiende_tickets_open_errors_total"); v != 1 {
		t.Errorf("errors %v, want 1", v)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("after the TTL: %d counts, want 1", n)
	}
}

// newOpenTicketsFor is a bare collector over count, for counting series.
func newOpenTicketsFor(t *testing.T, count func(context.Context) ([]OpenCount, error)) prometheus.Collector {
	t.Helper()
	return newOpenTickets(Options{OpenTickets: count}.withDefaults())
}

// A count that ignores its context cannot hold the scrape, and no second
// count starts while it hangs.
func TestOpenTicketsTimeout(t *testing.T) {
	clock := &fakeClock{t: t0}
	release := make(chan struct{})
	var calls atomic.Int32
	count := func(ctx context.Context) ([]OpenCount, error) {
		calls.Add(1)
		<-release
		return nil, nil
	}
	reg := prometheus.NewPedanticRegistry()
	New(reg, Options{Now: clock.Now, OpenTickets: count, OpenTicketsTimeout: 20 * time.Millisecond, OpenTicketsTTL: time.Second})
	start := time.Now()
	if v := value(t, reg, "atiende_tickets_open_errors_total"); v != 1 {
		t.Errorf("errors %v, want 1", v)
	}
	clock.Set(t0.Add(2 * time.Second))
	if v := value(t, reg, "atiende_tickets_open_errors_total"); v != 2 {
		t.Errorf("errors %v, want 2", v)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("scrapes took %v", d)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d counts started, want 1 while the first hangs", n)
	}
	close(release)
}
