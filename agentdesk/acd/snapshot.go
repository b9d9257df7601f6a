package acd

import (
	"slices"
	"strings"

	"github.com/atiende/atiende/agentdesk"
)

// Snapshot returns every queue and agent now, with the Seq of the last
// event published before it, so a wallboard can apply later events on top.
func (a *ACD) Snapshot() agentdesk.Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	s := agentdesk.Snapshot{At: now, Seq: a.seq, Agents: a.agentsLocked()}
	for _, q := range a.queues {
		qs := agentdesk.QueueSnapshot{Name: q.cfg.Name, Strategy: q.cfg.Strategy, Stats: q.stats, Calls: []agentdesk.WaitingCall{}}
		qs.Stats.ServiceLevel, qs.Stats.AvgHandle = q.cfg.ServiceLevel, q.aht
		qs.WrapUp = max(q.cfg.WrapUp, 0)
		for i, e := range q.calls {
			wc := agentdesk.WaitingCall{
				CallID: e.info.CallID, Queue: e.info.Queue, TicketNumber: e.info.TicketNumber,
				CallerNumber: e.info.CallerNumber, CallerName: e.info.CallerName, IVRPath: e.info.IVRPath, Lang: e.info.Lang,
				Priority: e.info.Priority, Position: i + 1, EnteredQueueAt: e.queuedAt, Callback: e.callback,
			}
			for _, ag := range e.ringing {
				wc.Ringing = append(wc.Ringing, ag.Username)
			}
			qs.Calls = append(qs.Calls, wc)
			qs.Waiting++
			if e.callback {
				qs.CallbacksPending++
			}
			qs.LongestWait = max(qs.LongestWait, now.Sub(e.queuedAt))
		}
		for _, ag := range a.agents {
			if _, ok := ag.Skills[q.cfg.Skill]; ok {
				qs.Agents = append(qs.Agents, ag.Username)
			}
		}
		slices.Sort(qs.Agents)
		s.Queues = append(s.Queues, qs)
	}
	slices.SortFunc(s.Queues, func(x, y agentdesk.QueueSnapshot) int { return strings.Compare(x.Name, y.Name) })
	return s
}
