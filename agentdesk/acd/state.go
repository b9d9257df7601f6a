package acd

import (
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// agent is an agent plus what only the ACD needs. Guarded by ACD.mu.
type agent struct {
	agentdesk.Agent
	loginAt time.Time
	cooling bool // busy or declined lately: no offers until its timer
	// pending is a state the API asked for while the agent was ringing or
	// on a call; it replaces whatever would follow the call.
	pending       agentdesk.AgentState
	pendingReason string
	timer         *time.Timer // wrap-up end or retry
	timerGen      uint64
}

func (ag *agent) stopTimer() {
	ag.cooling = false
	if ag.timer != nil {
		ag.timer.Stop()
		ag.timer = nil
	}
	ag.timerGen++
}

// idleSince orders agents for longest_idle.
func (ag *agent) idleSince() time.Time {
	if ag.LastCallEnd.After(ag.loginAt) {
		return ag.LastCallEnd
	}
	return ag.loginAt
}

type queue struct {
	cfg    agentdesk.QueueConfig
	calls  []*entry // in order: priority (higher first), then arrival
	stats  agentdesk.QueueStats
	aht    time.Duration // moving average handle time
	lastRR string        // round_robin: the agent last offered a call
}

type entryState int

const (
	waiting   entryState = iota // eligible for an offer
	offered                     // agents are being rung
	connected                   // talking; no longer in queue.calls
	finished
)

// entry is a call in a queue, or a callback's virtual entry (call nil).
type entry struct {
	seq      uint64 // arrival order, kept by a callback
	info     CallInfo
	call     ivr.Call // nil once the caller asked for a callback
	callback bool
	// noAgents: the call joined a queue with nobody logged in and waits
	// anyway (NoAgentsWait).
	noAgents bool
	state    entryState
	// offers carries an assignment to the goroutine that waits with the
	// call; capacity 1 and at most one outstanding, so sends never block.
	offers  chan []*agent
	ringing []*agent
	last    *agent // the agent of the latest offer

	queuedAt, offeredAt, answeredAt, endedAt time.Time
}

func (a *ACD) nextSeq() uint64 { a.seq++; return a.seq }

// callEventLocked fills an event about e (and ag, if not nil).
func (a *ACD) callEventLocked(kind agentdesk.EventKind, e *entry, ag *agent) agentdesk.Event {
	ev := agentdesk.Event{
		Kind: kind, At: a.now(),
		CallID: e.info.CallID, Queue: e.info.Queue, TicketNumber: e.info.TicketNumber,
		CallerNumber: e.info.CallerNumber, CallerName: e.info.CallerName,
		IVRPath: e.info.IVRPath, Lang: e.info.Lang, Priority: e.info.Priority,
		Callback:       e.callback,
		EnteredQueueAt: e.queuedAt, OfferedAt: e.offeredAt, AnsweredAt: e.answeredAt, EndedAt: e.endedAt,
	}
	if ag != nil {
		ev.Agent, ev.AgentName, ev.Extension = ag.Username, ag.Name, ag.Extension
	}
	return ev
}

// publishLocked stamps Seq and publishes; under mu, so Seq order is the
// order of the state changes.
func (a *ACD) publishLocked(ev agentdesk.Event) {
	ev.Seq = a.nextSeq()
	if ev.At.IsZero() {
		ev.At = a.now()
	}
	a.pub.Publish(ev)
}

func (a *ACD) publishAgentLocked(ag *agent, prev agentdesk.AgentState, callID string) {
	a.publishLocked(agentdesk.Event{
		Kind: agentdesk.AgentStateChanged, At: ag.StateSince,
		Agent: ag.Username, AgentName: ag.Name, Extension: ag.Extension,
		State: ag.State, PrevState: prev, PauseReason: ag.PauseReason, CallID: callID,
		InternalCall: a.internalOfLocked(ag.Extension),
	})
}

// setStateLocked changes ag's state and publishes it. callID names the call
// that caused the change, if any.
func (a *ACD) setStateLocked(ag *agent, s agentdesk.AgentState, reason, callID string) {
	prev := ag.State
	if prev == s && ag.PauseReason == reason {
		return
	}
	ag.State, ag.PauseReason, ag.StateSince = s, reason, a.now()
	switch s {
	case agentdesk.StateRinging, agentdesk.StateOnCall:
		ag.CallID = callID
	default:
		ag.CallID = ""
	}
	a.publishAgentLocked(ag, prev, callID)
}

// releaseLocked ends ag's part in a call that it did not take, or finished:
// the API's pending state wins, then next. Callers dispatch afterwards.
func (a *ACD) releaseLocked(ag *agent, next agentdesk.AgentState, reason, callID string) {
	if ag.pending != "" {
		next, reason = ag.pending, ag.pendingReason
		ag.pending, ag.pendingReason = "", ""
	}
	a.setStateLocked(ag, next, reason, callID)
}

// retryLaterLocked leaves ag available but out of offers for RetryAfter,
// then dispatches again.
func (a *ACD) retryLaterLocked(ag *agent) {
	a.afterLocked(ag, a.cfg.RetryAfter, func() { ag.cooling = false })
	ag.cooling = true // after afterLocked, which stops (and uncools) the old timer
}

// afterLocked runs f under mu after d, unless the agent's timer is replaced
// or stopped first, then dispatches.
func (a *ACD) afterLocked(ag *agent, d time.Duration, f func()) {
	ag.stopTimer()
	gen := ag.timerGen
	ag.timer = time.AfterFunc(d, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if ag.timerGen != gen || a.ctx.Err() != nil {
			return
		}
		ag.timer = nil
		f()
		a.dispatchLocked()
	})
}

// removeLocked takes e out of its queue's list.
func (q *queue) remove(e *entry) {
	for i, x := range q.calls {
		if x == e {
			q.calls = append(q.calls[:i], q.calls[i+1:]...)
			return
		}
	}
}

// insert puts e in order: higher priority first, then arrival.
func (q *queue) insert(e *entry) {
	i := len(q.calls)
	for i > 0 {
		p := q.calls[i-1]
		if p.info.Priority > e.info.Priority || (p.info.Priority == e.info.Priority && p.seq < e.seq) {
			break
		}
		i--
	}
	q.calls = append(q.calls, nil)
	copy(q.calls[i+1:], q.calls[i:])
	q.calls[i] = e
}

// position is e's 1-based place in its queue, 0 if not there.
func (q *queue) position(e *entry) int {
	for i, x := range q.calls {
		if x == e {
			return i + 1
		}
	}
	return 0
}

// staffed counts logged-in agents with the queue's skill.
func (a *ACD) staffedLocked(skill string) int {
	n := 0
	for _, ag := range a.agents {
		if _, ok := ag.Skills[skill]; ok && ag.State != agentdesk.StateLoggedOut {
			n++
		}
	}
	return n
}
