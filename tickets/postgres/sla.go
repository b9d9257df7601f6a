package postgres

import (
	"context"
	"fmt"
	"time"
)

// SetDue stores the SLA due times of a ticket, as recomputed after a change.
// They are derived values, so no history entry is written and the ticket's
// version does not move (no ECONFLICT for the user who made the change).
func (db *DB) SetDue(ctx context.Context, number string, responseDue, resolutionDue *time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE tickets SET response_due = $2, resolution_due = $3
		WHERE number = $1 AND (response_due IS DISTINCT FROM $2 OR resolution_due IS DISTINCT FROM $3)`,
		number, utcPtr(responseDue), utcPtr(resolutionDue))
	if err != nil {
		return dbErr("set due times of "+number, err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := db.Ticket(ctx, number); err != nil {
			return fmt.Errorf("postgres: set due times: %w", err)
		}
	}
	return nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
