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
	var running []string
	for _, s := range tickets.States {
		if s.Open() && !s.Paused() {
			running = append(running, string(s))
		}
	}
	now = now.UTC()
	const watched = `state = ANY ($1) AND resolution_due IS NOT NULL
		AND $2::timestamptz >= created_at + ($3::float8 * (resolution_due - created_at))`
	err = db.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE resolution_due < $2), count(*) FILTER (WHERE resolution_due >= $2)
		FROM tickets WHERE `+watched, running, now, nearFraction).Scan(&past, &near)
	if err != nil {
		return nil, 0, 0, dbErr("count tickets near their SLA", err)
	}
	if past+near == 0 {
		return nil, 0, 0, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+ticketCols+` FROM (
		SELECT *, row_number() OVER (PARTITION BY resolution_due < $2 ORDER BY resolution_due, id) AS rn
		FROM tickets WHERE `+watched+`) w
		WHERE rn <= $4 ORDER BY resolution_due, id`, running, now, nearFraction, limit)
	if err != nil {
		return nil, 0, 0, dbErr("list tickets near their SLA", err)
	}
	list, err = collectTickets(rows)
	if err != nil {
		return nil, 0, 0, dbErr("list tickets near their SLA", err)
	}
	return list, past, near, nil
}
