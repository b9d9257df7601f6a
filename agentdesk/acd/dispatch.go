package acd

import (
	"slices"
	"strings"

	"github.com/atiende/atiende/agentdesk"
)

// dispatchLocked offers waiting calls to available agents until no pair
// matches. It runs in the same critical section as every change that can
// free an agent or add a call, which is what makes offers immediate and
// exclusive.
func (a *ACD) dispatchLocked() {
	if a.ctx.Err() != nil {
		return
	}
	for {
		free := a.freeAgentsLocked()
		if len(free) == 0 {
			return
		}
		var best *entry
		var bestAgents []*agent
		for _, q := range a.queues {
			for _, e := range q.calls {
				if best != nil && !before(e, best) {
					break // so are the rest of this queue
				}
				if e.state != waiting {
					continue
				}
				if ags := pick(q, e, free); len(ags) > 0 {
					best, bestAgents = e, ags
					break // later calls of this queue come after e
				}
			}
		}
		if best == nil {
			return
		}
		a.offerLocked(best, bestAgents)
	}
}

// before orders calls across queues: priority, then arrival.
func before(x, y *entry) bool {
	if x.info.Priority != y.info.Priority {
		return x.info.Priority > y.info.Priority
	}
	return x.seq < y.seq
}

func (a *ACD) freeAgentsLocked() []*agent {
	var free []*agent
	for _, ag := range a.agents {
		if ag.State == agentdesk.StateAvailable && !ag.cooling && len(a.internal[ag.Extension]) == 0 {
			free = append(free, ag)
		}
	}
	return free
}

// pick chooses the agents to ring for e: among free agents with the skill,
// those with the lowest penalty, then one of them by strategy (ring_all
// rings them all).
func pick(q *queue, e *entry, free []*agent) []*agent {
	skill := e.info.Skill
	if skill == "" {
		skill = q.cfg.Skill
	}
	var tier []*agent
	best := 0
	for _, ag := range free {
		p, ok := ag.Skills[skill]
		switch {
		case !ok:
		case len(tier) == 0 || p < best:
			tier, best = append(tier[:0], ag), p
		case p == best:
			tier = append(tier, ag)
		}
	}
	if len(tier) == 0 {
		return nil
	}
	byName := func(x, y *agent) int { return strings.Compare(x.Username, y.Username) }
	switch q.cfg.Strategy {
	case agentdesk.RingAll:
		slices.SortFunc(tier, byName)
		return tier
	case agentdesk.RoundRobin:
		slices.SortFunc(tier, byName)
		for _, ag := range tier {
			if ag.Username > q.lastRR {
				return []*agent{ag}
			}
		}
		return tier[:1]
	case agentdesk.FewestCalls:
		return []*agent{slices.MinFunc(tier, func(x, y *agent) int {
			if x.CallsTaken != y.CallsTaken {
				return x.CallsTaken - y.CallsTaken
			}
			return longestIdle(x, y)
		})}
	default:
		return []*agent{slices.MinFunc(tier, longestIdle)}
	}
}

func longestIdle(x, y *agent) int {
	if c := x.idleSince().Compare(y.idleSince()); c != 0 {
		return c
	}
	return strings.Compare(x.Username, y.Username)
}

// offerLocked reserves e and agents and hands the offer to whoever rings:
// the goroutine waiting with the caller, or a new callback goroutine.
func (a *ACD) offerLocked(e *entry, agents []*agent) {
	q := a.queues[e.info.Queue]
	e.state, e.ringing, e.last, e.offeredAt = offered, agents, agents[0], a.now()
	if q.cfg.Strategy == agentdesk.RoundRobin {
		q.lastRR = agents[0].Username
	}
	for _, ag := range agents {
		ag.stopTimer()
		a.setStateLocked(ag, agentdesk.StateRinging, "", e.info.CallID)
		ev := a.callEventLocked(agentdesk.CallOffered, e, ag)
		ev.Position = q.position(e)
		a.publishLocked(ev)
	}
	if e.callback {
		a.wg.Add(1)
		go a.runCallback(e, agents, q.cfg)
		return
	}
	e.offers <- agents
}
