// Package acd queues calls and routes them to agents (automatic call
// distribution). One mutex-guarded state machine owns every assignment, so a
// call is never offered to two agents at once (except ring_all's deliberate
// parallel ring, where exactly one wins) and an agent is never offered two
// calls. Assignment is event-driven: whenever an agent becomes available or a
// call arrives, the next match is offered in the same critical section.
package acd

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// Config tunes the ACD as a whole; queues have their own QueueConfig.
type Config struct {
	// DefaultHandleTime seeds each queue's moving average handle time, used
	// for the expected-wait announcement. Default 3 min.
	DefaultHandleTime time.Duration `yaml:"default_handle_time"`
	// HandleTimeWeight is the weight of the newest call in the moving
	// average (0 < w <= 1). Default 0.1.
	HandleTimeWeight float64 `yaml:"handle_time_weight"`
	// RetryAfter keeps an agent whose phone was busy, declined or failed
	// out of offers for a while, so the call goes to the next agent.
	// Default 5 s.
	RetryAfter time.Duration `yaml:"retry_after"`
	// RingGrace is added to a queue's ring timeout as the Dial context's
	// deadline, in case an engine does not honour DialOptions.Timeout.
	// Default 2 s.
	RingGrace time.Duration `yaml:"ring_grace"`
	// CallbackTimeout is how long a callback rings the caller. Default 30 s.
	CallbackTimeout time.Duration `yaml:"callback_timeout"`
	// CallbackCallerID is the number a called-back caller sees.
	CallbackCallerID   string `yaml:"callback_caller_id"`
	CallbackCallerName string `yaml:"callback_caller_name"`
}

func (c Config) withDefaults() Config {
	if c.DefaultHandleTime <= 0 {
		c.DefaultHandleTime = 3 * time.Minute
	}
	if c.HandleTimeWeight <= 0 || c.HandleTimeWeight > 1 {
		c.HandleTimeWeight = 0.1
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = 5 * time.Second
	}
	if c.RingGrace <= 0 {
		c.RingGrace = 2 * time.Second
	}
	if c.CallbackTimeout <= 0 {
		c.CallbackTimeout = 30 * time.Second
	}
	return c
}

// ACD is the call distributor. Its methods are safe for concurrent use.
type ACD struct {
	cfg    Config
	engine ivr.Engine
	pub    agentdesk.Publisher
	now    func() time.Time
	log    *slog.Logger

	// ctx lives until Close: callbacks and timers run under it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	seq      uint64 // last event Seq
	entrySeq uint64
	queues   map[string]*queue
	agents   map[string]*agent
	internal map[string][]internalCall // extension -> internal calls it is on (internal.go)
}

// New returns an ACD with no queues and no agents. pub receives every event
// and must not block; clock and log may be nil.
func New(cfg Config, engine ivr.Engine, pub agentdesk.Publisher, clock func() time.Time, log *slog.Logger) *ACD {
	if pub == nil {
		pub = agentdesk.Discard
	}
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &ACD{
		cfg: cfg.withDefaults(), engine: engine, pub: pub, now: clock, log: log,
		ctx: ctx, cancel: cancel,
		queues: map[string]*queue{}, agents: map[string]*agent{},
	}
}

// Close cancels pending callbacks and timers and waits for callback calls to
// end; no call is offered after it. Calls blocked in Enqueue end with their
// own ctx, so close after the engine's Serve has returned.
func (a *ACD) Close() error {
	a.cancel()
	a.mu.Lock()
	for _, ag := range a.agents {
		ag.stopTimer()
	}
	a.mu.Unlock()
	a.wg.Wait()
	return nil
}

// AddQueue adds a queue, or replaces the configuration of an existing one
// (waiting calls stay).
func (a *ACD) AddQueue(qc agentdesk.QueueConfig) error {
	if err := qc.Validate(); err != nil {
		return err
	}
	qc = qc.WithDefaults()
	a.mu.Lock()
	defer a.mu.Unlock()
	if q, ok := a.queues[qc.Name]; ok {
		q.cfg = qc
		return nil
	}
	a.queues[qc.Name] = &queue{cfg: qc, aht: a.cfg.DefaultHandleTime}
	return nil
}

// AddAgent adds an agent. An empty State is logged_out; only logged_out,
// available and paused may be given.
func (a *ACD) AddAgent(ag agentdesk.Agent) error {
	if ag.Username == "" || ag.Extension == "" {
		return fmt.Errorf("%w: agent needs a username and an extension", agentdesk.ErrInvalid)
	}
	if ag.State == "" {
		ag.State = agentdesk.StateLoggedOut
	}
	if !apiState(ag.State) || ag.State == agentdesk.StateWrapUp {
		return fmt.Errorf("acd: add agent %s as %s: %w", ag.Username, ag.State, agentdesk.ErrBadState)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.agents[ag.Username]; ok {
		return fmt.Errorf("acd: add agent %s: %w", ag.Username, agentdesk.ErrAgentExists)
	}
	now := a.now()
	ag = ag.Clone()
	ag.StateSince, ag.CallID, ag.InternalCall = now, "", nil // internal calls: from a.internal
	if ag.State != agentdesk.StatePaused {
		ag.PauseReason = ""
	}
	x := &agent{Agent: ag, loginAt: now}
	a.agents[ag.Username] = x
	a.publishAgentLocked(x, "", "")
	a.dispatchLocked()
	return nil
}

// UpdateAgent changes an agent's name, extension and skills; state,
// counters and any call in progress stay. The next ring uses the new
// extension.
func (a *ACD) UpdateAgent(ag agentdesk.Agent) error {
	if ag.Extension == "" {
		return fmt.Errorf("%w: agent needs an extension", agentdesk.ErrInvalid)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	x, ok := a.agents[ag.Username]
	if !ok {
		return fmt.Errorf("acd: update agent %s: %w", ag.Username, agentdesk.ErrUnknownAgent)
	}
	c := ag.Clone()
	oldExt := x.Extension
	x.Name, x.Extension, x.Skills = c.Name, c.Extension, c.Skills
	if oldExt != x.Extension && (len(a.internal[oldExt]) > 0 || len(a.internal[x.Extension]) > 0) {
		a.publishAgentInternalLocked(x) // the new phone's internal calls, or none
	}
	a.dispatchLocked() // a new skill may match a waiting call
	return nil
}

// apiState reports whether the API may set s.
func apiState(s agentdesk.AgentState) bool {
	switch s {
	case agentdesk.StateLoggedOut, agentdesk.StateAvailable, agentdesk.StatePaused, agentdesk.StateWrapUp:
		return true
	}
	return false
}

// SetAgentState is an agent's (or a supervisor's) presence change: log in
// (available), log out, pause with a reason, wrap-up (manual, until the agent
// is available again), or available (which also ends wrap-up early). While
// the agent's phone rings or they talk, the change is kept and applied when
// that call ends. A waiting call is offered at once to an agent who becomes
// available.
func (a *ACD) SetAgentState(username string, state agentdesk.AgentState, reason string) error {
	if !apiState(state) {
		return fmt.Errorf("acd: set %s %s: %w", username, state, agentdesk.ErrBadState)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	ag, ok := a.agents[username]
	if !ok {
		return fmt.Errorf("acd: set %s %s: %w", username, state, agentdesk.ErrUnknownAgent)
	}
	if state != agentdesk.StatePaused {
		reason = ""
	}
	switch ag.State {
	case agentdesk.StateRinging, agentdesk.StateOnCall:
		ag.pending, ag.pendingReason = state, reason
		return nil
	case agentdesk.StateLoggedOut:
		if state != agentdesk.StateLoggedOut {
			ag.loginAt = a.now()
		}
	}
	ag.pending = ""
	ag.stopTimer()
	a.setStateLocked(ag, state, reason, "")
	a.dispatchLocked()
	return nil
}

// Agents returns every agent, sorted by username.
func (a *ACD) Agents() []agentdesk.Agent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.agentsLocked()
}

func (a *ACD) agentsLocked() []agentdesk.Agent {
	out := make([]agentdesk.Agent, 0, len(a.agents))
	for _, ag := range a.agents {
		x := ag.Agent.Clone()
		x.InternalCall = a.internalOfLocked(x.Extension)
		out = append(out, x)
	}
	slices.SortFunc(out, func(x, y agentdesk.Agent) int { return strings.Compare(x.Username, y.Username) })
	return out
}
