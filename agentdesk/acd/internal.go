package acd

import (
	"slices"
	"strings"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

var _ ivr.CallActivity = (*ACD)(nil)

// internalCall is one call between extensions that an extension is on.
type internalCall struct {
	peer string
	at   time.Time
}

// InternalCallStarted marks ext as on an internal call (a call between
// extensions, not from a queue): its agent, if any, stays in its state but
// gets no queue offer until the call ends, and the desk's pages show it on
// that call (an agent_internal_call event).
func (a *ACD) InternalCallStarted(ext, peer string) {
	if ext == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.internal == nil {
		a.internal = map[string][]internalCall{}
	}
	a.internal[ext] = append(a.internal[ext], internalCall{peer: peer, at: a.now()})
	a.publishInternalLocked(ext)
}

// InternalCallEnded undoes one InternalCallStarted of ext; when ext is on no
// internal call any more, waiting calls may be offered to its agent.
func (a *ACD) InternalCallEnded(ext, peer string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	calls := a.internal[ext]
	if len(calls) == 0 {
		return
	}
	i := slices.IndexFunc(calls, func(c internalCall) bool { return c.peer == peer })
	if i < 0 {
		i = len(calls) - 1 // a peer it was not told of: still one call fewer
	}
	calls = slices.Delete(calls, i, i+1)
	if len(calls) == 0 {
		delete(a.internal, ext)
	} else {
		a.internal[ext] = calls
	}
	a.publishInternalLocked(ext)
	if len(calls) == 0 {
		a.dispatchLocked()
	}
}

// OnInternalCall reports whether ext is on an internal call.
func (a *ACD) OnInternalCall(ext string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.internal[ext]) > 0
}

// internalOfLocked is ext's internal calls for an Agent, nil when none.
func (a *ACD) internalOfLocked(ext string) *agentdesk.InternalCall {
	calls := a.internal[ext]
	if len(calls) == 0 {
		return nil
	}
	ic := &agentdesk.InternalCall{Peers: make([]string, len(calls)), Since: calls[0].at}
	for i, c := range calls {
		ic.Peers[i] = c.peer
		if c.at.Before(ic.Since) {
			ic.Since = c.at
		}
	}
	return ic
}

// publishInternalLocked tells the desk's pages what internal calls the
// agents at ext are on now.
func (a *ACD) publishInternalLocked(ext string) {
	for _, ag := range a.agentsAtLocked(ext) {
		a.publishAgentInternalLocked(ag)
	}
}

func (a *ACD) publishAgentInternalLocked(ag *agent) {
	a.publishLocked(agentdesk.Event{
		Kind: agentdesk.AgentInternalCall, Agent: ag.Username, AgentName: ag.Name, Extension: ag.Extension,
		State: ag.State, PauseReason: ag.PauseReason, InternalCall: a.internalOfLocked(ag.Extension),
	})
}

// agentsAtLocked lists the agents at ext, by username.
func (a *ACD) agentsAtLocked(ext string) []*agent {
	var out []*agent
	for _, ag := range a.agents {
		if ag.Extension == ext {
			out = append(out, ag)
		}
	}
	slices.SortFunc(out, func(x, y *agent) int { return strings.Compare(x.Username, y.Username) })
	return out
}
