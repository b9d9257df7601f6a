package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// The day queries must be able to search migration 0008's index by the
// span: its expression has to match dayCallsWhere exactly, or the planner
// reads every record. Sequential scans are turned off so that the nearly
// empty test table does not make them the cheaper plan.
func TestDayStatsUsesTheSpanIndex(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.DB(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 4, 5, 6, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	for name, q := range map[string]struct {
		sql  string
		args []any
	}{
		"figures":  {dayStatsSQL, []any{from, to, int64(agentdesk.DayBucketWidth / time.Second), []string{"redes"}, []int64{30e6}, []int64{10e6}, int64(20e6), int64(5e6)}},
		"call ids": {dayCallIDsSQL, []any{from, to, from}},
	} {
		var plan []string
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, "EXPLAIN "+q.sql, q.args...)
			if err != nil {
				return err
			}
			plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatalf("%s: explain: %v", name, err)
		}
		p := strings.Join(plan, "\n")
		if !strings.Contains(p, "Index Scan on ticket_calls_span") || !strings.Contains(p, "Index Cond: (tstzrange(LEAST(queued_at") {
			t.Errorf("%s: the plan does not search ticket_calls_span by the span:\n%s", name, p)
		}
	}
}
