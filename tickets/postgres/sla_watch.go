package postgres

import (
	"context"
	"time"

	"github.com/atiende/atiende/tickets"
)

// SLAWatch finds the tickets near or past their resolution SLA, for the
// supervisors' wallboard. It looks at open tickets whose SLA clock runs
// (tickets.State.Open and not Paused: pending_user and on_hold stop the
// clock, so their due time is not a deadline while they wait) and that carry
// a resolution_due. A ticket is past when resolution_due < now, and near when
// it is not past yet and at least nearFraction (e.g. 0.75) of the time from
// created_at to resolution_due has elapsed (wall-clock; the due time itself
// already follows the SLA calendar).
//
// list holds up to limit past tickets and up to limit near ones (limit <= 0:
// 20), both ordered by resolution_due, soonest first; the caller tells them
// apart by ResolutionDue.Before(now). past and near count every such ticket,
// beyond limit too.
func (db *DB) SLAWatch(ctx context.Context, now time.Time, nearFraction float64, limit int) (list []*tickets.Ticket, past, near int, err error) {
	if limit <= 0 {
		limit = 20
	}
	if nearFraction < 0 {
		nearFraction = 0
	}
	var running []tickets.State
	for _, s := range tickets.States {
		if s.Open() && !s.Paused() {
			running = append(running, s)
		}
	}
	now = now.UTC()
	// The states as literals (statesSQL): a generic plan keeps the index.
	watched := statesSQL(running) + ` AND resolution_due IS NOT NULL
		AND $1::timestamptz >= created_at + ($2::float8 * (resolution_due - created_at))`
	err = db.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE resolution_due < $1), count(*) FILTER (WHERE resolution_due >= $1)
		FROM tickets WHERE `+watched, now, nearFraction).Scan(&past, &near)
	if err != nil {
		return nil, 0, 0, dbErr("count tickets near their SLA", err)
	}
	if past+near == 0 {
		return nil, 0, 0, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+ticketCols+` FROM (
		SELECT *, row_number() OVER (PARTITION BY resolution_due < $1 ORDER BY resolution_due, id) AS rn
		FROM tickets WHERE `+watched+`) w
		WHERE rn <= $3 ORDER BY resolution_due, id`, now, nearFraction, limit)
	if err != nil {
		return nil, 0, 0, dbErr("list tickets near their SLA", err)
	}
	list, err = collectTickets(rows)
	if err != nil {
		return nil, 0, 0, dbErr("list tickets near their SLA", err)
	}
	return list, past, near, nil
}
