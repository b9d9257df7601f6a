package agentdesk

import (
	"maps"
	"slices"
	"time"
)

// AgentState is an agent's presence as the queue sees it.
type AgentState string

const (
	StateLoggedOut AgentState = "logged_out"
	StateAvailable AgentState = "available"
	StateRinging   AgentState = "ringing" // a call is being offered to the agent's phone
	StateOnCall    AgentState = "on_call"
	StateWrapUp    AgentState = "wrap_up"
	StatePaused    AgentState = "paused" // PauseReason says why
)

// Valid reports whether s is one of the known states.
func (s AgentState) Valid() bool {
	switch s {
	case StateLoggedOut, StateAvailable, StateRinging, StateOnCall, StateWrapUp, StatePaused:
		return true
	}
	return false
}

// Pause reasons set by the queue itself. They are codes: the console shows
// them translated ("sin respuesta", "inalcanzable").
const (
	ReasonRingNoAnswer = "ring no answer"
	ReasonUnreachable  = "unreachable"
)

// Agent is a level-1 operator who answers queued calls on a phone extension.
type Agent struct {
	Username  string `json:"username"`
	Name      string `json:"name"`
	Extension string `json:"extension"`
	// Skills maps a skill (usually a queue name) to a penalty: the queue
	// tries agents with the lowest penalty first. An agent without the
	// queue's skill never gets its calls.
	Skills      map[string]int `json:"skills"`
	State       AgentState     `json:"state"`
	PauseReason string         `json:"pause_reason,omitempty"`
	StateSince  time.Time      `json:"state_since,omitzero"`
	CallsTaken  int            `json:"calls_taken"`
	LastCallEnd time.Time      `json:"last_call_end,omitzero"`
	// CallID is the call the agent is being offered or is talking on.
	CallID string `json:"call_id,omitempty"`
	// InternalCall: the agent's phone is on calls between extensions
	// (which no queue placed); nil when it is on none. The agent keeps its
	// State but gets no queue offer meanwhile, so an available agent on an
	// internal call is not free.
	InternalCall *InternalCall `json:"internal_call,omitempty"`
}

// InternalCall is an extension's calls with other extensions at a moment.
type InternalCall struct {
	// Peers has one entry per call: the other extension, or "" for a call
	// the extension made that went to a queue or the help-desk menu.
	Peers []string  `json:"peers"`
	Since time.Time `json:"since"` // when the oldest of those calls began
}

// Clone returns a copy that shares nothing with c (nil stays nil).
func (c *InternalCall) Clone() *InternalCall {
	if c == nil {
		return nil
	}
	return &InternalCall{Peers: slices.Clone(c.Peers), Since: c.Since}
}

// Free reports whether the queue may offer the agent a call now as far as
// its presence goes: available and on no internal call.
func (a Agent) Free() bool {
	return a.State == StateAvailable && a.InternalCall == nil
}

// Clone returns a copy that shares no map or slice with a.
func (a Agent) Clone() Agent {
	a.Skills = maps.Clone(a.Skills)
	a.InternalCall = a.InternalCall.Clone()
	return a
}
