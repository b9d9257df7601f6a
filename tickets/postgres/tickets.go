package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// createTicketSQL takes the next number of the year's sequence, inserts the
// ticket and its "created" history entry in one statement: one round trip,
// atomic, and no lock held on a shared counter row. A sequence is not rolled
// back, so a failed insert leaves a gap in the numbers; that is accepted.
// createPlannedSQL (create_plan.go) adds the ticket's timers to it.
const createTicketSQL = createTicketWith + `
SELECT id, number FROM t`

const createTicketWith = `
WITH n AS (SELECT nextval($1::regclass) AS seq),
t AS (
	INSERT INTO tickets (number, kind, service, impact, urgency, priority, level, state, channel,
		caller_contact_id, caller_name, caller_department, caller_email, caller_phone, caller_extension,
		subject, description, assignee, queue, parent_number, major_incident, ivr_path,
		version, created_at, updated_at, response_due, resolution_due)
	SELECT $2 || CASE WHEN n.seq < 10000 THEN lpad(n.seq::text, 4, '0') ELSE n.seq::text END,
		$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
		1, $24, $24, $25, $26
	FROM n
	RETURNING id, number
),
h AS (
	INSERT INTO ticket_history (ticket_id, at, actor, field, from_value, to_value)
	SELECT id, $24, $27, 'created', '', $9 FROM t
)`

// CreateTicket numbers t (two-digit year + per-year sequence, e.g. 260017),
// stores it at version 1 and records a "created" history entry by actor.
// CreatePlannedTicket also writes the SLA's due times and timers.
func (db *DB) CreateTicket(ctx context.Context, t *tickets.Ticket, actor string) error {
	return db.createTicket(ctx, t, actor, nil)
}

func (db *DB) createTicket(ctx context.Context, t *tickets.Ticket, actor string, plan CreatePlan) error {
	if t.State == "" {
		t.State = tickets.Registered
	}
	if !t.State.Valid() {
		return fmt.Errorf("postgres: create ticket: %w", tickets.Errorf(tickets.EINVALID, "unknown state %q", t.State))
	}
	if err := t.Validate(); err != nil {
		return fmt.Errorf("postgres: create ticket: %w", err)
	}
	// The year is the clock's own (local) year: a ticket opened on New
	// Year's Eve in Mexico City is numbered in the old year.
	clock := db.clock()
	now := clock.UTC().Truncate(time.Microsecond)
	seq := yearSequence(clock.Year())
	responseDue, resolutionDue := t.ResponseDue, t.ResolutionDue
	sql, extra := createTicketSQL, []any(nil)
	if plan != nil {
		var err error
		if sql, extra, responseDue, resolutionDue, err = planStatement(plan, t, actor, now); err != nil {
			return fmt.Errorf("postgres: create ticket: %w", err)
		}
	}
	args := append([]any{seq, fmt.Sprintf("%02d", clock.Year()%100),
		t.Kind, t.Service, t.Impact, t.Urgency, t.Priority, t.Level, t.State, t.Channel,
		nullID(t.Caller.ContactID), t.Caller.Name, t.Caller.Department, t.Caller.Email, t.Caller.Phone, t.Caller.Extension,
		t.Subject, t.Description, t.Assignee, t.Queue, nullText(t.ParentNumber), t.MajorIncident, nonNil(t.IVRPath),
		now, responseDue, resolutionDue, actor}, extra...)
	// Concurrent creations are committed together (create_group.go).
	id, number, err := db.group.create(ctx, sql, args)
	var pe *pgconn.PgError
	if err != nil {
		if errors.As(err, &pe) && pe.Code == "23503" {
			return fmt.Errorf("postgres: create ticket: %w", tickets.Errorf(tickets.EINVALID, "parent ticket %s does not exist", t.ParentNumber))
		}
		return dbErr("create ticket", err)
	}
	t.ID, t.Number, t.Version, t.CreatedAt, t.UpdatedAt = id, number, 1, now, now
	t.FirstResponseAt, t.ResolvedAt, t.ClosedAt = nil, nil, nil
	t.ResponseDue, t.ResolutionDue = responseDue, resolutionDue
	return nil
}

func yearSequence(year int) string { return "ticket_number_" + strconv.Itoa(year) }

// createSequence makes the year's number sequence. Two processes may race to
// create it; the loser's duplicate error is harmless.
func (db *DB) createSequence(ctx context.Context, name string) error {
	_, err := db.pool.Exec(ctx, "CREATE SEQUENCE IF NOT EXISTS "+pgx.Identifier{name}.Sanitize())
	var pe *pgconn.PgError
	if err != nil && !(errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07")) {
		return dbErr("create ticket number sequence", err)
	}
	return nil
}

// Ticket returns the ticket with the given number.
func (db *DB) Ticket(ctx context.Context, number string) (*tickets.Ticket, error) {
	t, err := scanTicket(db.pool.QueryRow(ctx, "SELECT "+ticketCols+" FROM tickets WHERE number = $1", number))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: ticket: %w", notFound("ticket %s does not exist", number))
	} else if err != nil {
		return nil, dbErr("ticket "+number, err)
	}
	return t, nil
}

// ticketID returns the id of the ticket with the given number.
func ticketID(ctx context.Context, q querier, number string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM tickets WHERE number = $1", number).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, notFound("ticket %s does not exist", number)
	}
	return id, err
}

// querier is what a pool and a transaction have in common.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// materializeBelow is the match count under which a page is cut from the
// whole set of matches rather than by walking the created_at index.
const materializeBelow = 2000

// ListTickets returns one page of the tickets matching f, newest first, and
// how many match in all.
//
// The count comes first: for a text query it needs only the GIN index (and
// the visibility map). It then picks how to cut the page. Few matches: find
// them all and sort them. Many: walk tickets newest first and stop after the
// page, which meets a match every few rows. Left to itself the planner
// sometimes walks the index for a rare word and reads the whole table.
// Count and page are two statements, so a ticket created in between may
// make them differ by one; that is harmless for a list.
func (db *DB) ListTickets(ctx context.Context, f tickets.Filter) ([]*tickets.Ticket, int, error) {
	where, args := filterSQL(f)
	limit, offset := pageOf(f.Limit, f.Offset)
	var total int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM tickets WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, dbErr("count tickets", err)
	}
	if offset >= total {
		return []*tickets.Ticket{}, total, nil
	}
	args = append(args, limit, offset)
	page := fmt.Sprintf("ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	sql := "SELECT " + ticketCols + " FROM tickets WHERE " + where + " " + page
	if total < materializeBelow {
		sql = fmt.Sprintf(`WITH m AS MATERIALIZED (SELECT id, created_at FROM tickets WHERE %s)
			SELECT %s FROM tickets WHERE id IN (SELECT id FROM m %s)
			ORDER BY created_at DESC, id DESC`, where, ticketCols, page)
	}
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, dbErr("list tickets", err)
	}
	list, err := collectTickets(rows)
	if err != nil {
		return nil, 0, dbErr("list tickets", err)
	}
	return list, total, nil
}

// filterSQL turns f into a WHERE clause with numbered parameters. User text
// only ever travels as a parameter.
func filterSQL(f tickets.Filter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if len(f.States) > 0 {
		conds = append(conds, statesSQL(f.States))
	}
	if f.Service != "" {
		add("service = $?", f.Service)
	}
	if f.Assignee != "" {
		add("assignee = $?", f.Assignee)
	}
	if f.Priority != 0 {
		add("priority = $?", int(f.Priority))
	}
	if f.Level != 0 {
		add("level = $?", f.Level)
	}
	if f.CallerPhone != "" {
		// "<> ''" lets a generic plan (pgx prepares statements) use the
		// partial index tickets_caller_phone, which it cannot prove from
		// a parameter; without it, it reads the whole table.
		add("caller_phone = $? AND caller_phone <> ''", f.CallerPhone)
	}
	if f.Parent != "" {
		add("parent_number = $?", f.Parent)
	}
	if f.MajorOnly {
		add("major_incident = $?", true)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// Spanish stems without accents, or the words as typed; or the
		// query is a ticket number, phone or extension.
		add(`(search @@ (websearch_to_tsquery('atiende_es', $?) || websearch_to_tsquery('atiende_simple', $?))
			OR number = $? OR caller_phone = $? OR caller_extension = $?)`, q)
	}
	if len(conds) == 0 {
		return "true", args
	}
	return strings.Join(conds, " AND "), args
}

// statesSQL is "state IN (...)" with the states as literals, so that a plan
// (a generic one too) may use the partial indexes of open tickets (migration
// 0011); only known states are written (a State is checked against
// tickets.States, never quoted from input), an unknown one matches nothing.
func statesSQL(states []tickets.State) string {
	var b strings.Builder
	b.WriteString("state IN (")
	n := 0
	for _, s := range states {
		if !s.Valid() {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + string(s) + "'")
		n++
	}
	if n == 0 {
		return "false"
	}
	b.WriteString(")")
	return b.String()
}

// pageOf applies the default page size of 50 and the maximum of 500.
func pageOf(limit, offset int) (int, int) {
	if limit <= 0 {
		limit = 50
	} else if limit > 500 {
		limit = 500
	}
	return limit, max(offset, 0)
}
