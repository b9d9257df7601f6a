package main

import (
	"context"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/tickets/postgres"
)

// wallboardSource gives the wallboard's day history (web.WallboardSource):
// the counts straight from PostgreSQL (a read that needs none of the
// decorators of the ticket store), and each queue's service level as the
// ACD measures it now (its snapshot carries the configuration in force,
// edits from the admin page included). The short abandon is left to the
// default, which is what the ACD applies: nothing configures it.
type wallboardSource struct {
	db   *postgres.DB
	desk *acd.ACD
}

func (w wallboardSource) DayCallStats(ctx context.Context, q agentdesk.DayStatsQuery) (*agentdesk.DayStats, error) {
	return w.db.DayCallStats(ctx, q)
}

func (w wallboardSource) QueueThresholds() map[string]agentdesk.QueueThresholds {
	s := w.desk.Snapshot()
	out := make(map[string]agentdesk.QueueThresholds, len(s.Queues))
	for _, q := range s.Queues {
		out[q.Name] = agentdesk.QueueThresholds{ServiceLevel: q.Stats.ServiceLevel}
	}
	return out
}
