package acd

import (
	"fmt"

	"github.com/atiende/atiende/agentdesk"
)

// AddStats adds counts recorded before this ACD started to a queue's
// counters: after a restart, the day's call records, so that the live
// figures agree with the day's history. Call it before calls arrive. The
// service level threshold and the handle time average are not touched.
func (a *ACD) AddStats(queue string, s agentdesk.QueueStats) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	q, ok := a.queues[queue]
	if !ok {
		return fmt.Errorf("acd: add stats to %s: %w", queue, agentdesk.ErrUnknownQueue)
	}
	st := &q.stats
	st.Entered += s.Entered
	st.Answered += s.Answered
	st.Abandoned += s.Abandoned
	st.ShortAbandoned += s.ShortAbandoned
	st.Callbacks += s.Callbacks
	st.CallbacksDone += s.CallbacksDone
	st.Timeouts += s.Timeouts
	st.NoAgents += s.NoAgents
	st.AnsweredInSL += s.AnsweredInSL
	st.TotalAnswerWait += s.TotalAnswerWait
	st.TotalTalk += s.TotalTalk
	return nil
}

// ResetStats starts every queue's counters again from zero (at midnight:
// the live table counts the day, like the day's history). The service level
// threshold and the handle time average stay.
func (a *ACD) ResetStats() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, q := range a.queues {
		q.stats = agentdesk.QueueStats{AvgHandle: q.stats.AvgHandle}
	}
}
