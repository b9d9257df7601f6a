package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/atiende/atiende/tickets/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// planSearches EXPLAINs each query on a new migrated database and fails
// the ones whose plan lacks any of want: an index the query must be able to
// search (what, for the message). Sequential scans are turned off so that
// the nearly empty test table does not make them the cheaper plan.
func planSearches(t *testing.T, what string, queries map[string]struct {
	sql  string
	args []any
}, want ...string) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, pgtest.DB(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for name, q := range queries {
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
		for _, w := range want {
			if !strings.Contains(p, w) {
				t.Errorf("%s: the plan does not search %s (no %q):\n%s", name, what, w, p)
				break
			}
		}
	}
}
