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

// timersUpsert is the conflict clause of every insert of timers (alias tm).
// A pending row takes the new plan (a claimed one keeps its lease: run_at
// never moves before locked_until), a cancelled one becomes pending again
// from scratch, a done one is left alone.
const timersUpsert = `ON CONFLICT (key) DO UPDATE SET
	kind = EXCLUDED.kind, ticket_number = EXCLUDED.ticket_number, level = EXCLUDED.level,
	due_at = EXCLUDED.due_at, template = EXCLUDED.template, ref = EXCLUDED.ref,
	reason = EXCLUDED.reason, actor = EXCLUDED.actor,
	run_at = CASE WHEN tm.state = 'pending' THEN greatest(EXCLUDED.due_at, tm.locked_until) ELSE EXCLUDED.due_at END,
	locked_until = CASE WHEN tm.state = 'pending' THEN tm.locked_until END,
	token = CASE WHEN tm.state = 'pending' THEN tm.token END,
	attempts = CASE WHEN tm.state = 'pending' THEN tm.attempts ELSE 0 END,
	last_error = CASE WHEN tm.state = 'pending' THEN tm.last_error ELSE '' END,
	state = 'pending'
WHERE tm.state <> 'done'`

// insertTimers upserts actions by key: $1-$9 are the columns
// (timerRows.args).
const insertTimers = `INSERT INTO timers AS tm (key, kind, ticket_number, level, due_at, template, ref, reason, actor, run_at)
	SELECT *, u.due FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::timestamptz[],
		$6::text[], $7::text[], $8::text[], $9::text[]) AS u(key, kind, ticket, level, due, template, ref, reason, actor)
	` + timersUpsert

// scheduleSQL upserts actions and wakes the workers ($10 the channel): the
// notification is delivered on commit, and identical notifications of one
// transaction fold into one.
const scheduleSQL = `WITH s AS (` + insertTimers + `)
SELECT pg_notify($10, '')`

// syncSQL is scheduleSQL that also cancels the ticket's ($11) other pending
// planned actions (kind other than notify ($12), no actor). The two parts
// touch disjoint rows (key in $1, key not in $1), as one statement must.
const syncSQL = `WITH s AS (` + insertTimers + `),
c AS (
	UPDATE timers SET state = 'cancelled', token = NULL, locked_until = NULL
	WHERE ticket_number = $11 AND state = 'pending' AND kind <> $12 AND actor = '' AND key <> ALL($1)
)
SELECT pg_notify($10, '')`

// Schedule inserts or updates actions by Key and wakes the workers, in one
// statement.
func (s *Timers) Schedule(ctx context.Context, actions ...escalation.Action) error {
	if len(actions) == 0 {
		return nil
	}
	rows, err := timerRowsOf(actions)
	if err == nil {
		_, err = s.db.pool.Exec(ctx, scheduleSQL, append(rows.args(), TimersChannel)...)
	}
	if err != nil {
		return dbErr("schedule timers", err)
	}
	return nil
}

// timerRows are actions as the column arrays the statements unnest.
type timerRows struct {
	keys, kinds, tickets, templates, refs, reasons, actors []string
	levels                                                 []int16
	dues                                                   []time.Time
}

// timerRowsOf keeps the last action of each key (one statement may not
// update a row twice) and refuses an action without a key.
func timerRowsOf(actions []escalation.Action) (timerRows, error) {
	actions = lastByKey(actions)
	n := len(actions)
	r := timerRows{keys: make([]string, n), kinds: make([]string, n), tickets: make([]string, n),
		templates: make([]string, n), refs: make([]string, n), reasons: make([]string, n),
		actors: make([]string, n), levels: make([]int16, n), dues: make([]time.Time, n)}
	for i, a := range actions {
		if a.Key == "" {
			return timerRows{}, fmt.Errorf("action %d (%s) has no key", i, a.Kind)
		}
		r.keys[i], r.kinds[i], r.tickets[i], r.templates[i] = a.Key, string(a.Kind), a.TicketNumber, string(a.Template)
		r.refs[i], r.reasons[i], r.actors[i] = a.Ref, a.Reason, a.Actor
		r.levels[i], r.dues[i] = int16(a.Level), a.DueAt.UTC()
	}
	return r, nil
}

// args are $1-$9 of scheduleSQL and syncSQL.
func (r timerRows) args() []any {
	return []any{r.keys, r.kinds, r.tickets, r.levels, r.dues, r.templates, r.refs, r.reasons, r.actors}
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
// actions (kind other than notify, no actor), in one statement.
func (s *Timers) Sync(ctx context.Context, ticketNumber string, actions []escalation.Action) error {
	var err error
	if len(actions) == 0 {
		_, err = s.db.pool.Exec(ctx, `UPDATE timers SET state = 'cancelled', token = NULL, locked_until = NULL
			WHERE ticket_number = $1 AND state = 'pending' AND kind <> $2 AND actor = ''`,
			ticketNumber, string(escalation.Notify))
	} else {
		var rows timerRows
		if rows, err = timerRowsOf(actions); err == nil {
			_, err = s.db.pool.Exec(ctx, syncSQL, append(rows.args(), TimersChannel, ticketNumber, string(escalation.Notify))...)
		}
	}
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
