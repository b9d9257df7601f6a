package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

const maintenanceCols = `id, services, areas, start_at, end_at, summary_es, summary_en, created_by, created_at,
	notified_at, cancelled, cancelled_at, cancelled_by`

func scanMaintenance(row pgx.Row) (*escalation.Maintenance, error) {
	var m escalation.Maintenance
	err := row.Scan(&m.ID, &m.Services, &m.Areas, &m.Start, &m.End, &m.SummaryES, &m.SummaryEN, &m.CreatedBy,
		&m.CreatedAt, &m.NotifiedAt, &m.Cancelled, &m.CancelledAt, &m.CancelledBy)
	return &m, err
}

// CreateMaintenance stores a new window (normalised and validated, without
// the catalog: the caller checks services against it) and sets its ID and
// CreatedAt.
func (db *DB) CreateMaintenance(ctx context.Context, m *escalation.Maintenance) error {
	m.Normalize()
	if err := m.Validate(nil); err != nil {
		return fmt.Errorf("postgres: create maintenance: %w", err)
	}
	now := db.now()
	err := db.pool.QueryRow(ctx, `INSERT INTO maintenance_windows
		(services, areas, start_at, end_at, summary_es, summary_en, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		m.Services, nonNil(m.Areas), m.Start, m.End, m.SummaryES, m.SummaryEN, m.CreatedBy, now).Scan(&m.ID)
	if err != nil {
		return dbErr("create maintenance", err)
	}
	m.CreatedAt, m.Cancelled, m.CancelledAt, m.CancelledBy, m.NotifiedAt = now, false, nil, "", nil
	m.Start, m.End = m.Start.UTC().Truncate(time.Microsecond), m.End.UTC().Truncate(time.Microsecond)
	return nil
}

// Maintenance returns the window with the given ID.
func (db *DB) Maintenance(ctx context.Context, id int64) (*escalation.Maintenance, error) {
	m, err := scanMaintenance(db.pool.QueryRow(ctx, "SELECT "+maintenanceCols+" FROM maintenance_windows WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: maintenance: %w", notFound("maintenance window %d does not exist", id))
	} else if err != nil {
		return nil, dbErr(fmt.Sprintf("maintenance %d", id), err)
	}
	return m, nil
}

// ListMaintenance returns the windows f selects, earliest start first.
func (db *DB) ListMaintenance(ctx context.Context, f escalation.MaintenanceFilter) ([]escalation.Maintenance, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit, _ = pageOf(limit, 0)
	var since *time.Time
	if !f.Since.IsZero() {
		since = &f.Since
	}
	rows, err := db.pool.Query(ctx, "SELECT "+maintenanceCols+` FROM maintenance_windows
		WHERE ($1::timestamptz IS NULL OR end_at > $1) AND ($2 OR NOT cancelled)
		ORDER BY start_at, id LIMIT $3`, since, f.IncludeCancelled, limit)
	if err != nil {
		return nil, dbErr("list maintenance", err)
	}
	list, err := pgx.CollectRows(rows, byValue(scanMaintenance))
	if err != nil {
		return nil, dbErr("list maintenance", err)
	}
	return list, nil
}

// CancelMaintenance calls a window off. Cancelling a cancelled window
// returns it unchanged; a window already over cannot be cancelled (EINVALID).
func (db *DB) CancelMaintenance(ctx context.Context, id int64, actor string) (*escalation.Maintenance, error) {
	if strings.TrimSpace(actor) == "" {
		return nil, tickets.Errorf(tickets.EINVALID, "cancelling maintenance window %d requires an actor", id)
	}
	now := db.now()
	var out *escalation.Maintenance
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		m, err := scanMaintenance(tx.QueryRow(ctx, "SELECT "+maintenanceCols+" FROM maintenance_windows WHERE id = $1 FOR UPDATE", id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("maintenance window %d does not exist", id)
		} else if err != nil {
			return err
		}
		switch {
		case m.Cancelled:
			out = m
			return nil
		case !m.End.After(now):
			return tickets.Errorf(tickets.EINVALID, "maintenance window %d ended at %s: it can no longer be cancelled",
				id, m.End.Format(time.RFC3339))
		}
		out, err = scanMaintenance(tx.QueryRow(ctx, `UPDATE maintenance_windows
			SET cancelled = true, cancelled_at = $2, cancelled_by = $3 WHERE id = $1 RETURNING `+maintenanceCols,
			id, now, strings.TrimSpace(actor)))
		return err
	})
	if err != nil {
		return nil, dbErr(fmt.Sprintf("cancel maintenance %d", id), err)
	}
	return out, nil
}

// MarkMaintenanceNotified records when the window's notice emails were
// queued (the first time only).
func (db *DB) MarkMaintenanceNotified(ctx context.Context, id int64, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE maintenance_windows SET notified_at = coalesce(notified_at, $2) WHERE id = $1`, id, at)
	if err != nil {
		return dbErr(fmt.Sprintf("mark maintenance %d notified", id), err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: mark maintenance notified: %w", notFound("maintenance window %d does not exist", id))
	}
	return nil
}

// ActiveMaintenance returns the window in progress at `at` that affects
// callers of service in area (escalation.Maintenance.Affects: "" service
// matches any; a window without areas, or an unknown area, matches every
// area), the latest started if several; nil and no error when there is none.
func (db *DB) ActiveMaintenance(ctx context.Context, service, area string, at time.Time) (*escalation.Maintenance, error) {
	m, err := scanMaintenance(db.pool.QueryRow(ctx, "SELECT "+maintenanceCols+` FROM maintenance_windows
		WHERE NOT cancelled AND end_at > $1 AND start_at <= $1
		  AND ($2 = '' OR $2 = ANY (services))
		  AND ($3 = '' OR cardinality(areas) = 0 OR EXISTS (SELECT 1 FROM unnest(areas) a WHERE lower(btrim(a)) = $3))
		ORDER BY start_at DESC, id DESC LIMIT 1`, at, service, strings.ToLower(strings.TrimSpace(area))))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, dbErr("active maintenance", err)
	}
	return m, nil
}

// MaintenanceContacts returns who must be told of m, one contact per email
// address (the oldest contact of an address), by ID. The rule:
//
//   - contacts who opened a ticket (as its caller contact) on one of m's
//     services since `since`; when m names areas, only those whose area is
//     one of them or is unknown (as the IVR matches callers);
//   - and, when m names areas, every contact of those areas.
//
// Contacts without an email address are left out: there is nothing to send.
func (db *DB) MaintenanceContacts(ctx context.Context, m *escalation.Maintenance, since time.Time) ([]*tickets.Contact, error) {
	areas := make([]string, 0, len(m.Areas))
	for _, a := range m.Areas {
		areas = append(areas, strings.ToLower(strings.TrimSpace(a)))
	}
	rows, err := db.pool.Query(ctx, "SELECT "+contactCols+` FROM (
		SELECT DISTINCT ON (lower(btrim(c.email))) c.* FROM contacts c
		WHERE btrim(c.email) <> '' AND (
			(c.id IN (SELECT caller_contact_id FROM tickets
			          WHERE service = ANY ($1) AND created_at >= $2 AND caller_contact_id IS NOT NULL)
			 AND (cardinality($3::text[]) = 0 OR btrim(c.area) = '' OR lower(btrim(c.area)) = ANY ($3)))
			OR lower(btrim(c.area)) = ANY ($3))
		ORDER BY lower(btrim(c.email)), c.id) x
		ORDER BY id`, nonNil(m.Services), since, areas)
	if err != nil {
		return nil, dbErr("maintenance contacts", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*tickets.Contact, error) { return scanContact(r) })
	if err != nil {
		return nil, dbErr("maintenance contacts", err)
	}
	return list, nil
}
