package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atiende/atiende/tickets"
)

// AddIVRCall keeps a call record that belongs to no ticket: a call that
// ended in the IVR (outcome abandoned_ivr). A second record with the same
// call ID is ignored.
func (db *DB) AddIVRCall(ctx context.Context, r tickets.CallRecord) error {
	if r.CallID == "" || r.Outcome == "" {
		return fmt.Errorf("postgres: add ivr call: %w", tickets.Errorf(tickets.EINVALID, "an IVR call record needs a call id and an outcome"))
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = db.now()
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO ticket_calls (ticket_id, call_id, queue, agent, caller_id,
		started_at, queued_at, answered_at, ended_at, outcome)
		VALUES (NULL, $1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (call_id) DO NOTHING`,
		r.CallID, r.Queue, r.Agent, r.CallerID, r.StartedAt, r.QueuedAt, r.AnsweredAt, r.EndedAt, r.Outcome)
	if err != nil {
		return dbErr("add ivr call "+r.CallID, err)
	}
	return nil
}

// IVRCalls lists the call records with no ticket that started in
// [from, to), oldest first.
func (db *DB) IVRCalls(ctx context.Context, from, to time.Time) ([]tickets.CallRecord, error) {
	rows, err := db.pool.Query(ctx, `SELECT call_id, queue, agent, caller_id, started_at, queued_at, answered_at,
		ended_at, outcome FROM ticket_calls WHERE ticket_id IS NULL AND started_at >= $1 AND started_at < $2
		ORDER BY started_at, id`, from, to)
	if err != nil {
		return nil, dbErr("ivr calls", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.CallRecord, error) {
		var r tickets.CallRecord
		err := row.Scan(&r.CallID, &r.Queue, &r.Agent, &r.CallerID, &r.StartedAt, &r.QueuedAt, &r.AnsweredAt, &r.EndedAt, &r.Outcome)
		return r, err
	})
	if err != nil {
		return nil, dbErr("ivr calls", err)
	}
	return list, nil
}
