package metrics_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/metrics"
)

// How cmd/atiende wires the metrics: one registry, the queue and service
// names from the configuration, the SLA calendar and the ticket store's
// open count, and the handler on /metrics. A call queued and answered on
// "network" then shows on the scrape.
func Example() {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, metrics.Options{
		Queues:   []string{"network", "email", "telephony", "servers", "general"},
		Services: []string{"internet_failure", "email_failure"},
		// The escalation calendar's business time between two instants.
		BusinessTime: func(start, end time.Time) time.Duration { return end.Sub(start) },
		// The ticket store's count of open tickets by state, priority, level.
		OpenTickets: func(ctx context.Context) ([]metrics.OpenCount, error) { return nil, nil },
	})

	// The ACD publishes to the metrics directly (cheap, never blocks) and
	// to the bus that feeds the consoles.
	var pub agentdesk.Publisher = agentdesk.PublisherFunc(func(e agentdesk.Event) {
		m.Publish(e)
		// bus.Publish(e)
	})
	// After starting the ACD: m.Reset(acd.Snapshot()).
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	pub.Publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "c1", Queue: "network", At: t0})
	pub.Publish(agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: "c1", Queue: "network", Agent: "ana",
		EnteredQueueAt: t0, At: t0.Add(12 * time.Second)})

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler(reg))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if l := sc.Text(); strings.Contains(l, `queue="network"`) &&
			(strings.HasPrefix(l, "atiende_queue_calls_total") && strings.Contains(l, `outcome="answered"`) ||
				strings.HasPrefix(l, "atiende_call_answer_seconds_sum")) {
			fmt.Println(l)
		}
	}
	// Output:
	// atiende_call_answer_seconds_sum{queue="network"} 12
	// atiende_queue_calls_total{outcome="answered",queue="network"} 1
}
