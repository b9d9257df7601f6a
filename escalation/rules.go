package escalation

import (
	"time"

	"github.com/atiende/atiende/tickets"
)

// Rules are the automatic transitions and notice periods of DOMAIN.md,
// counted on Calendar.
type Rules struct {
	// Calendar counts the business time of the rules below (default office).
	Calendar string `yaml:"calendar"`
	// RejectAfter: Pending user becomes Rejected after this much business
	// time without the user's answer (48h).
	RejectAfter time.Duration `yaml:"pending_user_reject_after"`
	// RemindAfter: the user is reminded of the missing information after
	// this much business time in Pending user (24h); 0 sends no reminder.
	RemindAfter time.Duration `yaml:"pending_user_remind_after"`
	// CloseAfterDays: a Resolved ticket closes after this many business
	// days unless the user objects (3).
	CloseAfterDays int `yaml:"resolved_close_after_days"`
	// MaintenanceNotice: affected contacts are emailed at least this much
	// business time before a maintenance window (16h).
	MaintenanceNotice time.Duration `yaml:"maintenance_notice"`
	// AckTimeout: a P1 phone alert not acknowledged with 1 within this time
	// moves on to the next contact (2m).
	AckTimeout time.Duration `yaml:"ack_timeout"`
}

// DefaultRules are the numbers of DOMAIN.md.
func DefaultRules() Rules {
	return Rules{
		Calendar:          OfficeCalendar,
		RejectAfter:       48 * time.Hour,
		RemindAfter:       24 * time.Hour,
		CloseAfterDays:    3,
		MaintenanceNotice: 16 * time.Hour,
		AckTimeout:        2 * time.Minute,
	}
}

func (r *Rules) validate(cals map[string]*Calendar) error {
	bad := func(field, format string, args ...any) error {
		return tickets.Errorf(tickets.EINVALID, "rules: %s: "+format, append([]any{field}, args...)...)
	}
	switch {
	case cals[r.Calendar] == nil:
		return bad("calendar", "unknown calendar %q", r.Calendar)
	case r.RejectAfter <= 0:
		return bad("pending_user_reject_after", "%s is not a positive duration", r.RejectAfter)
	case r.RemindAfter < 0:
		return bad("pending_user_remind_after", "%s is negative", r.RemindAfter)
	case r.RemindAfter >= r.RejectAfter:
		return bad("pending_user_remind_after", "%s is not before pending_user_reject_after %s", r.RemindAfter, r.RejectAfter)
	case r.CloseAfterDays < 0:
		return bad("resolved_close_after_days", "%d is negative", r.CloseAfterDays)
	case r.MaintenanceNotice < 0:
		return bad("maintenance_notice", "%s is negative", r.MaintenanceNotice)
	case r.AckTimeout <= 0:
		return bad("ack_timeout", "%s is not a positive duration", r.AckTimeout)
	}
	return nil
}
