package metrics

import (
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/ivr"
)

// ObserveIVR records the time a caller spent in the IVR.
func (m *Metrics) ObserveIVR(d time.Duration) { m.ivr.Observe(seconds(d)) }

// ScreenPop records the time from an offer to the console showing it.
func (m *Metrics) ScreenPop(d time.Duration) { m.screenPop.Observe(seconds(d)) }

// WebsocketClients sets the number of connected consoles and wallboards.
func (m *Metrics) WebsocketClients(n int) { m.wsClients.Set(float64(n)) }

// EngineUp exports up, called at each scrape, as atiende_engine_up for the
// engine name ("sip", "asterisk"). up must be cheap and must not block.
// Registering a name again replaces its func.
func (m *Metrics) EngineUp(name string, up func() bool) {
	m.engines.set(name, func(e *engineFuncs) { e.up = up })
}

// EngineDrops exports dropped, called at each scrape, as
// atiende_engine_events_dropped_total for the engine name: the events the
// engine dropped rather than block (extension watchers, event buffers).
func (m *Metrics) EngineDrops(name string, dropped func() uint64) {
	m.engines.set(name, func(e *engineFuncs) { e.dropped = dropped })
}

// EngineDown counts that the engine name went down (it was up and is not):
// atiende_engine_down_total, beside the atiende_engine_up gauge, so that
// an outage between two scrapes is not missed.
func (m *Metrics) EngineDown(name string) {
	m.engines.set(name, func(e *engineFuncs) { e.downs++ })
}

var (
	engineDownDesc = prometheus.NewDesc("atiende_engine_down_total",
		"Times a telephony engine went down (could take calls, then could not).", []string{"engine"}, nil)
	engineUpDesc = prometheus.NewDesc("atiende_engine_up",
		"Whether a telephony engine can take calls (1) or not (0).", []string{"engine"}, nil)
	engineDropsDesc = prometheus.NewDesc("atiende_engine_events_dropped_total",
		"Events a telephony engine dropped rather than block.", []string{"engine"}, nil)
	extensionsDesc = prometheus.NewDesc("atiende_extensions",
		"Phone extensions by registration state.", []string{"state"}, nil)
)

type engineFuncs struct {
	up      func() bool
	dropped func() uint64
	edge    func() EdgeCounts
	downs   uint64
}

// engineSet is a collector of the funcs engines provide. Engine names are
// set by code, not by the network, so they are bounded.
type engineSet struct {
	mu      sync.Mutex
	engines map[string]*engineFuncs
}

func newEngineSet() *engineSet { return &engineSet{engines: map[string]*engineFuncs{}} }

func (s *engineSet) set(name string, f func(*engineFuncs)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.engines[name]
	if e == nil {
		e = &engineFuncs{}
		s.engines[name] = e
	}
	f(e)
}

func (s *engineSet) Describe(ch chan<- *prometheus.Desc) {
	ch <- engineUpDesc
	ch <- engineDropsDesc
	describeEdge(ch)
	ch <- engineDownDesc
}

func (s *engineSet) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	names := make([]string, 0, len(s.engines))
	funcs := make([]engineFuncs, 0, len(s.engines))
	for n := range s.engines {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		funcs = append(funcs, *s.engines[n])
	}
	s.mu.Unlock()
	for i, n := range names {
		if f := funcs[i].up; f != nil {
			v := 0.0
			if f() {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(engineUpDesc, prometheus.GaugeValue, v, n)
			ch <- prometheus.MustNewConstMetric(engineDownDesc, prometheus.CounterValue, float64(funcs[i].downs), n)
		}
		if f := funcs[i].dropped; f != nil {
			ch <- prometheus.MustNewConstMetric(engineDropsDesc, prometheus.CounterValue, float64(f()), n)
		}
		if f := funcs[i].edge; f != nil {
			collectEdge(ch, n, f)
		}
	}
}

var extStates = []ivr.ExtState{ivr.ExtRegistered, ivr.ExtUnregistered, ivr.ExtUnreachable}

// extensionSet remembers each extension's state; only the counts by state
// are exported, never an extension number.
type extensionSet struct {
	mu    sync.Mutex
	state map[string]ivr.ExtState
}

func newExtensionSet() *extensionSet { return &extensionSet{state: map[string]ivr.ExtState{}} }

// ExtensionsChanged replaces every extension's state with list, as
// ivr.Engine.Extensions returns it.
func (m *Metrics) ExtensionsChanged(list []ivr.ExtensionStatus) {
	s := m.extensions
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = make(map[string]ivr.ExtState, len(list))
	for _, e := range list {
		s.state[e.Extension] = e.State
	}
}

// ExtensionStatus applies one change, as ivr.Engine.WatchExtensions
// delivers it.
func (m *Metrics) ExtensionStatus(e ivr.ExtensionStatus) {
	s := m.extensions
	s.mu.Lock()
	s.state[e.Extension] = e.State
	s.mu.Unlock()
}

// down counts the extensions among exts known to be unregistered or
// unreachable; an extension the engine never reported is not counted.
func (s *extensionSet) down(exts []string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range exts {
		if st, ok := s.state[e]; ok && st != ivr.ExtRegistered {
			n++
		}
	}
	return n
}

func (s *extensionSet) Describe(ch chan<- *prometheus.Desc) { ch <- extensionsDesc }

func (s *extensionSet) Collect(ch chan<- prometheus.Metric) {
	n := map[string]int{}
	s.mu.Lock()
	for _, st := range s.state {
		n[extLabel(st)]++
	}
	s.mu.Unlock()
	for _, st := range extStates {
		ch <- prometheus.MustNewConstMetric(extensionsDesc, prometheus.GaugeValue, float64(n[string(st)]), string(st))
	}
	if n[Other] > 0 {
		ch <- prometheus.MustNewConstMetric(extensionsDesc, prometheus.GaugeValue, float64(n[Other]), Other)
	}
}

func extLabel(s ivr.ExtState) string {
	for _, v := range extStates {
		if s == v {
			return string(s)
		}
	}
	return Other
}
