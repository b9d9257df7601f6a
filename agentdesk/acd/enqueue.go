package acd

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// CallInfo is what the IVR knows about a call when it queues it.
type CallInfo struct {
	CallID       string   // default call.ID()
	Queue        string   // required
	TicketNumber string   // the ticket opened for the call
	CallerNumber string   // default call.From().Number; dialled for a callback
	CallerName   string   // default call.From().DisplayName
	IVRPath      []string // the choices made in the IVR, for the screen-pop
	Lang         string   // "es" (default) or "en"
	// Skill overrides the queue's skill for this call.
	Skill string
	// Priority: higher is served first; equal priorities in arrival order.
	Priority int
	// OnAnswer, if set, is called once when an agent answers the call (for
	// a callback: when the called-back caller answers), with the agent's
	// username: right after call_answered is published, outside the ACD's
	// lock, before the caller is bridged. It must return at once (start a
	// goroutine for slow work such as a database write): the bridge waits.
	OnAnswer func(agent string)
}

// Result is how a call left the queue.
type Result struct {
	Outcome agentdesk.Outcome
	// Queue is the queue the call left: the one it was put in, or the one it
	// overflowed to.
	Queue string
	Agent string // username of the agent who answered
	// QueuedAt .. EndedAt; OfferedAt is the last offer, zero if none.
	QueuedAt, OfferedAt, AnsweredAt, EndedAt time.Time
}

func (e *entry) result(o agentdesk.Outcome, ag *agent) Result {
	r := Result{Outcome: o, Queue: e.info.Queue, QueuedAt: e.queuedAt, OfferedAt: e.offeredAt, AnsweredAt: e.answeredAt, EndedAt: e.endedAt}
	if ag != nil {
		r.Agent = ag.Username
	}
	return r
}

// Enqueue puts call in info.Queue and blocks while it waits (hold music,
// announcements, callback offer), rings agents, and bridges the caller to
// the agent who answers. It returns when the call is over for the queue:
// answered and ended, abandoned, turned into a callback, timed out, or
// refused because no agent with the skill is logged in. An error is returned
// for an unknown queue or when ctx ends first. When the agent hangs up
// first, call is left up (Outcome answered) for the caller of Enqueue to
// go on with (a survey) or hang up.
func (a *ACD) Enqueue(ctx context.Context, call ivr.Call, info CallInfo) (Result, error) {
	return a.enqueue(ctx, call, info, nil)
}

// enqueue is Enqueue; overflowed lists the queues the call overflowed from.
func (a *ACD) enqueue(ctx context.Context, call ivr.Call, info CallInfo, overflowed []string) (Result, error) {
	if info.CallID == "" {
		info.CallID = call.ID()
	}
	from := call.From()
	if info.CallerNumber == "" {
		info.CallerNumber = from.Number
	}
	if info.CallerName == "" {
		info.CallerName = from.DisplayName
	}
	if info.Lang == "" {
		info.Lang = "es"
	}
	log := a.log.With("call_id", info.CallID, "queue", info.Queue)

	a.mu.Lock()
	q, ok := a.queues[info.Queue]
	if !ok {
		a.mu.Unlock()
		return Result{}, fmt.Errorf("acd: enqueue %s in %s: %w", info.CallID, info.Queue, agentdesk.ErrUnknownQueue)
	}
	skill := info.Skill
	if skill == "" {
		skill = q.cfg.Skill
	}
	a.entrySeq++
	now := a.now()
	e := &entry{seq: a.entrySeq, info: info, call: call, offers: make(chan []*agent, 1), queuedAt: now}
	q.stats.Entered++
	if a.staffedLocked(skill) == 0 {
		q.stats.NoAgents++
		switch a.noAgentsLocked(q, info, overflowed, log) {
		case agentdesk.NoAgentsOverflow:
			return a.overflowLocked(ctx, e, q, overflowed, log)
		case agentdesk.NoAgentsCallback:
			return a.noAgentsCallbackLocked(ctx, e, q, log)
		}
		e.noAgents = true // waits anyway: the hold says so first
		log.Info("no agents for queue: the caller waits")
	}
	q.insert(e)
	ev := a.callEventLocked(agentdesk.CallQueued, e, nil)
	ev.Position = q.position(e)
	a.publishLocked(ev)
	a.dispatchLocked()
	qc := q.cfg // AddQueue may replace it; this call keeps the one it joined
	a.mu.Unlock()
	log.Debug("queued")
	return a.wait(ctx, e, qc, log)
}

// wait is the life of a queued call from the caller's side.
func (a *ACD) wait(ctx context.Context, e *entry, qc agentdesk.QueueConfig, log *slog.Logger) (Result, error) {
	call := e.call
	callCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-call.Done():
			cancel()
		case <-callCtx.Done():
		}
	}()

	h := a.startHold(callCtx, e, qc)
	defer h.stop()

	var maxWait, timeout <-chan time.Time
	if qc.MaxWait > 0 {
		t := time.NewTimer(qc.MaxWait)
		defer t.Stop()
		maxWait = t.C
	}
	if qc.Timeout > 0 {
		t := time.NewTimer(qc.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	var dtmf <-chan rune
	timedOut := false
	for {
		if timedOut {
			if r, ok := a.leave(e, agentdesk.OutcomeTimeout); ok {
				log.Info("queue timeout")
				return r, nil
			}
		}
		select {
		case agents := <-e.offers:
			if r, done := a.connect(callCtx, e, agents, qc, h, log); done {
				return r, ctx.Err()
			}
		case <-callCtx.Done():
			r := a.abandon(e)
			log.Info("abandoned")
			return r, ctx.Err()
		case <-timeout:
			timeout, timedOut = nil, true
		case <-maxWait:
			maxWait, dtmf = nil, call.DTMF()
			drain(dtmf)
			h.offerCallback()
		case k, ok := <-dtmf:
			if !ok {
				dtmf = nil
			} else if k == '1' {
				r, ok := a.toCallback(e)
				if !ok {
					break // an agent is being rung: let the offer go first
				}
				h.stop()
				hctx, hcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				_ = call.Hangup(hctx, ivr.CauseNormal)
				hcancel()
				log.Info("callback requested")
				return r, nil
			}
		}
	}
}

func drain(c <-chan rune) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// abandon takes e out after the caller hung up (or ctx ended). An offer
// not yet picked up is withdrawn from its agents.
func (a *ACD) abandon(e *entry) Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.state == finished {
		return e.result(agentdesk.OutcomeAbandoned, nil)
	}
	select {
	case agents := <-e.offers:
		for _, ag := range agents {
			a.offerEndedLocked(e, ag, agentdesk.OfferAbandoned, agentdesk.StateAvailable, "")
		}
	default:
	}
	var last *agent // the agent whose phone rang as the caller left
	if e.state == offered {
		last = e.last
	}
	q := a.queues[e.info.Queue]
	q.remove(e)
	e.state, e.endedAt = finished, a.now()
	q.stats.Abandoned++
	ev := a.callEventLocked(agentdesk.CallAbandoned, e, last)
	ev.Outcome = agentdesk.OutcomeAbandoned
	if e.endedAt.Sub(e.queuedAt) < q.cfg.ShortAbandon {
		q.stats.ShortAbandoned++
		ev.Outcome = agentdesk.OutcomeShortAbandoned
	}
	a.publishLocked(ev)
	a.dispatchLocked()
	return e.result(agentdesk.OutcomeAbandoned, nil)
}

// leave ends a waiting e with outcome o (timeout); false if e is being
// offered right now, in which case the offer goes first.
func (a *ACD) leave(e *entry, o agentdesk.Outcome) (Result, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.state != waiting {
		return Result{}, false
	}
	q := a.queues[e.info.Queue]
	q.remove(e)
	e.state, e.endedAt = finished, a.now()
	q.stats.Timeouts++
	ev := a.callEventLocked(agentdesk.CallEnded, e, nil)
	ev.Outcome = o
	a.publishLocked(ev)
	return e.result(o, nil), true
}

// toCallback turns a waiting e into a virtual entry that keeps its place.
func (a *ACD) toCallback(e *entry) (Result, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.state != waiting {
		return Result{}, false
	}
	r, _ := a.callbackLocked(e, a.queues[e.info.Queue], a.now()) // the caller's leg ends now
	return r, true
}

// callbackLocked turns e, in q, into a callback request that keeps its
// place: its call leg ended at legEnd. It returns the caller's result and
// e's position. a.mu held.
func (a *ACD) callbackLocked(e *entry, q *queue, legEnd time.Time) (Result, int) {
	e.call, e.callback = nil, true
	e.endedAt = legEnd
	q.stats.Callbacks++
	ev := a.callEventLocked(agentdesk.CallbackRequested, e, nil)
	ev.Outcome = agentdesk.OutcomeCallback
	ev.Position = q.position(e)
	a.publishLocked(ev)
	r := e.result(agentdesk.OutcomeCallback, nil)
	e.endedAt = time.Time{}
	a.dispatchLocked()
	return r, ev.Position
}
