package postgres

import (
	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

// ticketCols is the column list scanTicket reads, in order.
const ticketCols = `id, number, kind, service, impact, urgency, priority, level, state, channel,
	caller_contact_id, caller_name, caller_department, caller_email, caller_phone, caller_extension,
	subject, description, assignee, queue, parent_number, major_incident, ivr_path, version,
	created_at, updated_at, first_response_at, resolved_at, closed_at, response_due, resolution_due`

func scanTicket(row pgx.Row) (*tickets.Ticket, error) {
	var (
		t       tickets.Ticket
		contact *int64
		parent  *string
	)
	err := row.Scan(&t.ID, &t.Number, &t.Kind, &t.Service, &t.Impact, &t.Urgency, &t.Priority, &t.Level, &t.State, &t.Channel,
		&contact, &t.Caller.Name, &t.Caller.Department, &t.Caller.Email, &t.Caller.Phone, &t.Caller.Extension,
		&t.Subject, &t.Description, &t.Assignee, &t.Queue, &parent, &t.MajorIncident, &t.IVRPath, &t.Version,
		&t.CreatedAt, &t.UpdatedAt, &t.FirstResponseAt, &t.ResolvedAt, &t.ClosedAt, &t.ResponseDue, &t.ResolutionDue)
	if err != nil {
		return nil, err
	}
	if contact != nil {
		t.Caller.ContactID = *contact
	}
	if parent != nil {
		t.ParentNumber = *parent
	}
	if len(t.IVRPath) == 0 {
		t.IVRPath = nil
	}
	return &t, nil
}

func collectTickets(rows pgx.Rows) ([]*tickets.Ticket, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*tickets.Ticket, error) { return scanTicket(r) })
}

// nullID and nullText store a zero value as NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// byValue turns a row scanner that returns a pointer into a pgx.RowToFunc
// of values, for lists of plain structs.
func byValue[T any](scan func(pgx.Row) (*T, error)) pgx.RowToFunc[T] {
	return func(r pgx.CollectableRow) (T, error) {
		p, err := scan(r)
		if err != nil || p == nil {
			var zero T
			return zero, err
		}
		return *p, nil
	}
}
