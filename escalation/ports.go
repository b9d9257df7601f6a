package escalation

import (
	"context"
	"errors"
	"time"
)

// Claimed is an action a worker holds for a while (its lease).
type Claimed struct {
	Action
	Attempt int    // 1 on the first claim
	Token   string // identifies this claim; Done and Retry must present it
	// LastError is the reason of the previous failed attempt, if any.
	LastError string
}

// TimerStore is the durable home of due actions. tickets/postgres will
// implement it over a table keyed by Action.Key:
//
//	timers(key text primary key, kind, ticket_number, level, due_at,
//	       template, ref, reason, actor, state pending|done|cancelled,
//	       run_at, token, attempts, last_error, done_at)
//	index on (run_at) where state = 'pending'
//
// run_at is when the row may next be claimed: due_at when scheduled, the
// lease expiry while claimed, the retry time after a failure. One partial
// index then serves Claim and NextDue, so an idle worker costs one index
// lookup per wake-up however many tickets are open.
//
// Every effect happens once across restarts and processes because a key is
// inserted once, claimed by one worker at a time, and marked done once.
type TimerStore interface {
	// Schedule inserts actions by Key. A pending action with the same Key
	// takes the new DueAt and fields (a recomputed plan), so does a
	// cancelled one, which becomes pending again (the clock resumed); a
	// done one is left alone: the effect already happened. A claimed one
	// keeps its lease (run_at is not touched while token is set). In SQL:
	// INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE timers.state <>
	// 'done'; then NOTIFY, which feeds the workers' Wake.
	Schedule(ctx context.Context, actions ...Action) error
	// Sync makes the pending actions of a ticket exactly actions: it
	// schedules them and cancels the ticket's other pending actions (an
	// escalation no longer due because the clock paused, a rejection the
	// user's answer made moot). Run it with the transition that changed
	// the plan. Only planned actions (Action.Planned) are cancelled:
	// manual escalations and notices stay.
	Sync(ctx context.Context, ticketNumber string, actions []Action) error
	// Claim leases up to limit pending actions due at or before now whose
	// lease has expired, earliest first, each for lease. Concurrent
	// claimers never get the same action: the candidate rows are locked
	// with FOR UPDATE SKIP LOCKED, so a second worker skips them instead of
	// waiting, and leased in the same statement:
	//
	//	UPDATE timers SET token = $token, run_at = $now + $lease,
	//	       attempts = attempts + 1
	//	WHERE key IN (SELECT key FROM timers
	//	              WHERE state = 'pending' AND run_at <= $now
	//	              ORDER BY run_at LIMIT $limit
	//	              FOR UPDATE SKIP LOCKED)
	//	RETURNING ...
	//
	// $now is the worker's injected clock, never SQL now(), so tests can
	// move time. A worker that dies mid-action loses its lease and the
	// action is claimed again: executors must be idempotent by Key for the
	// window between the effect and Done (best: commit the ticket change
	// and Done in one transaction).
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Claimed, error)
	// Done marks a claimed action done. ErrLeaseLost if the token is no
	// longer the action's (the lease expired and someone else claimed it):
	//
	//	UPDATE timers SET state = 'done', done_at = $now, token = NULL
	//	WHERE key = $key AND token = $token AND state = 'pending'
	//	-- no row: ErrLeaseLost
	Done(ctx context.Context, key, token string, now time.Time) error
	// Retry returns a claimed action to pending, due again at `at`,
	// recording the error; it stays visible as pending and nothing is lost.
	Retry(ctx context.Context, key, token string, at time.Time, reason string) error
	// NextDue returns the earliest instant a pending action can be claimed
	// (its DueAt, or its lease expiry if later); ok is false when there
	// are none. Workers sleep until then. In SQL, SELECT min(run_at) FROM
	// timers WHERE state = 'pending': an index lookup, not a scan.
	NextDue(ctx context.Context) (at time.Time, ok bool, err error)
}

// ErrLeaseLost is returned by Done and Retry when the claim expired and the
// action was claimed again.
var ErrLeaseLost = errors.New("escalation: lease lost")

// Executor performs an action (escalates, emails, rejects, closes). It must
// be idempotent by Action.Key (see TimerStore.Claim). Returning a
// Permanent error marks the action done without retrying.
type Executor interface {
	Execute(ctx context.Context, a Claimed) error
}

// ExecutorFunc adapts a function to Executor.
type ExecutorFunc func(ctx context.Context, a Claimed) error

func (f ExecutorFunc) Execute(ctx context.Context, a Claimed) error { return f(ctx, a) }

// PermanentError marks an error retrying cannot fix (the ticket no longer
// exists, it already left the state the action was for).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so the worker does not retry it.
func Permanent(err error) error { return &PermanentError{err} }

// Email is one message to send.
type Email struct {
	To       []string
	Subject  string
	Text     string
	HTML     string
	Language string
	// Key is the action's key: SMTP adapters derive the Message-ID from it
	// so a resend after a crash is recognisable as the same message.
	Key string
}

// Notifier sends email. The SMTP adapter implements it; an error means the
// message was not accepted and the action will be retried with backoff.
type Notifier interface {
	Send(ctx context.Context, e Email) error
}

// Alert is a phone alert of a P1 escalation: the engine calls To, plays the
// alert with the ticket number, and reports whether the callee pressed 1.
type Alert struct {
	To           string // E.164 number or extension
	TicketNumber string
	Level        int
	Language     string
	Key          string // action key, for logs and idempotency
}

// Caller phones escalation contacts through the telephony engine. Alert
// blocks until the callee acknowledges with 1, hangs up, or ctx ends (the
// executor sets Rules.AckTimeout as the deadline and then tries the next
// contact).
type Caller interface {
	Alert(ctx context.Context, a Alert) (acked bool, err error)
}

// Clock is the worker's time: Now and a timer channel, so tests can move
// time without sleeping.
type Clock interface {
	Now() time.Time
	// After delivers once d has passed; the returned stop function frees
	// the timer if the caller stops waiting first.
	After(d time.Duration) (<-chan time.Time, func())
}

// SystemClock is the wall clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

func (SystemClock) After(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}
