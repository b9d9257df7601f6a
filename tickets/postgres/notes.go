package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

// AddNote appends a note and a "note" history entry. A note does not change
// the ticket's fields, so it does not bump Version (an agent editing the
// ticket is not made to reload because someone commented); it does touch
// UpdatedAt.
func (db *DB) AddNote(ctx context.Context, number string, n *tickets.Note) error {
	if strings.TrimSpace(n.Body) == "" {
		return fmt.Errorf("postgres: add note: %w", tickets.Errorf(tickets.EINVALID, "a note needs a body"))
	}
	now := db.now()
	kind := "public"
	if n.Internal {
		kind = "internal"
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, "UPDATE tickets SET updated_at = $2 WHERE number = $1 RETURNING id", number, now).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("ticket %s does not exist", number)
		} else if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO ticket_notes (ticket_id, author, body, internal, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, id, n.Author, n.Body, n.Internal, now).Scan(&n.ID); err != nil {
			return err
		}
		return appendHistory(ctx, tx, id, now, n.Author, "", []entry{{"note", "", kind}})
	})
	if err != nil {
		return dbErr("add note to ticket "+number, err)
	}
	n.CreatedAt = now
	return nil
}

// Notes returns the ticket's notes, oldest first; internal ones only when asked.
func (db *DB) Notes(ctx context.Context, number string, includeInternal bool) ([]tickets.Note, error) {
	id, err := ticketID(ctx, db.pool, number)
	if err != nil {
		return nil, dbErr("notes of "+number, err)
	}
	rows, err := db.pool.Query(ctx, `SELECT id, author, body, internal, created_at FROM ticket_notes
		WHERE ticket_id = $1 AND (NOT internal OR $2) ORDER BY id`, id, includeInternal)
	if err != nil {
		return nil, dbErr("notes of "+number, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.Note, error) {
		var n tickets.Note
		err := r.Scan(&n.ID, &n.Author, &n.Body, &n.Internal, &n.CreatedAt)
		return n, err
	})
	if err != nil {
		return nil, dbErr("notes of "+number, err)
	}
	return list, nil
}

// AddCall attaches a call record to the ticket and notes it in the history,
// in one statement (it is on every call's way to the queue).
func (db *DB) AddCall(ctx context.Context, number string, r tickets.CallRecord) error {
	if r.CallID == "" {
		return fmt.Errorf("postgres: add call: %w", tickets.Errorf(tickets.EINVALID, "a call record needs a call id"))
	}
	now := db.now()
	if r.StartedAt.IsZero() {
		r.StartedAt = now
	}
	var found bool
	err := db.pool.QueryRow(ctx, `WITH t AS (SELECT id FROM tickets WHERE number = $1),
		c AS (
			INSERT INTO ticket_calls (ticket_id, call_id, queue, agent, caller_id,
				started_at, queued_at, answered_at, ended_at, outcome)
			SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM t
			RETURNING ticket_id
		),
		h AS (
			INSERT INTO ticket_history (ticket_id, at, actor, field, from_value, to_value, reason)
			SELECT ticket_id, $11, $4, 'call', '', $2, '' FROM c
		)
		SELECT EXISTS (SELECT 1 FROM t)`,
		number, r.CallID, r.Queue, r.Agent, r.CallerID, r.StartedAt, r.QueuedAt, r.AnsweredAt, r.EndedAt, r.Outcome,
		now).Scan(&found)
	if err == nil && !found {
		err = notFound("ticket %s does not exist", number)
	}
	if err != nil {
		return dbErr("add call "+r.CallID+" to ticket "+number, err)
	}
	return nil
}

// UpdateCall updates the call record with r.CallID as the call goes on: set
// fields of r overwrite, empty ones keep what is stored.
func (db *DB) UpdateCall(ctx context.Context, r tickets.CallRecord) error {
	var started any
	if !r.StartedAt.IsZero() {
		started = r.StartedAt
	}
	tag, err := db.pool.Exec(ctx, `UPDATE ticket_calls SET
		queue = COALESCE(NULLIF($2, ''), queue), agent = COALESCE(NULLIF($3, ''), agent),
		caller_id = COALESCE(NULLIF($4, ''), caller_id), started_at = COALESCE($5, started_at),
		queued_at = COALESCE($6, queued_at), answered_at = COALESCE($7, answered_at),
		ended_at = COALESCE($8, ended_at), outcome = COALESCE(NULLIF($9, ''), outcome)
		WHERE call_id = $1`,
		r.CallID, r.Queue, r.Agent, r.CallerID, started, r.QueuedAt, r.AnsweredAt, r.EndedAt, r.Outcome)
	if err != nil {
		return dbErr("update call "+r.CallID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: update call: %w", notFound("call %s does not exist", r.CallID))
	}
	return nil
}

// Calls returns the ticket's calls in the order they started.
func (db *DB) Calls(ctx context.Context, number string) ([]tickets.CallRecord, error) {
	id, err := ticketID(ctx, db.pool, number)
	if err != nil {
		return nil, dbErr("calls of "+number, err)
	}
	rows, err := db.pool.Query(ctx, `SELECT call_id, queue, agent, caller_id, started_at, queued_at, answered_at,
		ended_at, outcome FROM ticket_calls WHERE ticket_id = $1 ORDER BY started_at, id`, id)
	if err != nil {
		return nil, dbErr("calls of "+number, err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tickets.CallRecord, error) {
		var r tickets.CallRecord
		err := row.Scan(&r.CallID, &r.Queue, &r.Agent, &r.CallerID, &r.StartedAt, &r.QueuedAt, &r.AnsweredAt, &r.EndedAt, &r.Outcome)
		return r, err
	})
	if err != nil {
		return nil, dbErr("calls of "+number, err)
	}
	return list, nil
}
