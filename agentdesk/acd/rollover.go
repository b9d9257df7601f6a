package acd

import (
	"context"
	"time"

	"github.com/atiende/atiende/tickets"
)

// ResetStatsDaily starts the queues' counters from zero at every midnight
// of zone (the help desk's, when the wallboard's day chart starts a new
// day), until ctx is done. after is time.After (tests pass their own).
func (a *ACD) ResetStatsDaily(ctx context.Context, zone *time.Location, now func() time.Time,
	after func(time.Duration) <-chan time.Time) {
	for {
		t := now().In(zone)
		next := tickets.DateOf(t, zone).End(zone)
		select {
		case <-ctx.Done():
			return
		case <-after(next.Sub(t)):
			a.ResetStats()
			a.log.Info("queue counters start a new day", "date", tickets.DateOf(next, zone).String())
		}
	}
}
