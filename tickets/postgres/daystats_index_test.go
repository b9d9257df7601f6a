package postgres

import (
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
)

// The day queries must be able to search migration 0008's index by the
// span: its expression has to match dayCallsWhere exactly, or the planner
// reads every record.
func TestDayStatsUsesTheSpanIndex(t *testing.T) {
	from := time.Date(2026, 4, 5, 6, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	planSearches(t, "ticket_calls_span by the span", map[string]struct {
		sql  string
		args []any
	}{
		"figures":  {dayStatsSQL, []any{from, to, int64(agentdesk.DayBucketWidth / time.Second), []string{"redes"}, []int64{30e6}, []int64{10e6}, int64(20e6), int64(5e6)}},
		"call ids": {dayCallIDsSQL, []any{from, to, from}},
	}, "Index Scan on ticket_calls_span", "Index Cond: (tstzrange(LEAST(queued_at")
}
