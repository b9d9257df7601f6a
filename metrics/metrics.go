// Package metrics exports what supervisors and operators measure a help desk
// by (answer times, abandons, agent occupancy, ticket resolution, SLA
// breaches, extension and engine health) as Prometheus collectors on a
// registry it is given. Nothing here is global: every Metrics owns its
// collectors and registers them on the Registerer passed to New.
//
// Label values are bounded: queues and services outside the configured sets
// become "other"; phone numbers, ticket numbers and free text never become
// labels.
package metrics

import (
	"context"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/atiende/atiende/tickets"
)

// Defaults of Options.
const (
	DefaultShortAbandon       = 5 * time.Second
	DefaultOpenTicketsTimeout = 2 * time.Second
	DefaultOpenTicketsTTL     = 5 * time.Second
	DefaultSurveyMaxScore     = 5
)

// Other is the label value of anything outside a bounded set.
const Other = "other"

// OpenCount is how many open tickets share a state, priority and level.
type OpenCount struct {
	State    tickets.State
	Priority tickets.Priority
	Level    int
	Count    int
}

// Options configure New. Zero values take the defaults.
type Options struct {
	// Now is the clock; default time.Now. Scrape-time values (oldest wait,
	// agent state seconds) are measured with it.
	Now func() time.Time
	// Queues are the queue names used as label values; others are "other".
	Queues []string
	// Services are the catalog service codes used as label values; others
	// are "other".
	Services []string
	// ShortAbandon: a caller who hangs up sooner after entering the queue
	// counts as short_abandoned instead of abandoned. Default 5 s.
	ShortAbandon time.Duration
	// BusinessTime is the working time between two instants by the SLA
	// calendar (package escalation); default the wall-clock difference.
	BusinessTime func(start, end time.Time) time.Duration
	// OpenTickets counts the open tickets; it is called at scrape with
	// OpenTicketsTimeout and its answer is reused for OpenTicketsTTL. Nil
	// leaves atiende_tickets_open out.
	OpenTickets        func(ctx context.Context) ([]OpenCount, error)
	OpenTicketsTimeout time.Duration
	OpenTicketsTTL     time.Duration
	// SurveyMaxScore is the top of the satisfaction scale (1..max); default 5.
	SurveyMaxScore int
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ShortAbandon <= 0 {
		o.ShortAbandon = DefaultShortAbandon
	}
	if o.BusinessTime == nil {
		o.BusinessTime = func(start, end time.Time) time.Duration { return end.Sub(start) }
	}
	if o.OpenTicketsTimeout <= 0 {
		o.OpenTicketsTimeout = DefaultOpenTicketsTimeout
	}
	if o.OpenTicketsTTL <= 0 {
		o.OpenTicketsTTL = DefaultOpenTicketsTTL
	}
	if o.SurveyMaxScore <= 0 {
		o.SurveyMaxScore = DefaultSurveyMaxScore
	}
	return o
}

// Metrics holds Atiende's collectors. Its methods are safe for concurrent
// use and never block on I/O: Publish may be called under the ACD's lock.
type Metrics struct {
	opts     Options
	queues   labelSet
	services labelSet

	desk    *deskState
	queueMx map[string]*queueMetrics // by bounded queue label; read-only after New

	ivr       prometheus.Histogram
	screenPop prometheus.Histogram
	wsClients prometheus.Gauge

	ticketsCreated *prometheus.CounterVec
	firstResponse  *prometheus.HistogramVec
	resolution     *prometheus.HistogramVec
	slaBreaches    *prometheus.CounterVec
	escalations    *prometheus.CounterVec
	survey         *prometheus.CounterVec

	engines     *engineSet
	engineCalls *engineCallSet // engine_calls.go
	extensions  *extensionSet
}

// New creates the collectors and registers them on reg. It panics if reg
// already holds collectors of the same names, like prometheus.MustRegister.
func New(reg prometheus.Registerer, opts Options) *Metrics {
	opts = opts.withDefaults()
	m := &Metrics{
		opts:        opts,
		queues:      newLabelSet(opts.Queues),
		services:    newLabelSet(opts.Services),
		engines:     newEngineSet(),
		engineCalls: &engineCallSet{funcs: map[string]func() EngineCallCounts{}},
		extensions:  newExtensionSet(),
	}
	m.desk = newDeskState(opts.Now)
	m.newCallCollectors(reg)
	m.newTicketCollectors(reg)
	reg.MustRegister(&deskCollector{m: m}, m.engines, m.engineCalls, m.extensions)
	if opts.OpenTickets != nil {
		reg.MustRegister(newOpenTickets(opts))
	}
	return m
}

// Handler serves g's metrics for /metrics, in the exposition format the
// scraper asks for. If a collector fails, the metrics that could be gathered
// are still served.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

// labelSet maps free-form names onto a fixed set of label values.
type labelSet map[string]struct{}

func newLabelSet(names []string) labelSet {
	s := labelSet{}
	for _, n := range names {
		if n != "" && utf8.ValidString(n) { // label values must be UTF-8
			s[n] = struct{}{}
		}
	}
	return s
}

// value is name if it is in the set, else Other.
func (s labelSet) value(name string) string {
	if _, ok := s[name]; ok {
		return name
	}
	return Other
}

// values lists the set's values plus Other.
func (s labelSet) values() []string {
	out := make([]string, 0, len(s)+1)
	for n := range s {
		out = append(out, n)
	}
	return append(out, Other)
}

// seconds converts d to seconds, negative durations to 0.
func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return d.Seconds()
}

// orAt returns t, or at when t is zero.
func orAt(t, at time.Time) time.Time {
	if t.IsZero() {
		return at
	}
	return t
}
