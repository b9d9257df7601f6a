package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

// A ticket and its SLA timers are written by one statement, so that no
// ticket ever exists without them (a crash between two transactions could
// leave one so), in one round trip. The plan that computes the timers lives
// above this package (escalation/desk) and is an argument of
// CreatePlannedTicket.

// numberStandIn is the Number a plan sees: the real one comes from the
// sequence inside the statement, which puts it in the timers' keys.
const numberStandIn = "{number}"

// CreatePlan computes a new ticket's due times (set on the draft it is
// given) and the timers to write with it.
type CreatePlan = func(t *tickets.Ticket, history []tickets.HistoryEntry) ([]escalation.Action, error)

// CreatePlannedTicket is CreateTicket that calls plan once before writing,
// with a copy of the ticket as it will be stored and its history (the
// "created" entry), and writes in one statement the ticket with the due
// times plan set on the copy, the history entry, and the actions plan
// returns (scheduled as Timers.Schedule does, waking the workers). If plan
// fails, nothing is written and CreatePlannedTicket returns its error. A nil
// plan writes no timers.
//
// The copy's Number is a stand-in: each action must carry it as its
// TicketNumber and within its Key, where the statement puts the real number.
func (db *DB) CreatePlannedTicket(ctx context.Context, t *tickets.Ticket, actor string, plan CreatePlan) error {
	return db.createTicket(ctx, t, actor, plan)
}

// createPlannedSQL is createTicketSQL that also inserts the timers ($28 the
// number stand-in, $29-$36 the columns) and notifies the workers ($37).
const createPlannedSQL = createTicketWith + `,
tm AS (
	INSERT INTO timers AS tm (key, kind, ticket_number, level, due_at, template, ref, reason, actor, run_at)
	SELECT replace(u.key, $28, t.number), u.kind, t.number, u.level, u.due, u.template, u.ref, u.reason, u.actor, u.due
	FROM t, unnest($29::text[], $30::text[], $31::smallint[], $32::timestamptz[], $33::text[], $34::text[],
		$35::text[], $36::text[]) AS u(key, kind, level, due, template, ref, reason, actor)
	` + timersUpsert + `
)
SELECT t.id, t.number FROM t, (SELECT pg_notify($37, '')) AS wake`

// statement runs the plan for t, about to be created by actor at now, and
// returns the statement and its arguments after createTicketSQL's, and the
// due times to store.
func planStatement(plan CreatePlan, t *tickets.Ticket, actor string, now time.Time) (sql string, extra []any, responseDue, resolutionDue *time.Time, err error) {
	draft := *t
	draft.ID, draft.Number, draft.Version, draft.CreatedAt, draft.UpdatedAt = 0, numberStandIn, 1, now, now
	draft.FirstResponseAt, draft.ResolvedAt, draft.ClosedAt = nil, nil, nil
	hist := []tickets.HistoryEntry{{At: now, Actor: actor, Field: "created", To: string(t.State)}}
	actions, err := plan(&draft, hist)
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("plan: %w", err)
	}
	if len(actions) == 0 {
		return createTicketSQL, nil, draft.ResponseDue, draft.ResolutionDue, nil
	}
	for _, a := range actions {
		if a.TicketNumber != numberStandIn || !strings.Contains(a.Key, numberStandIn) {
			return "", nil, nil, nil, fmt.Errorf("plan: action %q is not keyed by the new ticket's number", a.Key)
		}
	}
	rows, err := timerRowsOf(actions)
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("plan: %w", err)
	}
	extra = []any{numberStandIn, rows.keys, rows.kinds, rows.levels, rows.dues, rows.templates, rows.refs,
		rows.reasons, rows.actors, TimersChannel}
	return createPlannedSQL, extra, draft.ResponseDue, draft.ResolutionDue, nil
}
