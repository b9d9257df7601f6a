package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// The survey aggregates and the latest comments search migration 0009's
// partial index by the answer time, not every survey ever sent.
func TestSurveyStatsUseTheAnsweredIndex(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.DB(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	to := from.Add(7 * 24 * time.Hour)
	for name, q := range map[string]struct {
		sql  string
		args []any
	}{
		"figures":  {surveyStatsSQL, []any{from, to}},
		"comments": {surveyCommentsSQL, []any{from, to, 20}},
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
		if !strings.Contains(p, "surveys_answered_at") || !strings.Contains(p, "Index Cond: ((answered_at >=") {
			t.Errorf("%s: the plan does not search surveys_answered_at by the answer time:\n%s", name, p)
		}
	}
}
