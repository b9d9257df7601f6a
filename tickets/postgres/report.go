package postgres

import (
	"context"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

var _ tickets.ReportStore = (*DB)(nil)

// weekTicketsSQL reads the few columns the weekly report needs. Every
// qualifying ticket was created before $2, which the created_at index
// serves; resolved_at and first_response_at are not indexed, so a week
// long past reads only the tickets created before it ends.
const weekTicketsSQL = `
SELECT number, kind, service, state, caller_phone, caller_extension,
	created_at, first_response_at, resolved_at, response_due, resolution_due
FROM tickets
WHERE created_at < $2
	AND (created_at >= $1
		OR (resolved_at >= $1 AND resolved_at < $2)
		OR (first_response_at >= $1 AND first_response_at < $2))
ORDER BY created_at, id`

// WeekTickets returns every ticket created, first responded to or resolved
// in [from, to), for the weekly fault report.
func (db *DB) WeekTickets(ctx context.Context, from, to time.Time) ([]tickets.ReportTicket, error) {
	rows, err := db.pool.Query(ctx, weekTicketsSQL, from, to)
	if err != nil {
		return nil, dbErr("week tickets", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.ReportTicket, error) {
		var t tickets.ReportTicket
		err := r.Scan(&t.Number, &t.Kind, &t.Service, &t.State, &t.CallerPhone, &t.CallerExtension,
			&t.CreatedAt, &t.FirstResponseAt, &t.ResolvedAt, &t.ResponseDue, &t.ResolutionDue)
		return t, err
	})
	if err != nil {
		return nil, dbErr("week tickets", err)
	}
	return list, nil
}
