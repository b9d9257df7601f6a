package postgres

import (
	"context"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

// OpenTicketCounts counts the open tickets (tickets.State.Open) by state,
// priority and level, for the atiende_tickets_open gauge. Groups with no
// ticket are absent. One grouped query over the tickets_state index.
func (db *DB) OpenTicketCounts(ctx context.Context) ([]tickets.OpenCount, error) {
	var open []tickets.State
	for _, s := range tickets.States {
		if s.Open() {
			open = append(open, s)
		}
	}
	// The states as literals (statesSQL): a generic plan keeps the index.
	rows, err := db.pool.Query(ctx, `SELECT state, priority, level, count(*) FROM tickets
		WHERE `+statesSQL(open)+` GROUP BY state, priority, level ORDER BY state, priority, level`)
	if err != nil {
		return nil, dbErr("count open tickets", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.OpenCount, error) {
		var c tickets.OpenCount
		var state string
		var priority, level int16
		var n int64
		err := r.Scan(&state, &priority, &level, &n)
		c.State, c.Priority, c.Level, c.Count = tickets.State(state), tickets.Priority(priority), int(level), int(n)
		return c, err
	})
	if err != nil {
		return nil, dbErr("count open tickets", err)
	}
	return out, nil
}
