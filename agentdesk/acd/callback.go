package acd

import (
	"context"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// runCallback serves a callback entry that reached the front: the agent is
// rung first, then the caller, and the two are bridged.
func (a *ACD) runCallback(e *entry, agents []*agent, qc agentdesk.QueueConfig) {
	defer a.wg.Done()
	log := a.log.With("call_id", e.info.CallID, "queue", e.info.Queue)
	win, ac := a.ring(a.ctx, e, agents, qc)
	if win == nil {
		return
	}
	a.mu.Lock()
	a.publishLocked(a.callEventLocked(agentdesk.CallbackStarted, e, win))
	a.mu.Unlock()

	// Stop dialling the caller if the agent gives up meanwhile.
	dctx, dcancel := context.WithTimeout(a.ctx, a.cfg.CallbackTimeout+a.cfg.RingGrace)
	go func() {
		select {
		case <-ac.Done():
			dcancel()
		case <-dctx.Done():
		}
	}()
	cc, err := a.engine.Dial(dctx, e.info.CallerNumber, ivr.DialOptions{
		Timeout: a.cfg.CallbackTimeout, CallerID: a.cfg.CallbackCallerID, CallerName: a.cfg.CallbackCallerName,
	})
	dcancel()
	if err != nil {
		hangup(ac)
		log.Info("callback: caller did not answer", "agent", win.Username, "error", err)
		a.mu.Lock()
		q := a.queues[e.info.Queue]
		q.remove(e)
		e.state, e.endedAt = finished, a.now()
		ev := a.callEventLocked(agentdesk.CallEnded, e, win)
		ev.Outcome, ev.Reason = agentdesk.OutcomeCallbackFailed, err.Error()
		select {
		case <-ac.Done():
			ev.Reason = "agent hung up"
		default:
		}
		a.publishLocked(ev)
		a.releaseLocked(win, agentdesk.StateAvailable, "", e.info.CallID)
		a.dispatchLocked()
		a.mu.Unlock()
		return
	}
	a.mu.Lock()
	a.answerLocked(e, win)
	a.mu.Unlock()
	e.answered(win)
	log.Info("callback answered", "agent", win.Username)
	_ = cc.Bridge(a.ctx, ac)
	hangup(ac)
	hangup(cc)
	a.mu.Lock()
	a.endLocked(e, win, qc)
	a.mu.Unlock()
}
