package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

var _ agentdesk.QueueSettingsStore = (*DB)(nil)

const queueSettingsCols = `queue, strategy, ring_timeout_ms, wrap_up_ms, max_wait_ms, announce_interval_ms,
	service_level_ms, auto_pause, no_agents, overflow, reverted, updated_by, updated_at, version`

func scanQueueSettings(row pgx.Row) (*agentdesk.QueueSettings, error) {
	var (
		s                         agentdesk.QueueSettings
		ring, wrap, wait, ann, sl int64
	)
	err := row.Scan(&s.Queue, &s.Strategy, &ring, &wrap, &wait, &ann, &sl, &s.AutoPause, &s.NoAgents, &s.Overflow, &s.Reverted,
		&s.UpdatedBy, &s.UpdatedAt, &s.Version)
	ms := func(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
	s.RingTimeout, s.WrapUp, s.MaxWait, s.AnnounceInterval, s.ServiceLevel = ms(ring), ms(wrap), ms(wait), ms(ann), ms(sl)
	return &s, err
}

// ListQueueSettings returns every queue's saved settings, reverted ones
// included, by queue name.
func (db *DB) ListQueueSettings(ctx context.Context) ([]agentdesk.QueueSettings, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+queueSettingsCols+" FROM queue_settings ORDER BY queue")
	if err != nil {
		return nil, dbErr("list queue settings", err)
	}
	list, err := pgx.CollectRows(rows, byValue(scanQueueSettings))
	if err != nil {
		return nil, dbErr("list queue settings", err)
	}
	return list, nil
}

// PutQueueSettings saves s over the queue's configured values if the
// queue's settings are still at version expected (0: never saved).
func (db *DB) PutQueueSettings(ctx context.Context, s *agentdesk.QueueSettings, expected int) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return fmt.Errorf("postgres: put queue settings: %w", err)
	}
	if s.UpdatedBy == "" {
		return fmt.Errorf("postgres: put queue settings: %w", tickets.Errorf(tickets.EINVALID, "queue settings of %s: the actor is required", s.Queue))
	}
	if expected < 0 {
		return fmt.Errorf("postgres: put queue settings: %w", tickets.Errorf(tickets.EINVALID, "queue settings of %s: version %d is negative", s.Queue, expected))
	}
	now := db.now()
	args := []any{s.Queue, s.Strategy, s.RingTimeout.Milliseconds(), s.WrapUp.Milliseconds(), s.MaxWait.Milliseconds(),
		s.AnnounceInterval.Milliseconds(), s.ServiceLevel.Milliseconds(), s.AutoPause, s.UpdatedBy, now, expected,
		s.NoAgents, s.Overflow}
	var sql string
	if expected == 0 {
		sql = `INSERT INTO queue_settings (queue, strategy, ring_timeout_ms, wrap_up_ms, max_wait_ms, announce_interval_ms,
			service_level_ms, auto_pause, updated_by, updated_at, version, no_agents, overflow)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 + 1, $12, $13)
			ON CONFLICT (queue) DO NOTHING RETURNING version`
	} else {
		sql = `UPDATE queue_settings SET strategy = $2, ring_timeout_ms = $3, wrap_up_ms = $4, max_wait_ms = $5,
			announce_interval_ms = $6, service_level_ms = $7, auto_pause = $8, no_agents = $12, overflow = $13,
			reverted = false, updated_by = $9,
			updated_at = $10, version = version + 1
			WHERE queue = $1 AND version = $11 RETURNING version`
	}
	var v int
	err := db.pool.QueryRow(ctx, sql, args...).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.staleQueueSettings(ctx, "put", s.Queue, expected)
	} else if err != nil {
		return dbErr("put queue settings of "+s.Queue, err)
	}
	s.Version, s.UpdatedAt, s.Reverted = v, now, false
	return nil
}

// DeleteQueueSettings puts the queue back on its configured values.
func (db *DB) DeleteQueueSettings(ctx context.Context, queue string, expected int, actor string) (*agentdesk.QueueSettings, error) {
	queue, actor = strings.TrimSpace(queue), strings.TrimSpace(actor)
	if actor == "" {
		return nil, fmt.Errorf("postgres: delete queue settings: %w", tickets.Errorf(tickets.EINVALID, "queue settings of %s: the actor is required", queue))
	}
	var out *agentdesk.QueueSettings
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := scanQueueSettings(tx.QueryRow(ctx, "SELECT "+queueSettingsCols+" FROM queue_settings WHERE queue = $1 FOR UPDATE", queue))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return notFound("queue %s has no saved settings", queue)
		case err != nil:
			return err
		case cur.Version != expected:
			return staleErr(queue, expected, cur)
		case cur.Reverted:
			out = cur
			return nil
		}
		out, err = scanQueueSettings(tx.QueryRow(ctx, `UPDATE queue_settings
			SET reverted = true, updated_by = $2, updated_at = $3, version = version + 1
			WHERE queue = $1 RETURNING `+queueSettingsCols, queue, actor, db.now()))
		return err
	})
	if err != nil {
		return nil, dbErr("delete queue settings of "+queue, err)
	}
	return out, nil
}

// staleQueueSettings explains why a change based on version expected was
// refused: someone else changed the queue's settings since.
func (db *DB) staleQueueSettings(ctx context.Context, what, queue string, expected int) error {
	cur, err := scanQueueSettings(db.pool.QueryRow(ctx, "SELECT "+queueSettingsCols+" FROM queue_settings WHERE queue = $1", queue))
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s queue settings: %w", what, tickets.Errorf(tickets.ECONFLICT,
			"queue %s has no saved settings (version 0), not version %d: reload and try again", queue, expected))
	} else if err != nil {
		return dbErr(what+" queue settings of "+queue, err)
	}
	return fmt.Errorf("postgres: %s queue settings: %w", what, staleErr(queue, expected, cur))
}

func staleErr(queue string, expected int, cur *agentdesk.QueueSettings) error {
	return tickets.Errorf(tickets.ECONFLICT, "the settings of queue %s were changed by %s at %s (version %d, not %d): reload and try again",
		queue, cur.UpdatedBy, cur.UpdatedAt.UTC().Format(time.RFC3339), cur.Version, expected)
}
