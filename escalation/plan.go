package escalation

import (
	"fmt"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
)

// ActionKind is what a due action does when it fires.
type ActionKind string

const (
	Escalate   ActionKind = "escalate"    // raise the ticket to Level and tell that level's contacts
	Notify     ActionKind = "notify"      // send the email Template (created, pending user, resolved, survey, maintenance)
	AutoReject ActionKind = "auto_reject" // Pending user -> Rejected, telling the user why
	AutoClose  ActionKind = "auto_close"  // Resolved -> Closed, sending the survey
	Remind     ActionKind = "remind"      // remind the user of the missing information
)

// Action is one effect due at DueAt. Key is unique per effect: scheduling
// the same Key twice is one effect, so plans can be recomputed freely.
type Action struct {
	Kind         ActionKind
	TicketNumber string
	Level        int // the level escalated to; the ticket's level otherwise
	DueAt        time.Time
	Key          string
	Template     TemplateKind // for Notify and Remind
	Ref          string       // what the action is about when not a ticket (a maintenance window ID)
	Reason       string       // recorded on the ticket's history
	Actor        string       // who asked for it; "" for the system
}

// Planned reports whether a comes from Plan (and so may be withdrawn by
// a later plan) rather than from a person or an event.
func (a Action) Planned() bool { return a.Kind != Notify && a.Actor == "" }

// FieldObjection is the history field recording that the user objected to
// the resolution: a Resolved ticket with one after its resolution is not
// closed automatically.
const FieldObjection = "close_objection"

// Plan returns the actions a ticket should have pending now, from its
// history: escalation steps of the targets not yet met (the clock paused in
// Pending user and On hold), the reminder and automatic rejection of Pending
// user, the automatic close of Resolved. Steps to a level the ticket already
// has are left out. Steps already reached are included (with DueAt in the
// past): their keys make them no-ops once done. Plan is pure; the caller
// replaces the ticket's pending actions with its result (TimerStore.Sync).
func Plan(t *tickets.Ticket, history []tickets.HistoryEntry, p *Policy, cals map[string]*Calendar, r Rules) []Action {
	iv := Intervals(t, history)
	cur := iv[len(iv)-1]
	var out []Action
	if cur.State.Open() {
		cal := cals[p.Calendar]
		runs := running(iv)
		if t.FirstResponseAt == nil && cur.State == tickets.Registered {
			out = append(out, steps(t, p, cal, runs, ResponseTarget)...)
		}
		out = append(out, steps(t, p, cal, runs, ResolutionTarget)...)
	}
	rc := cals[r.Calendar]
	if rc == nil { // rules not checked by New: count on the policy's calendar
		rc = cals[p.Calendar]
	}
	since := cur.From.Unix()
	switch cur.State {
	case tickets.PendingUser:
		if r.RemindAfter > 0 {
			out = append(out, Action{Kind: Remind, TicketNumber: t.Number, Level: t.Level,
				DueAt: rc.Add(cur.From, r.RemindAfter), Template: PendingUserTemplate,
				Key:    fmt.Sprintf("%s/remind/%d", t.Number, since),
				Reason: fmt.Sprintf("no answer from the user after %s business time", hours(r.RemindAfter))})
		}
		out = append(out, Action{Kind: AutoReject, TicketNumber: t.Number, Level: t.Level,
			DueAt: rc.Add(cur.From, r.RejectAfter), Key: fmt.Sprintf("%s/auto_reject/%d", t.Number, since),
			Reason: fmt.Sprintf("no answer from the user within %s business hours of the request for information", hours(r.RejectAfter))})
	case tickets.Resolved:
		for _, h := range history {
			if h.Field == FieldObjection && !h.At.Before(cur.From) {
				return out
			}
		}
		out = append(out, Action{Kind: AutoClose, TicketNumber: t.Number, Level: t.Level,
			DueAt: rc.AddDays(cur.From, r.CloseAfterDays), Key: fmt.Sprintf("%s/auto_close/%d", t.Number, since),
			Reason: fmt.Sprintf("no objection from the user within %d business days of the resolution", r.CloseAfterDays)})
	}
	return out
}

func steps(t *tickets.Ticket, p *Policy, cal *Calendar, runs []Interval, target Target) []Action {
	var out []Action
	for _, s := range p.Steps {
		if s.Level <= t.Level {
			continue
		}
		at, ok := crossing(cal, runs, s.At.Of(p.target(target)))
		if !ok {
			continue
		}
		out = append(out, Action{Kind: Escalate, TicketNumber: t.Number, Level: s.Level, DueAt: at,
			Key:    fmt.Sprintf("%s/escalate/%s/%s/L%d", t.Number, target, s.At, s.Level),
			Reason: fmt.Sprintf("%s of the %s target (%s on calendar %s) elapsed", s.At, target, hours(p.target(target)), p.Calendar)})
	}
	return out
}

func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d", d/time.Hour)
	}
	return d.String()
}

// Plan returns the actions for t under its policy.
func (s *SLA) Plan(t *tickets.Ticket, history []tickets.HistoryEntry) ([]Action, error) {
	p, err := s.Policy(t)
	if err != nil {
		return nil, err
	}
	return Plan(t, history, p, s.Calendars, s.Rules), nil
}

// ManualEscalation is a supervisor's or agent's escalation of t to level,
// due now. The reason is required and goes to the ticket's history.
func ManualEscalation(t *tickets.Ticket, level int, reason, actor string, now time.Time) (Action, error) {
	switch {
	case level < 2 || level > 4:
		return Action{}, tickets.Errorf(tickets.EINVALID, "escalation level %d is not 2 to 4", level)
	case level <= t.Level:
		return Action{}, tickets.Errorf(tickets.EINVALID, "ticket %s is already at level %d", t.Number, t.Level)
	case !t.State.Open():
		return Action{}, tickets.Errorf(tickets.EINVALID, "ticket %s is %s: only open tickets escalate", t.Number, t.State)
	case strings.TrimSpace(reason) == "":
		return Action{}, tickets.Errorf(tickets.EINVALID, "escalating ticket %s requires a reason", t.Number)
	case strings.TrimSpace(actor) == "":
		return Action{}, tickets.Errorf(tickets.EINVALID, "escalating ticket %s requires an actor", t.Number)
	}
	return Action{Kind: Escalate, TicketNumber: t.Number, Level: level, DueAt: now,
		Key:    fmt.Sprintf("%s/escalate/manual/%d/%d", t.Number, level, now.UnixNano()),
		Reason: strings.TrimSpace(reason), Actor: actor}, nil
}

// Notice is a ticket email (created, pending user, resolved, survey) made
// durable: event names the occurrence (e.g. the history entry ID), so a
// retried transition does not send it twice.
func Notice(t *tickets.Ticket, kind TemplateKind, event string, now time.Time) Action {
	return Action{Kind: Notify, TicketNumber: t.Number, Level: t.Level, DueAt: now, Template: kind,
		Key: fmt.Sprintf("%s/notify/%s/%s", t.Number, kind, event)}
}

// MaintenanceNotice returns the notice of m to the affected contacts, due
// Rules.MaintenanceNotice business time before the window (16h). ref names
// the window in the action (its ID once stored). A window too close for
// that notice is refused with EINVALID.
func (s *SLA) MaintenanceNotice(ref string, m *Maintenance, now time.Time) (Action, error) {
	switch {
	case strings.TrimSpace(ref) == "":
		return Action{}, tickets.Errorf(tickets.EINVALID, "maintenance: id is required")
	case !m.End.After(m.Start):
		return Action{}, tickets.Errorf(tickets.EINVALID, "maintenance %s: ends before it starts", ref)
	case len(m.Services) == 0:
		return Action{}, tickets.Errorf(tickets.EINVALID, "maintenance %s: no affected services", ref)
	}
	cal := s.Calendars[s.Rules.Calendar]
	due := cal.Add(m.Start, -s.Rules.MaintenanceNotice)
	if due.Before(now) {
		return Action{}, tickets.Errorf(tickets.EINVALID,
			"maintenance %s: starts %s business hours from now; contacts must be told at least %s business hours ahead",
			ref, hours(cal.Between(now, m.Start).Round(time.Minute)), hours(s.Rules.MaintenanceNotice))
	}
	return Action{Kind: Notify, DueAt: due, Template: MaintenanceTemplate, Ref: ref,
		Key: "maintenance/" + ref + "/notice"}, nil
}
