package acd

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

type dialResult struct {
	ag   *agent
	call ivr.Call
	err  error
}

// ring rings agents, already reserved for e by offerLocked, and returns the
// first who answered with their call, or nil. Every other offer is ended
// and published as its Dial returns. ctx is the caller's life: when it
// ends, the rings are cancelled and the offers end as abandoned. With no
// winner and the caller still there, e is back to waiting and dispatched.
func (a *ACD) ring(ctx context.Context, e *entry, agents []*agent, qc agentdesk.QueueConfig) (*agent, ivr.Call) {
	ringCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan dialResult, len(agents))
	opts := ivr.DialOptions{Timeout: qc.RingTimeout, CallerID: e.info.CallerNumber, CallerName: e.info.CallerName}
	a.mu.Lock()
	targets := make([]string, len(agents))
	for i, ag := range agents {
		targets[i] = ag.Extension // UpdateAgent may change it
	}
	a.mu.Unlock()
	for i, ag := range agents {
		target := targets[i]
		go func() {
			dctx, dcancel := context.WithTimeout(ringCtx, qc.RingTimeout+a.cfg.RingGrace)
			defer dcancel()
			c, err := a.engine.Dial(dctx, target, opts)
			if err == nil && c == nil {
				err = errors.New("acd: engine returned no call")
			}
			results <- dialResult{ag, c, err}
		}()
	}
	var win *agent
	var winCall ivr.Call
	for range agents {
		r := <-results
		if r.err == nil && win == nil && ctx.Err() == nil {
			win, winCall = r.ag, r.call
			cancel()
			continue
		}
		reason := classify(ctx, r.err, win != nil)
		if r.err == nil {
			hangup(r.call) // answered too late
		}
		a.mu.Lock()
		a.offerFailedLocked(e, r.ag, reason, qc)
		a.dispatchLocked()
		a.mu.Unlock()
		if r.err != nil && reason != agentdesk.OfferAbandoned && reason != agentdesk.OfferAnsweredElsewhere {
			a.log.Info("agent did not take call", "call_id", e.info.CallID, "agent", r.ag.Username, "reason", reason, "error", r.err)
		}
	}
	if win == nil {
		a.mu.Lock()
		if ctx.Err() == nil && e.state == offered {
			e.state, e.ringing = waiting, nil
			a.dispatchLocked()
		}
		a.mu.Unlock()
	}
	return win, winCall
}

// classify turns a failed Dial into an offer end reason.
func classify(ctx context.Context, err error, lostRace bool) string {
	switch {
	case ctx.Err() != nil:
		return agentdesk.OfferAbandoned
	case lostRace && (err == nil || errors.Is(err, context.Canceled)):
		return agentdesk.OfferAnsweredElsewhere
	case errors.Is(err, ivr.ErrNoAnswer), errors.Is(err, context.DeadlineExceeded):
		return agentdesk.OfferNoAnswer
	case errors.Is(err, ivr.ErrUnreachable):
		return agentdesk.OfferUnreachable
	case errors.Is(err, ivr.ErrBusy):
		return agentdesk.OfferBusy
	case errors.Is(err, ivr.ErrDeclined):
		return agentdesk.OfferDeclined
	}
	return agentdesk.OfferError
}

// offerFailedLocked ends ag's offer of e and decides what ag does next: a
// silent or unreachable phone pauses the agent (if the queue auto-pauses),
// a busy, declining or failing one sits out RetryAfter so the call goes to
// the next agent.
func (a *ACD) offerFailedLocked(e *entry, ag *agent, reason string, qc agentdesk.QueueConfig) {
	next, pause, cool := agentdesk.StateAvailable, "", false
	switch reason {
	case agentdesk.OfferAbandoned, agentdesk.OfferAnsweredElsewhere:
	case agentdesk.OfferNoAnswer, agentdesk.OfferUnreachable:
		if qc.AutoPauses() {
			next, pause = agentdesk.StatePaused, agentdesk.ReasonRingNoAnswer
			if reason == agentdesk.OfferUnreachable {
				pause = agentdesk.ReasonUnreachable
			}
		} else {
			cool = true
		}
	default:
		cool = true
	}
	a.offerEndedLocked(e, ag, reason, next, pause)
	if cool && ag.State == agentdesk.StateAvailable {
		a.retryLaterLocked(ag)
	}
}

// offerEndedLocked publishes the end of ag's offer of e and releases ag.
func (a *ACD) offerEndedLocked(e *entry, ag *agent, reason string, next agentdesk.AgentState, pause string) {
	for i, x := range e.ringing {
		if x == ag {
			e.ringing = append(e.ringing[:i:i], e.ringing[i+1:]...)
			break
		}
	}
	ev := a.callEventLocked(agentdesk.CallOfferEnded, e, ag)
	ev.Reason = reason
	a.publishLocked(ev)
	a.releaseLocked(ag, next, pause, e.info.CallID)
}

// connect rings the offered agents and, if one answers while the caller is
// still there, bridges them until either hangs up; a caller left alone by
// the agent is not hung up. done is false when the call goes on waiting
// (nobody answered) or the caller has just left.
func (a *ACD) connect(ctx context.Context, e *entry, agents []*agent, qc agentdesk.QueueConfig, h *hold, log *slog.Logger) (Result, bool) {
	win, ac := a.ring(ctx, e, agents, qc)
	if win == nil {
		return Result{}, false
	}
	a.mu.Lock()
	if ctx.Err() != nil {
		a.offerEndedLocked(e, win, agentdesk.OfferAbandoned, agentdesk.StateAvailable, "")
		a.dispatchLocked()
		a.mu.Unlock()
		hangup(ac)
		return Result{}, false
	}
	a.answerLocked(e, win)
	a.mu.Unlock()
	e.answered(win)
	log.Info("answered", "agent", win.Username)

	h.stop()
	// When the agent hangs up first the caller stays on the line: what
	// follows (a survey, or hanging up) is for Enqueue's caller to decide.
	if err := e.call.Bridge(ctx, ac); err != nil {
		if ctx.Err() == nil && !errors.Is(err, ivr.ErrHungUp) {
			log.Warn("bridge", "agent", win.Username, "error", err)
		}
		hangup(e.call)
	}
	hangup(ac)

	a.mu.Lock()
	defer a.mu.Unlock()
	return a.endLocked(e, win, qc), true
}

// answerLocked connects e to ag.
func (a *ACD) answerLocked(e *entry, ag *agent) {
	q := a.queues[e.info.Queue]
	q.remove(e)
	e.state, e.ringing, e.answeredAt = connected, nil, a.now()
	ag.CallsTaken++
	a.setStateLocked(ag, agentdesk.StateOnCall, "", e.info.CallID)
	if e.callback {
		q.stats.CallbacksDone++
	} else {
		wait := e.answeredAt.Sub(e.queuedAt)
		q.stats.Answered++
		q.stats.TotalAnswerWait += wait
		if wait <= q.cfg.ServiceLevel {
			q.stats.AnsweredInSL++
		}
	}
	a.publishLocked(a.callEventLocked(agentdesk.CallAnswered, e, ag))
}

// answered tells whoever queued e that ag answered it (CallInfo.OnAnswer).
// Call it after answerLocked, without the lock.
func (e *entry) answered(ag *agent) {
	if f := e.info.OnAnswer; f != nil {
		f(ag.Username) // Username never changes after AddAgent
	}
}

// endLocked finishes an answered call: stats, event, wrap-up.
func (a *ACD) endLocked(e *entry, ag *agent, qc agentdesk.QueueConfig) Result {
	q := a.queues[e.info.Queue]
	e.state, e.endedAt = finished, a.now()
	ag.LastCallEnd = e.endedAt
	talk := e.endedAt.Sub(e.answeredAt)
	q.stats.TotalTalk += talk
	handle := talk + max(qc.WrapUp, 0)
	q.aht += time.Duration(a.cfg.HandleTimeWeight * float64(handle-q.aht))
	q.stats.AvgHandle = q.aht
	ev := a.callEventLocked(agentdesk.CallEnded, e, ag)
	ev.Outcome = agentdesk.OutcomeAnswered
	a.publishLocked(ev)
	if qc.WrapUp > 0 {
		a.releaseLocked(ag, agentdesk.StateWrapUp, "", e.info.CallID)
		if ag.State == agentdesk.StateWrapUp {
			a.afterLocked(ag, qc.WrapUp, func() {
				if ag.State == agentdesk.StateWrapUp {
					a.setStateLocked(ag, agentdesk.StateAvailable, "", "")
				}
			})
		}
	} else {
		a.releaseLocked(ag, agentdesk.StateAvailable, "", e.info.CallID)
	}
	a.dispatchLocked()
	return e.result(agentdesk.OutcomeAnswered, ag)
}

// hangup ends c even when the context that carried it is gone.
func hangup(c ivr.Call) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.Hangup(ctx, ivr.CauseNormal)
}
