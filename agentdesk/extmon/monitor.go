package extmon

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// Monitor watches extensions. Its goroutine (Run) is the only writer of its
// state; the mutex lets readers (the API) see it meanwhile.
type Monitor struct {
	cfg Config
	d   Deps

	mu      sync.RWMutex
	exts    map[string]*ext
	owners  map[string]owner
	started time.Time
	calls   callBook // internal calls per extension (calls.go)

	due  chan due
	done chan struct{} // closed when Run returns: stops pending timers' sends
}

// ext is what the monitor knows of one extension.
type ext struct {
	status ivr.ExtensionStatus
	// lastContact and lastAgent outlive an unregistration, for the ticket.
	lastContact, lastAgent string
	everUp                 bool      // seen registered once: only then can it be down
	downSince              time.Time // start of the outage; zero when up
	deadline               time.Time // when the outage needs a ticket
	alerted                bool      // this outage has its ticket (opened or noted)
	ticket                 string    // linked ticket, possibly of an earlier outage
	gen                    int       // identifies the live timer
	timer                  *time.Timer
}

type due struct {
	ext string
	gen int
}

// historyScan bounds how far back a restart looks for an outage's start.
const historyScan = 100

// Run watches the engine until ctx is done; call it once. It first rebuilds outages and
// their deadlines from the Store (retrying until it can read it), then
// reconciles with the engine's list. It returns an error only if the
// engine's watch ends before ctx.
func (m *Monitor) Run(ctx context.Context) error {
	defer close(m.done)
	defer m.stopTimers()
	m.started = m.now()
	watch := m.d.Engine.WatchExtensions(ctx) // before the list: no change falls in between
	for {
		err := m.load(ctx)
		if err == nil {
			break
		}
		m.d.Log.Error("extensions: load state; retrying", "error", err, "retry_in", m.cfg.Retry)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(m.cfg.Retry):
		}
	}
	m.resync(ctx, true)
	tick := time.NewTicker(m.cfg.Resync)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case st, ok := <-watch:
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				return errors.New("extmon: the engine's extension watch ended")
			}
			m.apply(ctx, st, false)
		case d := <-m.due:
			m.fire(ctx, d)
		case <-tick.C:
			m.resync(ctx, false)
		}
	}
}

func (m *Monitor) now() time.Time { return m.d.Clock().UTC().Truncate(time.Microsecond) }

// resync applies the engine's list: changes a full watch buffer dropped, and
// at start the statuses of the engine as it is now.
func (m *Monitor) resync(ctx context.Context, startup bool) {
	list, err := m.d.Engine.Extensions(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.d.Log.Warn("extensions: list from engine", "error", err)
		}
		return
	}
	for _, st := range list {
		m.apply(ctx, st, startup)
	}
}

// apply takes one status from the engine: a change is recorded, starts or
// ends an outage, and is published.
func (m *Monitor) apply(ctx context.Context, st ivr.ExtensionStatus, startup bool) {
	if st.Extension == "" {
		return
	}
	m.mu.Lock()
	e := m.exts[st.Extension]
	if e != nil && same(e.status, st) {
		e.status.RTT = st.RTT // round-trip times change without an event
		m.mu.Unlock()
		return
	}
	if e != nil && !st.Since.IsZero() && st.Since.Before(e.status.Since) {
		m.mu.Unlock() // older than what a resync already applied
		return
	}
	if st.Since.IsZero() {
		st.Since = m.now()
	}
	st.Since = st.Since.UTC().Truncate(time.Microsecond)
	if e == nil {
		e = &ext{}
		m.exts[st.Extension] = e
	}
	wasDown := !e.downSince.IsZero()
	e.status = st
	if st.Contact != "" {
		e.lastContact, e.lastAgent = st.Contact, st.UserAgent
	}
	var recovered *ext
	switch {
	case st.State == ivr.ExtRegistered:
		e.everUp = true
		if wasDown {
			cp := *e
			recovered = &cp
			m.endOutage(e)
		}
	case Down(st.State) && e.everUp && !wasDown:
		e.downSince, e.alerted = st.Since, false
		e.deadline = st.Since.Add(m.cfg.DownAfter)
		if startup && m.cfg.StartGrace > 0 {
			e.deadline = later(e.deadline, m.started.Add(m.cfg.StartGrace))
		}
		m.schedule(e)
	}
	view := m.viewLocked(e)
	m.mu.Unlock()

	if err := m.d.Store.RecordExtension(ctx, st); err != nil {
		m.d.Log.Error("extensions: record status", "extension", st.Extension, "state", string(st.State), "error", err)
	}
	if recovered != nil {
		m.noteRecovery(ctx, recovered, st)
	}
	if m.d.OnChange != nil && view.Owner == "" {
		view.Owner = m.owner(ctx, st.Extension).Name
	}
	m.publish(view)
}

// same reports whether b says nothing new about a's extension. An engine
// that gives no Since is compared on the rest.
func same(a, b ivr.ExtensionStatus) bool {
	return a.State == b.State && a.Contact == b.Contact && a.UserAgent == b.UserAgent && a.Reason == b.Reason &&
		(b.Since.IsZero() || a.Since.Equal(b.Since.UTC().Truncate(time.Microsecond)))
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// schedule (re)arms e's timer for e.deadline. Holds m.mu.
func (m *Monitor) schedule(e *ext) {
	m.stopLocked(e)
	e.gen++
	d := due{ext: e.status.Extension, gen: e.gen}
	e.timer = time.AfterFunc(max(e.deadline.Sub(m.now()), 0), func() {
		select {
		case m.due <- d:
		case <-m.done:
		}
	})
}

// retry re-arms e's timer after Config.Retry.
func (m *Monitor) retry(name string, gen int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.exts[name]; e != nil && e.gen == gen && !e.downSince.IsZero() {
		e.deadline = m.now().Add(m.cfg.Retry)
		m.schedule(e)
	}
}

func (m *Monitor) stopLocked(e *ext) {
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	e.gen++
}

// endOutage forgets the outage of e, which is up again. Holds m.mu.
func (m *Monitor) endOutage(e *ext) {
	m.stopLocked(e)
	e.downSince, e.deadline, e.alerted = time.Time{}, time.Time{}, false
}

func (m *Monitor) stopTimers() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.exts {
		m.stopLocked(e)
	}
}

func (m *Monitor) publish(x agentdesk.ExtensionView) {
	if m.d.OnChange != nil {
		m.d.OnChange(x)
	}
}
