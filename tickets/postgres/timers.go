package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/jackc/pgx/v5"
)

// TimersChannel is the NOTIFY channel Schedule and Sync signal on.
const TimersChannel = "atiende_timers"

// Timers is the durable escalation.TimerStore on the timers table. Every
// instant comes from the caller (the worker's injected clock), never from
// SQL now(), so tests can move time.
type Timers struct{ db *DB }

var _ escalation.TimerStore = (*Timers)(nil)

// Timers returns the TimerStore of db.
func (db *DB) Timers() *Timers { return &Timers{db: db} }

// scheduleSQL upserts by key. A pending row takes the new plan (a claimed
// one keeps its lease: run_at never moves before locked_until), a cancelled
// one becomes pending again from scratch, a done one is left alone.
const scheduleSQL = `
INSERT INTO timers AS t (key, kind, ticket_number, level, due_at, template, ref, reason, actor, run_at)
SELECT * , u.due FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::timestamptz[],
	$6::text[], $7::text[], $8::text[], $9::text[]) AS u(key, kind, ticket, level, due, template, ref, reason, actor)
ON CONFLICT (key) DO UPDATE SET
	kind = EXCLUDED.kind, ticket_number = EXCLUDED.ticket_number, level = EXCLUDED.level,
	due_at = EXCLUDED.due_at, template = EXCLUDED.template, ref = EXCLUDED.ref,
	reason = EXCLUDED.reason, actor = EXCLUDED.actor,
	run_at = CASE WHEN t.state = 'pending' THEN greatest(EXCLUDED.due_at, t.locked_until) ELSE EXCLUDED.due_at END,
	locked_until = CASE WHEN t.state = 'pending' THEN t.locked_until END,
	token = CASE WHEN t.state = 'pending' THEN t.token END,
	attempts = CASE WHEN t.state = 'pending' THEN t.attempts ELSE 0 END,
	last_error = CASE WHEN t.state = 'pending' THEN t.last_error ELSE '' END,
	state = 'pending'
WHERE t.state <> 'done'`

// Schedule inserts or updates actions by Key and wakes the workers.
func (s *Timers) Schedule(ctx context.Context, actions ...escalation.Action) error {
	if len(actions) == 0 {
		return nil
	}
	err := s.db.inTx(ctx, func(tx pgx.Tx) error { return schedule(ctx, tx, actions) })
	if err != nil {
		return dbErr("schedule timers", err)
	}
	return nil
}

func schedule(ctx context.Context, tx pgx.Tx, actions []escalation.Action) error {
	actions = lastByKey(actions)
	n := len(actions)
	keys, kinds, tks, tpls, refs, reasons, actors := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	levels, dues := make([]int16, n), make([]time.Time, n)
	for i, a := range actions {
		if a.Key == "" {
			return fmt.Errorf("action %d (%s) has no key", i, a.Kind)
		}
		keys[i], kinds[i], tks[i], tpls[i] = a.Key, string(a.Kind), a.TicketNumber, string(a.Template)
		refs[i], reasons[i], actors[i] = a.Ref, a.Reason, a.Actor
		levels[i], dues[i] = int16(a.Level), a.DueAt.UTC()
	}
	if _, err := tx.Exec(ctx, scheduleSQL, keys, kinds, tks, levels, dues, tpls, refs, reasons, actors); err != nil {
		return err
	}
	// Delivered on commit; identical notifications in one transaction fold.
	_, err := tx.Exec(ctx, "SELECT pg_notify($1, '')", TimersChannel)
	return err
}

// lastByKey keeps the last action of each key: one statement may not
// update a row twice.
func lastByKey(actions []escalation.Action) []escalation.Action {
	at := make(map[string]int, len(actions))
	out := make([]escalation.Action, 0, len(actions))
	for _, a := range actions {
		if i, ok := at[a.Key]; ok {
			out[i] = a
			continue
		}
		at[a.Key] = len(out)
		out = append(out, a)
	}
	return out
}

// Sync schedules actions and cancels the ticket's other pending planned
// actions (kind other than notify, no actor), in one transaction.
func (s *Timers) Sync(ctx context.Context, ticketNumber string, actions []escalation.Action) error {
	keys := make([]string, len(actions))
	for i, a := range actions {
		keys[i] = a.Key
	}
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if len(actions) > 0 {
			if err := schedule(ctx, tx, actions); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE timers SET state = 'cancelled', token = NULL, locked_until = NULL
			WHERE ticket_number = $1 AND state = 'pending' AND kind <> $2 AND actor = '' AND key <> ALL($3)`,
			ticketNumber, string(escalation.Notify), keys)
		return err
	})
	if err != nil {
		return dbErr("sync timers of "+ticketNumber, err)
	}
	return nil
}

const timerCols = `key, kind, ticket_number, level, due_at, template, ref, reason, actor, attempts, last_error, token`

// Claim leases up to limit due actions, earliest first. The candidates are
// locked with FOR UPDATE SKIP LOCKED, so concurrent claimers skip each
// other's rows instead of waiting, and leased in the same statement.
func (s *Timers) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]escalation.Claimed, error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	until := now.Add(lease).UTC()
	rows, err := s.db.pool.Query(ctx, `UPDATE timers SET token = $1, locked_until = $2, run_at = greatest(due_at, $2),
			attempts = attempts + 1
		WHERE key IN (SELECT key FROM timers WHERE state = 'pending' AND run_at <= $3
			ORDER BY run_at, key LIMIT $4 FOR UPDATE SKIP LOCKED)
		RETURNING `+timerCols, token, until, now.UTC(), limit)
	if err != nil {
		return nil, dbErr("claim timers", err)
	}
	out, err := pgx.CollectRows(rows, scanClaimed)
	if err != nil {
		return nil, dbErr("claim timers", err)
	}
	// RETURNING does not keep the subquery's order.
	sortClaimed(out)
	return out, nil
}

func scanClaimed(r pgx.CollectableRow) (escalation.Claimed, error) {
	var c escalation.Claimed
	var kind, tpl string
	var level int16
	var token *string
	err := r.Scan(&c.Key, &kind, &c.TicketNumber, &level, &c.DueAt, &tpl, &c.Ref, &c.Reason, &c.Actor,
		&c.Attempt, &c.LastError, &token)
	c.Kind, c.Template, c.Level = escalation.ActionKind(kind), escalation.TemplateKind(tpl), int(level)
	if token != nil {
		c.Token = *token
	}
	return c, err
}

func sortClaimed(cs []escalation.Claimed) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && claimedLess(cs[j], cs[j-1]); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func claimedLess(a, b escalation.Claimed) bool {
	if c := a.DueAt.Compare(b.DueAt); c != 0 {
		return c < 0
	}
	return a.Key < b.Key
}

// Done marks a claimed action done; ErrLeaseLost if the claim is gone.
func (s *Timers) Done(ctx context.Context, key, token string, now time.Time) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE timers SET state = 'done', done_at = $3, token = NULL, locked_until = NULL
		WHERE key = $1 AND token = $2 AND state = 'pending'`, key, token, now.UTC())
	if err != nil {
		return dbErr("timer "+key+" done", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: timer %s done: %w", key, escalation.ErrLeaseLost)
	}
	return nil
}

// Retry returns a claimed action to pending, due at `at`, keeping reason
// as its visible last error.
func (s *Timers) Retry(ctx context.Context, key, token string, at time.Time, reason string) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE timers SET due_at = $3, run_at = $3, last_error = $4, token = NULL, locked_until = NULL
		WHERE key = $1 AND token = $2 AND state = 'pending'`, key, token, at.UTC(), reason)
	if err != nil {
		return dbErr("timer "+key+" retry", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: timer %s retry: %w", key, escalation.ErrLeaseLost)
	}
	return nil
}

// NextDue is the earliest run_at of a pending action: one index lookup.
func (s *Timers) NextDue(ctx context.Context) (time.Time, bool, error) {
	var at *time.Time
	if err := s.db.pool.QueryRow(ctx, "SELECT min(run_at) FROM timers WHERE state = 'pending'").Scan(&at); err != nil {
		return time.Time{}, false, dbErr("next due timer", err)
	}
	if at == nil {
		return time.Time{}, false, nil
	}
	return *at, true, nil
}

// TimerState is a stored action as the store sees it, for operators and
// tests: a failing email shows here as pending with its last error.
type TimerState struct {
	escalation.Action
	State     string // pending, done, cancelled
	Attempts  int
	LastError string
	RunAt     time.Time
	DoneAt    *time.Time
}

// Timer returns the stored action of key (ENOTFOUND if none).
func (s *Timers) Timer(ctx context.Context, key string) (TimerState, error) {
	list, err := s.query(ctx, "WHERE key = $1", key)
	if err != nil {
		return TimerState{}, err
	}
	if len(list) == 0 {
		return TimerState{}, fmt.Errorf("postgres: timer: %w", notFound("timer %s does not exist", key))
	}
	return list[0], nil
}

// TicketTimers returns the ticket's stored actions, by due time and key.
func (s *Timers) TicketTimers(ctx context.Context, ticketNumber string) ([]TimerState, error) {
	return s.query(ctx, "WHERE ticket_number = $1 ORDER BY due_at, key", ticketNumber)
}

func (s *Timers) query(ctx context.Context, where string, args ...any) ([]TimerState, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT key, kind, ticket_number, level, due_at, template, ref, reason, actor,
		state, attempts, last_error, run_at, done_at FROM timers `+where, args...)
	if err != nil {
		return nil, dbErr("read timers", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TimerState, error) {
		var t TimerState
		var kind, tpl string
		var level int16
		err := r.Scan(&t.Key, &kind, &t.TicketNumber, &level, &t.DueAt, &tpl, &t.Ref, &t.Reason, &t.Actor,
			&t.State, &t.Attempts, &t.LastError, &t.RunAt, &t.DoneAt)
		t.Kind, t.Template, t.Level = escalation.ActionKind(kind), escalation.TemplateKind(tpl), int(level)
		return t, err
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, dbErr("read timers", err)
	}
	return list, nil
}
