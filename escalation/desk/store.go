// Package desk puts the escalation core to work on the help desk: a
// tickets.Store decorator that keeps each ticket's due times and timers in
// step with its transitions, the Executor that performs due actions
// (escalations, emails, phone alerts, automatic rejection and closing), a
// Caller over the telephony engine, and the satisfaction survey page.
package desk

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

// CreatePlan computes a new ticket's due times (set on the draft it is
// given, whose Number is a stand-in) and the timers to write with it.
type CreatePlan = func(t *tickets.Ticket, history []tickets.HistoryEntry) ([]escalation.Action, error)

// SLAWriter stores what the SLA computes for a ticket (*postgres.DB): its
// recomputed due times, and a new ticket written with its due times and
// timers in one statement, so that there is never a ticket without them.
type SLAWriter interface {
	SetDue(ctx context.Context, number string, responseDue, resolutionDue *time.Time) error
	CreatePlannedTicket(ctx context.Context, t *tickets.Ticket, actor string, plan CreatePlan) error
}

// Store is a tickets.Store that, after every CreateTicket, Transition and
// Update, recomputes the ticket's due times (SetDue) and replaces its
// pending planned actions (TimerStore.Sync), and schedules the notices of
// the change: the confirmation on creation, the request for information on
// Pending user, the resolution notice on Resolved, the survey on Closed.
//
// A new ticket is stored with its due times and timers in one statement
// (SLAWriter.CreatePlannedTicket). For every other change, the ticket
// change and its timers are two transactions: if the second fails the
// change stands, the error is logged and Resync (or the next change of the
// ticket) repairs the timers.
type Store struct {
	tickets.Store
	Due    SLAWriter
	SLA    *escalation.SLA
	Timers escalation.TimerStore
	Clock  escalation.Clock
	Log    *slog.Logger
	// Events hears every ticket created or moved through the store, once
	// written (the metrics count them).
	Events tickets.TicketEvents
}

// NewStore wraps inner. due is usually the same *postgres.DB as inner;
// events hears the creations and transitions (its fields may be nil).
func NewStore(inner tickets.Store, due SLAWriter, sla *escalation.SLA, timers escalation.TimerStore, clock escalation.Clock,
	events tickets.TicketEvents, log *slog.Logger) *Store {
	if clock == nil {
		clock = escalation.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{Store: inner, Due: due, SLA: sla, Timers: timers, Clock: clock, Events: events, Log: log}
}

var _ tickets.Store = (*Store)(nil)

// CreateTicket creates t with its due times, its plan and the
// confirmation, in one statement.
func (s *Store) CreateTicket(ctx context.Context, t *tickets.Ticket, actor string) error {
	err := s.Due.CreatePlannedTicket(ctx, t, actor, func(draft *tickets.Ticket, hist []tickets.HistoryEntry) ([]escalation.Action, error) {
		return s.plan(draft, hist, "created", nil, s.Clock.Now())
	})
	if err != nil {
		return err
	}
	if s.Events.Created != nil {
		s.Events.Created(t)
	}
	return nil
}

// Transition moves the ticket, then replans it.
func (s *Store) Transition(ctx context.Context, number string, to tickets.State, c tickets.Change) (*tickets.Ticket, error) {
	return s.TransitionKeeping(ctx, number, to, c)
}

// TransitionKeeping is Transition that keeps the given actions pending in
// the new plan (the executor passes the action it is running, so that
// replanning does not cancel it under its own feet).
func (s *Store) TransitionKeeping(ctx context.Context, number string, to tickets.State, c tickets.Change, keep ...escalation.Action) (*tickets.Ticket, error) {
	t, err := s.Store.Transition(ctx, number, to, c)
	if err != nil {
		return nil, err
	}
	written := *t // as stored, before the due times are recomputed
	hist := s.after(ctx, t, "transition", keep)
	if from, ok := movedFrom(hist, to); ok && s.Events.Moved != nil {
		s.Events.Moved(&written, from)
	}
	return t, nil
}

// Update applies p, then replans (priority, service or level may change
// the policy and the steps).
func (s *Store) Update(ctx context.Context, number string, p tickets.Patch, c tickets.Change) (*tickets.Ticket, error) {
	return s.UpdateKeeping(ctx, number, p, c)
}

// UpdateKeeping is Update with actions kept pending (see TransitionKeeping).
func (s *Store) UpdateKeeping(ctx context.Context, number string, p tickets.Patch, c tickets.Change, keep ...escalation.Action) (*tickets.Ticket, error) {
	t, err := s.Store.Update(ctx, number, p, c)
	if err != nil {
		return nil, err
	}
	if affectsSLA(p) || len(keep) > 0 {
		_ = s.after(ctx, t, "update", keep)
	}
	return t, nil
}

// affectsSLA reports whether a patch can change a ticket's policy, targets
// or escalation steps. Assigning, re-queueing or editing texts cannot, and
// they happen on the call path (the agent who answers is assigned), so they
// skip the bookkeeping.
func affectsSLA(p tickets.Patch) bool {
	return p.Kind != nil || p.Service != nil || p.Impact != nil || p.Urgency != nil ||
		p.Priority != nil || p.Level != nil || p.MajorIncident != nil
}

// Resync recomputes the due times and timers of a ticket.
func (s *Store) Resync(ctx context.Context, number string) error {
	t, err := s.Store.Ticket(ctx, number)
	if err != nil {
		return err
	}
	_, err = s.sync(ctx, t, "", nil)
	return err
}

// after does the bookkeeping of a committed change, and returns the
// ticket's history (nil if it could not be read).
func (s *Store) after(ctx context.Context, t *tickets.Ticket, event string, keep []escalation.Action) []tickets.HistoryEntry {
	// The change is committed: finish the bookkeeping even if the caller
	// goes away now.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	hist, err := s.sync(ctx, t, event, keep)
	if err != nil {
		s.Log.Error("escalation: ticket changed but its SLA timers were not updated; Resync repairs them",
			"ticket", t.Number, "error", err)
	}
	return hist
}

// movedFrom is the state the latest transition to `to` in hist left.
func movedFrom(hist []tickets.HistoryEntry, to tickets.State) (tickets.State, bool) {
	for i := len(hist) - 1; i >= 0; i-- {
		if h := hist[i]; h.Field == "state" && h.To == string(to) {
			return tickets.State(h.From), true
		}
	}
	return "", false
}

func (s *Store) sync(ctx context.Context, t *tickets.Ticket, event string, keep []escalation.Action) ([]tickets.HistoryEntry, error) {
	hist, err := s.Store.History(ctx, t.Number)
	if err != nil {
		return nil, err
	}
	// t keeps its stored due times unless the new ones are stored.
	stored := [2]*time.Time{t.ResponseDue, t.ResolutionDue}
	plan, err := s.plan(t, hist, event, keep, s.Clock.Now())
	if err == nil {
		err = s.Due.SetDue(ctx, t.Number, t.ResponseDue, t.ResolutionDue)
	}
	if err != nil {
		t.ResponseDue, t.ResolutionDue = stored[0], stored[1]
		return hist, err
	}
	if err := s.Timers.Sync(ctx, t.Number, plan); err != nil {
		return hist, fmt.Errorf("sync timers of %s: %w", t.Number, err)
	}
	return hist, nil
}

// plan sets t's due times as of now and returns the actions t should have
// pending: its SLA plan, keep, and the notice event calls for.
func (s *Store) plan(t *tickets.Ticket, hist []tickets.HistoryEntry, event string, keep []escalation.Action, now time.Time) ([]escalation.Action, error) {
	due, err := s.SLA.ComputeDue(t, hist, now)
	if err != nil {
		return nil, err
	}
	due.Apply(t)
	plan, err := s.SLA.Plan(t, hist)
	if err != nil {
		return nil, err
	}
	plan = append(plan, keep...)
	if n, ok := notice(t, hist, event, now); ok {
		plan = append(plan, n)
	}
	return plan, nil
}

// notice is the email a change calls for, keyed by the history entry that
// made it so a retried bookkeeping does not send it twice.
func notice(t *tickets.Ticket, hist []tickets.HistoryEntry, event string, now time.Time) (escalation.Action, bool) {
	if event == "created" {
		return escalation.Notice(t, escalation.CreatedTemplate, "created", now), true
	}
	if event != "transition" {
		return escalation.Action{}, false
	}
	var last *tickets.HistoryEntry
	for i := range hist {
		if hist[i].Field == "state" {
			last = &hist[i]
		}
	}
	if last == nil || tickets.State(last.To) != t.State {
		return escalation.Action{}, false
	}
	id := strconv.FormatInt(last.ID, 10)
	switch t.State {
	case tickets.PendingUser:
		n := escalation.Notice(t, escalation.PendingUserTemplate, id, now)
		n.Reason = last.Reason
		return n, true
	case tickets.Resolved:
		n := escalation.Notice(t, escalation.ResolvedTemplate, id, now)
		n.Reason = last.Reason
		return n, true
	case tickets.Closed:
		return escalation.Notice(t, escalation.SurveyTemplate, id, now), true
	}
	return escalation.Action{}, false
}
