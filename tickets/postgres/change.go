package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

// entry is one history row about to be appended.
type entry struct{ field, from, to string }

// change runs fn on the ticket locked FOR UPDATE, so that concurrent writers
// queue up instead of losing each other's work. fn edits t in place and
// returns the history entries; none means nothing changed and nothing is
// written. A stale c.Version is ECONFLICT before fn runs.
func (db *DB) change(ctx context.Context, what, number string, c tickets.Change,
	fn func(tx pgx.Tx, t *tickets.Ticket, now time.Time) ([]entry, error)) (*tickets.Ticket, error) {
	var out *tickets.Ticket
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		t, err := scanTicket(tx.QueryRow(ctx, "SELECT "+ticketCols+" FROM tickets WHERE number = $1 FOR UPDATE", number))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("ticket %s does not exist", number)
		} else if err != nil {
			return err
		}
		if c.Version != 0 && c.Version != t.Version {
			return tickets.Errorf(tickets.ECONFLICT, "ticket %s is at version %d, not %d: it was changed meanwhile; reload it", number, t.Version, c.Version)
		}
		now := db.now()
		entries, err := fn(tx, t, now)
		if err != nil || len(entries) == 0 {
			out = t
			return err
		}
		t.Version++
		t.UpdatedAt = now
		if err := writeTicket(ctx, tx, t, c.Actor, c.Reason, entries); err != nil {
			return err
		}
		out = t
		return nil
	})
	if err != nil {
		return nil, dbErr(what+" ticket "+number, err)
	}
	return out, nil
}

// writeTicket stores every mutable column of t and appends entries to its
// history at t.UpdatedAt, in one statement.
func writeTicket(ctx context.Context, tx pgx.Tx, t *tickets.Ticket, actor, reason string, entries []entry) error {
	fields, froms, tos := entryArrays(entries)
	_, err := tx.Exec(ctx, `WITH w AS (
			UPDATE tickets SET kind = $2, service = $3, impact = $4, urgency = $5, priority = $6,
			level = $7, state = $8, caller_contact_id = $9, caller_name = $10, caller_department = $11,
			caller_email = $12, caller_phone = $13, caller_extension = $14, subject = $15, description = $16,
			assignee = $17, queue = $18, parent_number = $19, major_incident = $20, version = $21, updated_at = $22,
			first_response_at = $23, resolved_at = $24, closed_at = $25
			WHERE id = $1
		)
		INSERT INTO ticket_history (ticket_id, at, actor, field, from_value, to_value, reason)
		SELECT $1, $22, $26, f, fr, tv, $27 FROM unnest($28::text[], $29::text[], $30::text[]) WITH ORDINALITY AS u(f, fr, tv, i)
		ORDER BY i`,
		t.ID, t.Kind, t.Service, t.Impact, t.Urgency, t.Priority, t.Level, t.State, nullID(t.Caller.ContactID),
		t.Caller.Name, t.Caller.Department, t.Caller.Email, t.Caller.Phone, t.Caller.Extension, t.Subject,
		t.Description, t.Assignee, t.Queue, nullText(t.ParentNumber), t.MajorIncident, t.Version, t.UpdatedAt,
		t.FirstResponseAt, t.ResolvedAt, t.ClosedAt, actor, reason, fields, froms, tos)
	return err
}

func entryArrays(entries []entry) (fields, froms, tos []string) {
	fields, froms, tos = make([]string, len(entries)), make([]string, len(entries)), make([]string, len(entries))
	for i, e := range entries {
		fields[i], froms[i], tos[i] = e.field, e.from, e.to
	}
	return fields, froms, tos
}

// appendHistory inserts entries in one statement.
func appendHistory(ctx context.Context, tx pgx.Tx, ticketID int64, at time.Time, actor, reason string, entries []entry) error {
	fields, froms, tos := entryArrays(entries)
	_, err := tx.Exec(ctx, `INSERT INTO ticket_history (ticket_id, at, actor, field, from_value, to_value, reason)
		SELECT $1, $2, $3, f, fr, t, $4 FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS u(f, fr, t, i)
		ORDER BY i`, ticketID, at, actor, reason, fields, froms, tos)
	return err
}

// Transition moves the ticket to state to, if the lifecycle allows it, and
// stamps the milestones SLAs are measured by.
func (db *DB) Transition(ctx context.Context, number string, to tickets.State, c tickets.Change) (*tickets.Ticket, error) {
	return db.change(ctx, "transition", number, c, func(_ pgx.Tx, t *tickets.Ticket, now time.Time) ([]entry, error) {
		if err := tickets.CheckTransition(t.State, to, c.Reason); err != nil {
			return nil, err
		}
		if t.State == tickets.Registered && t.FirstResponseAt == nil {
			t.FirstResponseAt = &now
		}
		switch to {
		case tickets.Resolved:
			t.ResolvedAt = &now
		case tickets.Closed:
			t.ClosedAt = &now
		}
		from := t.State
		t.State = to
		return []entry{{"state", string(from), string(to)}}, nil
	})
}

// Update applies p, with one history entry per field that really changes.
func (db *DB) Update(ctx context.Context, number string, p tickets.Patch, c tickets.Change) (*tickets.Ticket, error) {
	return db.change(ctx, "update", number, c, func(_ pgx.Tx, t *tickets.Ticket, _ time.Time) ([]entry, error) {
		entries := applyPatch(t, p)
		if err := t.Validate(); err != nil {
			return nil, err
		}
		for _, l := range []tickets.Level3{t.Impact, t.Urgency} {
			if l != "" && !l.Valid() {
				return nil, tickets.Errorf(tickets.EINVALID, "%q is not low, medium or high", l)
			}
		}
		return entries, nil
	})
}

func applyPatch(t *tickets.Ticket, p tickets.Patch) []entry {
	var es []entry
	set := func(field string, dst *string, src *string) {
		if src != nil && *src != *dst {
			es = append(es, entry{field, *dst, *src})
			*dst = *src
		}
	}
	if p.Kind != nil && *p.Kind != t.Kind {
		es = append(es, entry{"kind", string(t.Kind), string(*p.Kind)})
		t.Kind = *p.Kind
	}
	set("service", &t.Service, p.Service)
	if p.Impact != nil && *p.Impact != t.Impact {
		es = append(es, entry{"impact", string(t.Impact), string(*p.Impact)})
		t.Impact = *p.Impact
	}
	if p.Urgency != nil && *p.Urgency != t.Urgency {
		es = append(es, entry{"urgency", string(t.Urgency), string(*p.Urgency)})
		t.Urgency = *p.Urgency
	}
	if p.Priority != nil && *p.Priority != t.Priority {
		es = append(es, entry{"priority", t.Priority.String(), p.Priority.String()})
		t.Priority = *p.Priority
	}
	if p.Level != nil && *p.Level != t.Level {
		es = append(es, entry{"level", strconv.Itoa(t.Level), strconv.Itoa(*p.Level)})
		t.Level = *p.Level
	}
	set("subject", &t.Subject, p.Subject)
	set("description", &t.Description, p.Description)
	set("assignee", &t.Assignee, p.Assignee)
	set("queue", &t.Queue, p.Queue)
	if p.MajorIncident != nil && *p.MajorIncident != t.MajorIncident {
		es = append(es, entry{"major_incident", strconv.FormatBool(t.MajorIncident), strconv.FormatBool(*p.MajorIncident)})
		t.MajorIncident = *p.MajorIncident
	}
	if p.Caller != nil {
		c := *p.Caller
		if c.ContactID != t.Caller.ContactID {
			es = append(es, entry{"caller_contact_id", strconv.FormatInt(t.Caller.ContactID, 10), strconv.FormatInt(c.ContactID, 10)})
			t.Caller.ContactID = c.ContactID
		}
		set("caller_name", &t.Caller.Name, &c.Name)
		set("caller_department", &t.Caller.Department, &c.Department)
		set("caller_email", &t.Caller.Email, &c.Email)
		set("caller_phone", &t.Caller.Phone, &c.Phone)
		set("caller_extension", &t.Caller.Extension, &c.Extension)
	}
	return es
}

// linkLockKey serialises Link calls: two concurrent links could each pass
// the cycle check and together close a cycle. Links are rare, so one lock
// for all of them costs nothing.
const linkLockKey = 0x617469656e646502

// Link makes child a child of parent (a mass incident). It refuses a
// self-link and any link that would close a cycle.
func (db *DB) Link(ctx context.Context, child, parent string, c tickets.Change) (*tickets.Ticket, error) {
	if child == parent {
		return nil, fmt.Errorf("postgres: link: %w", tickets.Errorf(tickets.EINVALID, "ticket %s cannot be its own parent", child))
	}
	return db.change(ctx, "link", child, c, func(tx pgx.Tx, t *tickets.Ticket, _ time.Time) ([]entry, error) {
		if _, err := ticketID(ctx, tx, parent); err != nil {
			return nil, err
		}
		// Taken after the child's row lock; holders of this lock only read
		// other rows, so this cannot deadlock.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(linkLockKey)); err != nil {
			return nil, err
		}
		var cycle bool
		err := tx.QueryRow(ctx, `WITH RECURSIVE up(number, parent) AS (
				SELECT number, parent_number FROM tickets WHERE number = $1
				UNION
				SELECT t.number, t.parent_number FROM tickets t JOIN up ON t.number = up.parent
			)
			SELECT EXISTS (SELECT 1 FROM up WHERE number = $2)`, parent, child).Scan(&cycle)
		if err != nil {
			return nil, err
		}
		if cycle {
			return nil, tickets.Errorf(tickets.EINVALID, "linking %s under %s would make a cycle: %s is already above %s", child, parent, child, parent)
		}
		if t.ParentNumber == parent {
			return nil, nil
		}
		e := entry{"link", t.ParentNumber, parent}
		t.ParentNumber = parent
		return []entry{e}, nil
	})
}

// Children returns the tickets linked under parent, newest first.
func (db *DB) Children(ctx context.Context, parent string) ([]*tickets.Ticket, error) {
	if _, err := ticketID(ctx, db.pool, parent); err != nil {
		return nil, dbErr("children of "+parent, err)
	}
	rows, err := db.pool.Query(ctx, "SELECT "+ticketCols+" FROM tickets WHERE parent_number = $1 ORDER BY created_at DESC, id DESC", parent)
	if err != nil {
		return nil, dbErr("children of "+parent, err)
	}
	list, err := collectTickets(rows)
	if err != nil {
		return nil, dbErr("children of "+parent, err)
	}
	return list, nil
}

// History returns the ticket's history, oldest first, in one query: a
// ticket without entries is one row of NULLs, no ticket is no row.
func (db *DB) History(ctx context.Context, number string) ([]tickets.HistoryEntry, error) {
	rows, err := db.pool.Query(ctx, `SELECT h.id, h.at, h.actor, h.field, h.from_value, h.to_value, h.reason
		FROM tickets t LEFT JOIN ticket_history h ON h.ticket_id = t.id
		WHERE t.number = $1 ORDER BY h.id`, number)
	if err != nil {
		return nil, dbErr("history of "+number, err)
	}
	found, list := false, []tickets.HistoryEntry{}
	var (
		id                             *int64
		at                             *time.Time
		actor, field, from, to, reason *string
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &at, &actor, &field, &from, &to, &reason}, func() error {
		found = true
		if id != nil {
			list = append(list, tickets.HistoryEntry{ID: *id, At: *at, Actor: *actor, Field: *field,
				From: *from, To: *to, Reason: *reason})
		}
		return nil
	})
	if err != nil {
		return nil, dbErr("history of "+number, err)
	}
	if !found {
		return nil, dbErr("history of "+number, notFound("ticket %s does not exist", number))
	}
	return list, nil
}
