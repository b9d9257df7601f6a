package metrics_test

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/metrics"
)

// How cmd/atiende wires the metrics: one registry, the queue and service
// names from the configuration, the SLA calendar and the ticket store's
// open count, and the handler on /metrics.
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
	_ = pub
	// After starting the ACD: m.Reset(acd.Snapshot()).

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler(reg))
}
