package metrics

import (
	"sync"
	"time"

	"github.com/atiende/atiende/agentdesk"
)

// deskState is what the metrics remember between desk events: the calls
// waiting (for the oldest wait, computed at scrape) and each agent's state
// (for the time spent in each state, accumulated up to the scrape).
type deskState struct {
	mu      sync.Mutex
	now     func() time.Time
	waiting map[string]waitingCall // by call ID
	agents  map[string]*agentTrack // by username
	// stateTime is the time agents spent in each state, up to each
	// agent's counted instant.
	stateTime map[agentdesk.AgentState]time.Duration
}

type waitingCall struct {
	queue   string // label value
	entered time.Time
}

type agentTrack struct {
	state   agentdesk.AgentState
	entered time.Time // when the agent entered state
	counted time.Time // stateTime holds the agent's time up to here
	queue   string    // label value of the agent's last call, for wrap-up
	ext     string    // the agent's phone extension
}

func newDeskState(now func() time.Time) *deskState {
	return &deskState{
		now:       now,
		waiting:   map[string]waitingCall{},
		agents:    map[string]*agentTrack{},
		stateTime: map[agentdesk.AgentState]time.Duration{},
	}
}

func (d *deskState) enqueue(callID, queue string, entered time.Time) {
	d.mu.Lock()
	d.waiting[callID] = waitingCall{queue: queue, entered: entered}
	d.mu.Unlock()
}

func (d *deskState) dequeue(callID string) {
	d.mu.Lock()
	delete(d.waiting, callID)
	d.mu.Unlock()
}

// lastQueue remembers the queue of the call an agent just finished, so that
// the wrap-up that follows is observed under it.
func (d *deskState) lastQueue(agent, queue string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if a := d.agents[agent]; a != nil {
		a.queue = queue
	}
}

// agentState applies an agent_state event. When it ends a wrap-up it
// returns the wrap-up's length and queue.
func (d *deskState) agentState(ev agentdesk.Event) (wrapUp time.Duration, queue string, ok bool) {
	if ev.Agent == "" || !ev.State.Valid() {
		return 0, "", false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.agents[ev.Agent]
	if a == nil {
		// Unknown until now: its earlier time cannot be counted.
		d.agents[ev.Agent] = &agentTrack{state: ev.State, entered: ev.At, counted: ev.At, queue: Other, ext: ev.Extension}
		return 0, "", false
	}
	if ev.Extension != "" {
		a.ext = ev.Extension
	}
	d.countLocked(a, ev.At)
	if a.state == agentdesk.StateWrapUp && ev.State != agentdesk.StateWrapUp {
		wrapUp, queue, ok = ev.At.Sub(a.entered), a.queue, true
	}
	if a.state != ev.State {
		a.state, a.entered = ev.State, ev.At
	}
	return wrapUp, queue, ok
}

// countLocked adds a's time in its state up to t. Time logged out is not
// counted. counted never moves back, so the totals never decrease.
func (d *deskState) countLocked(a *agentTrack, t time.Time) {
	if !t.After(a.counted) {
		return
	}
	if a.state != agentdesk.StateLoggedOut {
		d.stateTime[a.state] += t.Sub(a.counted)
	}
	a.counted = t
}

// Reset replaces what the metrics know of waiting calls and agents with a
// snapshot, after events were missed (a gap in Seq) or at start-up. Counters
// and histograms are kept.
func (m *Metrics) Reset(s agentdesk.Snapshot) {
	d := m.desk
	d.mu.Lock()
	defer d.mu.Unlock()
	d.waiting = map[string]waitingCall{}
	for _, q := range s.Queues {
		for _, c := range q.Calls {
			d.waiting[c.CallID] = waitingCall{queue: m.queues.value(c.Queue), entered: c.EnteredQueueAt}
		}
	}
	old := d.agents
	d.agents = map[string]*agentTrack{}
	for _, ag := range s.Agents {
		if !ag.State.Valid() {
			continue
		}
		since := orAt(ag.StateSince, s.At)
		a := &agentTrack{state: ag.State, entered: since, counted: since, queue: Other, ext: ag.Extension}
		if o := old[ag.Username]; o != nil {
			d.countLocked(o, since)
			a.queue = o.queue
			if o.counted.After(a.counted) {
				a.counted = o.counted
			}
		}
		d.agents[ag.Username] = a
	}
}

// deskView is the desk at a scrape.
type deskView struct {
	waiting   map[string]int
	oldest    map[string]time.Duration
	agents    map[agentdesk.AgentState]int
	stateTime map[agentdesk.AgentState]time.Duration
	// loggedIn are the extensions of the agents logged in.
	loggedIn []string
}

func (d *deskState) view() deskView {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	v := deskView{
		waiting:   map[string]int{},
		oldest:    map[string]time.Duration{},
		agents:    map[agentdesk.AgentState]int{},
		stateTime: map[agentdesk.AgentState]time.Duration{},
	}
	for _, c := range d.waiting {
		v.waiting[c.queue]++
		if w := now.Sub(c.entered); w > v.oldest[c.queue] {
			v.oldest[c.queue] = w
		}
	}
	for _, a := range d.agents {
		d.countLocked(a, now)
		v.agents[a.state]++
		if a.state != agentdesk.StateLoggedOut && a.ext != "" {
			v.loggedIn = append(v.loggedIn, a.ext)
		}
	}
	for s, t := range d.stateTime {
		v.stateTime[s] = t
	}
	return v
}
