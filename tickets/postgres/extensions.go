package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

// Phone extensions: the history of their status (the network page) and the
// ticket opened for an extension's outage (agentdesk/extmon). The engine's
// ivr.ExtensionStatus is the record: it is a plain domain type, and sharing
// it spares the monitor and cmd an adapter.

const recordExtensionSQL = `
WITH e AS (
	INSERT INTO extension_events (extension, state, contact, user_agent, rtt_us, reason, at)
	VALUES ($1, $2, $3, $4, $5, $6, $7)
)
INSERT INTO extension_state (extension, state, contact, user_agent, rtt_us, reason, since, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (extension) DO UPDATE SET state = EXCLUDED.state, contact = EXCLUDED.contact,
	user_agent = EXCLUDED.user_agent, rtt_us = EXCLUDED.rtt_us, reason = EXCLUDED.reason,
	since = EXCLUDED.since, updated_at = EXCLUDED.updated_at`

// RecordExtension appends st to the extension's history and makes it its
// current status, in one statement. st.Since is when the status began (the
// clock's now when zero).
func (db *DB) RecordExtension(ctx context.Context, st ivr.ExtensionStatus) error {
	if strings.TrimSpace(st.Extension) == "" {
		return fmt.Errorf("postgres: record extension: %w", tickets.Errorf(tickets.EINVALID, "an extension status needs an extension"))
	}
	now := db.now()
	at := st.Since.UTC().Truncate(time.Microsecond)
	if st.Since.IsZero() {
		at = now
	}
	_, err := db.pool.Exec(ctx, recordExtensionSQL, st.Extension, string(st.State), st.Contact, st.UserAgent,
		max(st.RTT.Microseconds(), 0), st.Reason, at, now)
	if err != nil {
		return dbErr("record extension "+st.Extension, err)
	}
	return nil
}

// ExtensionStates returns the last recorded status of every extension,
// sorted by extension.
func (db *DB) ExtensionStates(ctx context.Context) ([]ivr.ExtensionStatus, error) {
	rows, err := db.pool.Query(ctx, `SELECT extension, state, contact, user_agent, rtt_us, reason, since
		FROM extension_state ORDER BY extension`)
	if err != nil {
		return nil, dbErr("extension states", err)
	}
	list, err := pgx.CollectRows(rows, scanExtension)
	if err != nil {
		return nil, dbErr("extension states", err)
	}
	return list, nil
}

// ExtensionHistory returns the extension's recorded statuses, newest first,
// at most limit (default 50, at most 500). Since is when each began.
func (db *DB) ExtensionHistory(ctx context.Context, ext string, limit int) ([]ivr.ExtensionStatus, error) {
	limit, _ = pageOf(limit, 0)
	rows, err := db.pool.Query(ctx, `SELECT extension, state, contact, user_agent, rtt_us, reason, at
		FROM extension_events WHERE extension = $1 ORDER BY id DESC LIMIT $2`, ext, limit)
	if err != nil {
		return nil, dbErr("history of extension "+ext, err)
	}
	list, err := pgx.CollectRows(rows, scanExtension)
	if err != nil {
		return nil, dbErr("history of extension "+ext, err)
	}
	return list, nil
}

func scanExtension(r pgx.CollectableRow) (ivr.ExtensionStatus, error) {
	var st ivr.ExtensionStatus
	var state string
	var rtt int64
	err := r.Scan(&st.Extension, &state, &st.Contact, &st.UserAgent, &rtt, &st.Reason, &st.Since)
	st.State, st.RTT = ivr.ExtState(state), time.Duration(rtt)*time.Microsecond
	return st, err
}

// SetExtensionTicket links the extension's outage to ticket number ("" to
// unlink). The extension must have a recorded status.
func (db *DB) SetExtensionTicket(ctx context.Context, ext, number string) error {
	var ticket any
	if number != "" {
		ticket = number
	}
	tag, err := db.pool.Exec(ctx, "UPDATE extension_state SET ticket_number = $2 WHERE extension = $1", ext, ticket)
	if err != nil {
		return dbErr("link extension "+ext+" to ticket "+number, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: link extension: %w", notFound("extension %s has no recorded status", ext))
	}
	return nil
}

// ExtensionTickets maps each extension linked to a ticket to its number.
func (db *DB) ExtensionTickets(ctx context.Context) (map[string]string, error) {
	rows, err := db.pool.Query(ctx, "SELECT extension, ticket_number FROM extension_state WHERE ticket_number IS NOT NULL")
	if err != nil {
		return nil, dbErr("extension tickets", err)
	}
	out := map[string]string{}
	var ext, number string
	_, err = pgx.ForEachRow(rows, []any{&ext, &number}, func() error {
		out[ext] = number
		return nil
	})
	if err != nil {
		return nil, dbErr("extension tickets", err)
	}
	return out, nil
}
