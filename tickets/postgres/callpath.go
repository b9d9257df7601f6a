package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

// openStatesSQL is tickets.State.Open as SQL literals, spelled as migration
// 0011's partial indexes spell it: with literals a plan (a generic one too)
// can prove it may use them; with a parameter it cannot.
const openStatesSQL = `('registered', 'in_progress', 'pending_user', 'on_hold')`

// OpenTicketOf returns the caller's newest open ticket on service (any
// if "") created since `since`, or nil: the IVR asks on every call. One
// entry of tickets_open_caller is read, however long the caller's history
// (for any service, the caller's open tickets).
func (db *DB) OpenTicketOf(ctx context.Context, phone, service string, since time.Time) (*tickets.Ticket, error) {
	sql, args := "SELECT "+ticketCols+` FROM tickets
		WHERE caller_phone = $1 AND service = $2 AND state IN `+openStatesSQL+` AND created_at >= $3
		ORDER BY created_at DESC, id DESC LIMIT 1`, []any{phone, service, since}
	if service == "" {
		sql, args = "SELECT "+ticketCols+` FROM tickets
		WHERE caller_phone = $1 AND state IN `+openStatesSQL+` AND created_at >= $2
		ORDER BY created_at DESC, id DESC LIMIT 1`, []any{phone, since}
	}
	t, err := scanTicket(db.pool.QueryRow(ctx, sql, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, dbErr("open ticket of caller", err)
	}
	return t, nil
}

// maxMajorIncidents bounds the cache of open major incidents; a desk has a
// handful at a time.
const maxMajorIncidents = 1000

// OpenMajorIncidents returns the open major incidents, newest first (over
// tickets_open_major: only those rows are read).
func (db *DB) OpenMajorIncidents(ctx context.Context) ([]*tickets.Ticket, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+ticketCols+` FROM tickets
		WHERE major_incident AND state IN `+openStatesSQL+` ORDER BY created_at DESC, id DESC LIMIT $1`, maxMajorIncidents)
	if err != nil {
		return nil, dbErr("open major incidents", err)
	}
	list, err := collectTickets(rows)
	if err != nil {
		return nil, dbErr("open major incidents", err)
	}
	return list, nil
}

// LiveMaintenance returns the windows not cancelled and not over at `at`
// (in progress or to come), over maintenance_windows_live.
func (db *DB) LiveMaintenance(ctx context.Context, at time.Time) ([]escalation.Maintenance, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+maintenanceCols+` FROM maintenance_windows
		WHERE NOT cancelled AND end_at > $1 ORDER BY start_at DESC, id DESC`, at)
	if err != nil {
		return nil, dbErr("live maintenance", err)
	}
	list, err := pgx.CollectRows(rows, byValue(scanMaintenance))
	if err != nil {
		return nil, dbErr("live maintenance", err)
	}
	return list, nil
}

// CallCache answers the IVR's per-call questions about what rarely changes
// (open major incidents, maintenance windows) from memory, reloaded when a
// change is notified (Changes): a call makes no query for them.
type CallCache struct {
	incidents *Cache[[]*tickets.Ticket]
	windows   *Cache[[]escalation.Maintenance]
}

// NewCallCache loads both copies and keeps them fresh through ch until ctx
// ends.
func NewCallCache(ctx context.Context, db *DB, ch *Changes) (*CallCache, error) {
	inc, err := NewCache(ctx, ch, TopicMajorIncidents, db.OpenMajorIncidents)
	if err != nil {
		return nil, fmt.Errorf("postgres: call cache: %w", err)
	}
	win, err := NewCache(ctx, ch, TopicMaintenance, func(ctx context.Context) ([]escalation.Maintenance, error) {
		return db.LiveMaintenance(ctx, db.now())
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: call cache: %w", err)
	}
	return &CallCache{incidents: inc, windows: win}, nil
}

// MajorIncident returns the newest open major incident on service (any if
// ""), or nil.
func (c *CallCache) MajorIncident(_ context.Context, service string) (*tickets.Ticket, error) {
	for _, t := range c.incidents.Get() { // newest first
		if service == "" || t.Service == service {
			cp := *t
			return &cp, nil
		}
	}
	return nil, nil
}

// ActiveMaintenance is DB.ActiveMaintenance from memory: the window in
// progress at `at` affecting callers of service in area, the latest
// started if several, or nil.
func (c *CallCache) ActiveMaintenance(_ context.Context, service, area string, at time.Time) (*escalation.Maintenance, error) {
	list := c.windows.Get() // latest start first
	for i := range list {
		m := &list[i]
		if m.Cancelled || m.Start.After(at) || !m.End.After(at) || !m.Affects(service, area) {
			continue
		}
		cp := *m
		return &cp, nil
	}
	return nil, nil
}
