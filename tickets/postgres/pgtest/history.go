package pgtest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// historySQL loads n tickets over four years (2 minutes apart), with
// history: 99.5% closed, the newest 0.5% open; 50,000 callers with 20
// tickets each over 20 services; one in 20,000 a major incident. Every
// ticket has its "created" entry and a closed one its state change, and
// one ticket in ten a call record. Ticket numbers are "19" and seven
// digits, apart from the store's own (year and sequence). Texts are left
// empty: the search vector of every row is then cheap to compute, and no
// call-path statement searches text.
var historySQL = []string{`
INSERT INTO tickets (number, kind, service, impact, urgency, priority, level, state, channel,
	caller_name, caller_phone, subject, assignee, queue, major_incident, created_at, updated_at, closed_at)
SELECT '19' || lpad(i::text, 7, '0'),
	(ARRAY['complaint', 'incident', 'information_request', 'change_request', 'observation'])[1 + i % 5],
	'svc' || (i % 20), 'medium', 'medium', 1 + i % 4, 1 + i % 2,
	CASE WHEN i > $1 - $1 / 200 THEN (ARRAY['registered', 'in_progress', 'pending_user', 'on_hold'])[1 + i % 4] ELSE 'closed' END,
	'phone', '', '+5255' || lpad((i % 50000)::text, 8, '0'), '',
	'agent' || (i % 20), 'soporte', i % 20000 = 0, at, at,
	CASE WHEN i > $1 - $1 / 200 THEN NULL ELSE at + interval '1 hour' END
FROM generate_series(1, $1::int) i, LATERAL (SELECT $2::timestamptz - ($1::int - i) * interval '2 minutes' AS at) x`, `
INSERT INTO ticket_history (ticket_id, at, actor, field, from_value, to_value)
SELECT id, created_at, 'ivr', 'created', '', 'registered' FROM tickets WHERE number LIKE '19%'
UNION ALL
SELECT id, closed_at, 'agent', 'state', 'registered', 'closed' FROM tickets WHERE closed_at IS NOT NULL`, `
INSERT INTO ticket_calls (ticket_id, call_id, queue, agent, caller_id, started_at, queued_at, answered_at, ended_at, outcome)
SELECT id, 'hist-' || id, 'soporte', 'agent1', caller_phone, created_at, created_at, created_at + interval '20 seconds',
	created_at + interval '5 minutes', 'answered'
FROM tickets WHERE id % 10 = 0`}

// LoadHistory loads n tickets with their history (historySQL), the newest
// created at newest, into the migrated database at url, quickly: in one
// transaction with triggers (foreign key checks and NOTIFYs included) off,
// and with the secondary indexes of the loaded tables dropped first and
// built again after, from their own definitions in the catalog, so that
// none is left out. ANALYZE follows, as autovacuum would. logf (t.Logf,
// b.Logf) hears how long each step took. TestCallPathIndexes and the
// call-path benchmark share it.
func LoadHistory(ctx context.Context, url string, n int, newest time.Time, logf func(format string, args ...any)) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		step := time.Now()
		lap := func(what string) {
			logf("load: %s in %v", what, time.Since(step).Round(time.Millisecond))
			step = time.Now()
		}
		rows, err := tx.Query(ctx, `SELECT i.indexname, i.indexdef FROM pg_indexes i
			WHERE i.schemaname = current_schema() AND i.tablename IN ('tickets', 'ticket_history', 'ticket_calls')
			  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`)
		if err != nil {
			return err
		}
		type index struct{ name, def string }
		indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
			var x index
			return x, r.Scan(&x.name, &x.def)
		})
		if err != nil {
			return err
		}
		for _, x := range indexes {
			if _, err := tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{x.name}.Sanitize()); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
			return err
		}
		for i, sql := range historySQL {
			var args []any
			if i == 0 {
				args = []any{n, newest}
			}
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				return fmt.Errorf("%w\n%s", err, sql)
			}
			lap(strings.Fields(sql)[0] + " " + strings.Fields(sql)[2])
		}
		for _, x := range indexes {
			if _, err := tx.Exec(ctx, x.def); err != nil {
				return fmt.Errorf("%s: %w", x.def, err)
			}
		}
		lap(fmt.Sprintf("%d indexes built", len(indexes)))
		for _, tb := range []string{"tickets", "ticket_history", "ticket_calls"} {
			if _, err := tx.Exec(ctx, "ANALYZE "+tb); err != nil {
				return err
			}
		}
		lap("ANALYZE")
		return nil
	})
}
