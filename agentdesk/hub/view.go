package hub

import (
	"cmp"
	"slices"

	"github.com/atiende/atiende/agentdesk"
)

// view is what a role may see, decided on the server.
type view int

const (
	// viewAgent: own offers, calls, agent_state and ticket_changed in full;
	// queue movements without caller data (for the queue counts); no
	// extensions.
	viewAgent view = iota
	// viewAll: supervisors and admins, for the wallboard: everything.
	viewAll
	// viewNetwork: extension statuses only.
	viewNetwork
)

// viewOf maps a role to its view; an unknown role gets the narrowest
// view that still works (agent).
func viewOf(role string) view {
	switch role {
	case "supervisor", "admin":
		return viewAll
	case "network":
		return viewNetwork
	}
	return viewAgent
}

func (v view) events() bool     { return v != viewNetwork }
func (v view) extensions() bool { return v != viewAgent }

// queueMoves are the kinds that change queue counts.
var queueMoves = []agentdesk.EventKind{
	agentdesk.CallQueued, agentdesk.CallAnswered, agentdesk.CallAbandoned,
	agentdesk.CallEnded, agentdesk.CallbackRequested, agentdesk.CallbackStarted,
}

// mine reports whether e is about p's own agent or phone.
func mine(e *agentdesk.Event, p Principal) bool {
	if e.Agent != "" {
		return e.Agent == p.Username
	}
	return p.Extension != "" && e.Extension == p.Extension
}

// redact keeps what queue counts need and nothing the caller said.
func redact(e agentdesk.Event) agentdesk.Event {
	return agentdesk.Event{
		Seq: e.Seq, Kind: e.Kind, At: e.At, CallID: e.CallID, Queue: e.Queue,
		Priority: e.Priority, Position: e.Position, Callback: e.Callback, Outcome: e.Outcome,
		EnteredQueueAt: e.EnteredQueueAt, AnsweredAt: e.AnsweredAt, EndedAt: e.EndedAt,
	}
}

// eventFor returns which form of e the client gets: 0 none, 1 full,
// 2 redacted.
func eventFor(v view, p Principal, e *agentdesk.Event) int {
	switch v {
	case viewAll:
		return 1
	case viewAgent:
		if mine(e, p) {
			return 1
		}
		if slices.Contains(queueMoves, e.Kind) {
			return 2
		}
	}
	return 0
}

// snapshotFor filters a snapshot for an agent: only their own agent, and
// waiting calls without caller data except the ones ringing them.
func snapshotFor(v view, p Principal, s agentdesk.Snapshot) agentdesk.Snapshot {
	if v == viewAll {
		return s
	}
	out := agentdesk.Snapshot{At: s.At, Seq: s.Seq, Agents: []agentdesk.Agent{}, Queues: make([]agentdesk.QueueSnapshot, 0, len(s.Queues))}
	for _, a := range s.Agents {
		if a.Username == p.Username {
			out.Agents = append(out.Agents, a)
		}
	}
	for _, q := range s.Queues {
		q.Agents = nil
		calls := make([]agentdesk.WaitingCall, 0, len(q.Calls))
		for _, c := range q.Calls {
			if !slices.Contains(c.Ringing, p.Username) {
				c = agentdesk.WaitingCall{CallID: c.CallID, Queue: c.Queue, Priority: c.Priority,
					Position: c.Position, EnteredQueueAt: c.EnteredQueueAt, Callback: c.Callback}
			}
			calls = append(calls, c)
		}
		q.Calls = calls
		out.Queues = append(out.Queues, q)
	}
	return out
}

// offersFor picks the active offers a client may see.
func offersFor(v view, p Principal, active map[string]agentdesk.Event) []agentdesk.Event {
	var out []agentdesk.Event
	for _, e := range active {
		if v == viewAll || (v == viewAgent && mine(&e, p)) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b agentdesk.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}
