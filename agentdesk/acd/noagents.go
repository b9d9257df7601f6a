package acd

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// noAgentsLocked chooses what a call that found nobody logged in for q
// gets: q's NoAgents setting, unless it cannot be honoured. An overflow to
// a queue that does not exist, or back to one the call already left, is a
// callback; a callback for a caller without a number is a wait.
func (a *ACD) noAgentsLocked(q *queue, info CallInfo, from []string, log *slog.Logger) agentdesk.NoAgents {
	act := q.cfg.NoAgents
	if act == agentdesk.NoAgentsOverflow {
		_, ok := a.queues[q.cfg.Overflow]
		if ok && !slices.Contains(from, q.cfg.Overflow) {
			return act
		}
		log.Warn("no agents for queue: cannot overflow, offering a callback instead",
			"overflow", q.cfg.Overflow, "known", ok, "from", from)
		act = agentdesk.NoAgentsCallback
	}
	if act == agentdesk.NoAgentsCallback && info.CallerNumber == "" {
		log.Info("no agents for queue: the caller has no number to call back, waiting instead")
		return agentdesk.NoAgentsWait
	}
	if act == "" {
		return agentdesk.NoAgentsCallback
	}
	return act
}

// overflowLocked sends e on to q's overflow queue; called with a.mu held,
// it releases it. The queue it leaves records the call as no_agents with
// the overflow as the reason.
func (a *ACD) overflowLocked(ctx context.Context, e *entry, q *queue, from []string, log *slog.Logger) (Result, error) {
	e.endedAt, e.state = e.queuedAt, finished
	ev := a.callEventLocked(agentdesk.CallEnded, e, nil)
	ev.Outcome, ev.Reason = agentdesk.OutcomeNoAgents, "overflow to "+q.cfg.Overflow
	a.publishLocked(ev)
	a.mu.Unlock()
	log.Info("no agents for queue: overflow", "to", q.cfg.Overflow)
	info := e.info
	info.Queue, info.Skill = q.cfg.Overflow, ""
	return a.enqueue(ctx, e.call, info, append(slices.Clone(from), e.info.Queue))
}

// noAgentsCallbackLocked puts e in q as a callback request that keeps its
// place (as if the caller had pressed 1 at once), then tells the caller
// "no agent is available; your report is registered with number N; we will
// call you back" and hangs up. Called with a.mu held, it releases it.
func (a *ACD) noAgentsCallbackLocked(ctx context.Context, e *entry, q *queue, log *slog.Logger) (Result, error) {
	call := e.call
	q.insert(e)
	ev := a.callEventLocked(agentdesk.CallQueued, e, nil)
	ev.Position = q.position(e)
	a.publishLocked(ev)
	r, pos := a.callbackLocked(e, q, e.queuedAt)
	a.mu.Unlock()
	log.Info("no agents for queue: callback requested", "position", pos)

	lang := e.info.Lang
	ps := []ivr.Prompt{{Sound: lang + "/no-agents"}}
	if e.info.TicketNumber != "" {
		ps = append(ps, ivr.Prompt{Sound: lang + "/report-registered"}, ivr.Prompt{Digits: e.info.TicketNumber, Lang: lang})
	}
	ps = append(ps, ivr.Prompt{Sound: lang + "/callback-confirmed"})
	if err := call.Play(ctx, ps...); err != nil {
		log.Info("no agents for queue: callback notice not heard to the end", "error", err)
	}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	_ = call.Hangup(hctx, ivr.CauseNormal)
	cancel()
	return r, nil
}

// noAgentsWaitPrompts is what a caller who waits in a queue with nobody
// logged in hears first: that no agent is available, and to stay on the
// line.
func noAgentsWaitPrompts(lang string) []ivr.Prompt {
	return []ivr.Prompt{{Sound: lang + "/no-agents"}, {Sound: lang + "/no-agents-wait"}}
}
