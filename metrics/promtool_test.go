package metrics

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
)

// deployDir holds the shipped Prometheus config, rules and rule tests.
const deployDir = "../deploy/prometheus"

// promtool finds promtool (Debian package prometheus). Without it the test
// is skipped, except under CI=true, where it fails.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("promtool not found (apt-get install prometheus): %v", err)
	}
	t.Skipf("promtool not found (apt-get install prometheus): %v", err)
	return ""
}

func runPromtool(t *testing.T, stdin []byte, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool(t), args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %v: %v\n%s", args, err, out)
	}
	t.Logf("promtool %v:\n%s", args, out)
}

// fullMetrics is a registry with every collector fed at least once.
func fullMetrics(t *testing.T) *prometheus.Registry {
	t.Helper()
	clock := &fakeClock{t: t0}
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{
		Now: clock.Now, Queues: []string{"network", "general"}, Services: []string{"email_failure"},
		OpenTickets: func(context.Context) ([]OpenCount, error) {
			return []OpenCount{{State: tickets.InProgress, Priority: tickets.P2, Level: 1, Count: 2}}, nil
		},
	})
	deskDay(t, clock, m, reg)
	tk := &tickets.Ticket{Service: "email_failure", Priority: tickets.P2, Channel: tickets.Phone, CreatedAt: t0, UpdatedAt: at(600)}
	m.TicketCreated(tk)
	m.TicketTransition(tk, tickets.Registered, tickets.InProgress)
	m.TicketTransition(tk, tickets.InProgress, tickets.Resolved)
	m.SLABreach(tickets.P2, TargetResolution)
	m.Escalation(2)
	m.SurveyScore(4, tickets.SurveyKeypad)
	m.ExtensionsChanged([]ivr.ExtensionStatus{{Extension: "1001", State: ivr.ExtRegistered}})
	m.EngineUp("sip", func() bool { return true })
	m.EngineDrops("sip", func() uint64 { return 0 })
	m.EngineCalls("sip", func() EngineCallCounts { return EngineCallCounts{Refused: 1, Reaped: 2, AuthThrottled: 3} })
	m.EngineEdge("sip", func() EdgeCounts { return EdgeCounts{BadMessages: map[string]uint64{"unparsable": 3}} })
	m.ObserveIVR(20 * time.Second)
	m.ScreenPop(40 * time.Millisecond)
	m.WebsocketClients(1)
	return reg
}

// scrape serves reg through Handler on a real socket and reads /metrics.
func scrape(t *testing.T, reg prometheus.Gatherer) []byte {
	t.Helper()
	srv := httptest.NewServer(Handler(reg))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s\n%s", resp.Status, body)
	}
	return body
}

func TestScrapePassesPromtool(t *testing.T) {
	body := scrape(t, fullMetrics(t))
	for _, name := range []string{
		"atiende_call_answer_seconds_bucket", "atiende_queue_calls_total", "atiende_queue_calls_waiting",
		"atiende_queue_oldest_wait_seconds", "atiende_ivr_seconds_count", "atiende_call_talk_seconds_sum",
		"atiende_call_wrapup_seconds_count", "atiende_agents", "atiende_agent_state_seconds_total",
		"atiende_tickets_created_total", "atiende_tickets_open", "atiende_ticket_first_response_seconds_bucket",
		"atiende_ticket_resolution_seconds_bucket", "atiende_sla_breaches_total", "atiende_escalations_total",
		"atiende_survey_score_total", "atiende_extensions", "atiende_engine_up", "atiende_screenpop_seconds_bucket",
		"atiende_websocket_clients", "atiende_engine_events_dropped_total", "atiende_agent_extensions_down",
		"atiende_engine_bad_messages_total", "atiende_engine_panics_recovered_total",
	} {
		if !bytes.Contains(body, []byte("\n"+name+"{")) && !bytes.Contains(body, []byte("\n"+name+" ")) {
			t.Errorf("scrape lacks %s", name)
		}
	}
	// promtool check metrics exits non-zero on any lint problem.
	runPromtool(t, body, "check", "metrics")
}

func TestPrometheusConfigAndRules(t *testing.T) {
	rules, _ := filepath.Glob(filepath.Join(deployDir, "rules", "*.yml"))
	tests, _ := filepath.Glob(filepath.Join(deployDir, "tests", "*.yml"))
	if len(rules) == 0 || len(tests) == 0 {
		t.Fatalf("rules %v, tests %v: want both", rules, tests)
	}
	runPromtool(t, nil, "check", "config", filepath.Join(deployDir, "prometheus.yml"))
	runPromtool(t, nil, append([]string{"check", "rules"}, rules...)...)
	runPromtool(t, nil, append([]string{"test", "rules"}, tests...)...)
}
