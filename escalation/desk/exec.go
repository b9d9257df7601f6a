package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
)

// Kinds and templates the executor adds to the core's.
const (
	// PhoneAlert calls the contact at index Ref of the escalated level's
	// contacts with a phone (P1); no acknowledgement schedules the next.
	PhoneAlert escalation.ActionKind = "phone_alert"
	// RejectedTemplate tells the user why the ticket was rejected.
	RejectedTemplate escalation.TemplateKind = "rejected"
	// SystemActor is the history actor of automatic changes.
	SystemActor = "atiende"
	// Refs of escalation emails: to a directory contact, or to the supervisor.
	refContact    = "contact:"
	refSupervisor = "supervisor"
)

// SurveyStore keeps satisfaction surveys by the hash of their token
// (*postgres.DB).
type SurveyStore interface {
	CreateSurvey(ctx context.Context, hash []byte, ticketNumber, agent, language string, at time.Time) error
	Survey(ctx context.Context, hash []byte) (ticketNumber, language string, answered bool, err error)
	AnswerSurvey(ctx context.Context, hash []byte, score int, comment string, at time.Time) error
}

// DirectorySource gives the current escalation directory (*postgres.DB,
// or StaticDirectory from the YAML config).
type DirectorySource interface {
	Directory(ctx context.Context) (escalation.Directory, error)
}

// StaticDirectory is a directory fixed at start (the YAML config).
type StaticDirectory escalation.Directory

func (d StaticDirectory) Directory(context.Context) (escalation.Directory, error) {
	return escalation.Directory(d), nil
}

// Executor performs due actions; every effect is its own keyed action, so
// each email and each call is retried on its own and happens once.
type Executor struct {
	Desk *Store // the decorated store: its transitions replan the ticket
	Mail escalation.Notifier
	// Caller phones P1 escalation contacts; nil sends email only.
	Caller escalation.Caller
	// Directory defaults to Desk.SLA.Directory.
	Directory DirectorySource
	Surveys   SurveyStore
	// SurveyURL is the public prefix of survey links ("https://host/survey/").
	SurveyURL string
	// SurveySecret derives each survey's token from its action key (HMAC),
	// so a resent email carries the same link. Required with Surveys.
	SurveySecret []byte
	// Supervisor is told of unreachable contacts and unacknowledged P1
	// alerts; empty records an internal note on the ticket instead.
	Supervisor string
	// Maintenance performs maintenance notices (Ref is the window ID); nil
	// leaves them pending with an error until one is configured.
	Maintenance escalation.Executor
	// ReportStore gives the weekly fault report its rows (*postgres.DB);
	// ReportText writes it as plain text in a language ("es" or "en"; the
	// web layer's web.RenderWeeklyText); WeeklyReportTo are the addresses
	// it is emailed to every Monday (see WeeklyReport and
	// ScheduleWeeklyReport).
	ReportStore    tickets.ReportStore
	ReportText     func(r *tickets.WeeklyReport, lang string) string
	WeeklyReportTo []string
	// FollowUps performs SurveyFollowUp actions (*Surveys); nil leaves
	// them pending with an error until one is configured.
	FollowUps escalation.Executor
	// OnEscalated, if set, is told of each level raise an escalation
	// made (the metrics count it); it must not block.
	OnEscalated func(t *tickets.Ticket, level int)
	// Catalog names the ticket's service in the email's language; nil
	// leaves the code (tests that do not care).
	Catalog tickets.CatalogSource
	Log     *slog.Logger
}

var _ escalation.Executor = (*Executor)(nil)

// Execute dispatches a on its kind.
func (x *Executor) Execute(ctx context.Context, a escalation.Claimed) error {
	var err error
	switch a.Kind {
	case escalation.Escalate:
		err = x.escalate(ctx, a)
	case escalation.AutoReject:
		err = x.autoReject(ctx, a)
	case escalation.AutoClose:
		err = x.autoClose(ctx, a)
	case escalation.Notify, escalation.Remind:
		err = x.notify(ctx, a)
	case PhoneAlert:
		err = x.phoneAlert(ctx, a)
	case WeeklyReport:
		err = x.weeklyReport(ctx, a)
	case SurveyFollowUp:
		if x.FollowUps == nil {
			err = fmt.Errorf("survey follow-ups are not configured")
		} else {
			err = x.FollowUps.Execute(ctx, a)
		}
	default:
		err = escalation.Permanent(fmt.Errorf("unknown action kind %q", a.Kind))
	}
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return escalation.Permanent(err)
	}
	return err
}

func (x *Executor) log() *slog.Logger {
	if x.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return x.Log
}

func (x *Executor) directory(ctx context.Context) (escalation.Directory, error) {
	if x.Directory == nil {
		return x.Desk.SLA.Directory, nil
	}
	return x.Directory.Directory(ctx)
}

func (x *Executor) now() time.Time { return x.Desk.Clock.Now() }

func actorOf(a escalation.Claimed) string {
	if a.Actor != "" {
		return a.Actor
	}
	return SystemActor
}

// child is an effect that follows from a: keyed under a, with an actor so
// that replanning never cancels it.
func child(a escalation.Claimed, kind escalation.ActionKind, suffix string, now time.Time) escalation.Action {
	return escalation.Action{Kind: kind, TicketNumber: a.TicketNumber, Level: a.Level, DueAt: now,
		Key: a.Key + "/" + suffix, Reason: a.Reason, Actor: SystemActor}
}

// escalate raises the ticket's level (on its history, with the reason) and
// schedules one email per contact of the level, the supervisor's notice of
// contacts who cannot be reached, and for P1 the phone alert chain.
func (x *Executor) escalate(ctx context.Context, a escalation.Claimed) error {
	t, err := x.Desk.Ticket(ctx, a.TicketNumber)
	if err != nil {
		return err
	}
	if !t.State.Open() {
		return escalation.Permanent(fmt.Errorf("ticket %s is %s: not escalated", t.Number, t.State))
	}
	if t.Level >= a.Level && a.Attempt == 1 {
		return escalation.Permanent(fmt.Errorf("ticket %s is already at level %d", t.Number, t.Level))
	}
	if t.Level < a.Level {
		lvl := a.Level
		if _, err := x.Desk.UpdateKeeping(ctx, t.Number, tickets.Patch{Level: &lvl},
			tickets.Change{Actor: actorOf(a), Reason: a.Reason}, a.Action); err != nil {
			return err
		}
		if x.OnEscalated != nil {
			x.OnEscalated(t, lvl)
		}
	}
	dir, err := x.directory(ctx)
	if err != nil {
		return err
	}
	now := x.now()
	reachable, unreachable := dir.Recipients(a.Level)
	var out []escalation.Action
	var phones int
	for _, c := range reachable {
		if e := strings.TrimSpace(c.Email); e != "" {
			n := child(a, escalation.Notify, "email/"+e, now)
			n.Template, n.Ref = escalation.EscalationTemplate, refContact+e
			out = append(out, n)
		}
		if len(c.Phones()) > 0 {
			phones++
		}
	}
	var problems []string
	for _, c := range unreachable {
		problems = append(problems, fmt.Sprintf("%s (level %d) has no email and no phone", c.Name, c.Level))
	}
	if len(reachable) == 0 && len(unreachable) == 0 {
		problems = append(problems, fmt.Sprintf("the directory has no contact for level %d", a.Level))
	}
	if len(problems) > 0 {
		out = append(out, x.supervisorNotice(a, "supervisor", strings.Join(problems, "; "), now))
	}
	if t.Priority == tickets.P1 && x.Caller != nil && phones > 0 {
		p := child(a, PhoneAlert, "call/0", now)
		p.Ref = "0"
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil
	}
	return x.Desk.Timers.Schedule(ctx, out...)
}

func (x *Executor) supervisorNotice(a escalation.Claimed, suffix, problem string, now time.Time) escalation.Action {
	n := child(a, escalation.Notify, suffix, now)
	n.Template, n.Ref = escalation.EscalationTemplate, refSupervisor
	n.Reason = fmt.Sprintf("%s. Escalation of ticket %s to level %d was recorded (%s).", problem, a.TicketNumber, a.Level, a.Reason)
	return n
}

// autoReject moves a ticket still waiting for the user to Rejected, then
// schedules the email telling the user why.
func (x *Executor) autoReject(ctx context.Context, a escalation.Claimed) error {
	t, err := x.Desk.Ticket(ctx, a.TicketNumber)
	if err != nil {
		return err
	}
	switch {
	case t.State == tickets.PendingUser:
		if _, err := x.Desk.TransitionKeeping(ctx, t.Number, tickets.Rejected,
			tickets.Change{Actor: SystemActor, Reason: a.Reason}, a.Action); err != nil {
			return err
		}
	case t.State == tickets.Rejected && a.Attempt > 1: // rejected by our earlier attempt
	default:
		return escalation.Permanent(fmt.Errorf("ticket %s is %s, no longer pending user", t.Number, t.State))
	}
	n := child(a, escalation.Notify, "email", x.now())
	n.Template = RejectedTemplate
	return x.Desk.Timers.Schedule(ctx, n)
}

// autoClose closes a resolved ticket; closing schedules the survey.
func (x *Executor) autoClose(ctx context.Context, a escalation.Claimed) error {
	t, err := x.Desk.Ticket(ctx, a.TicketNumber)
	if err != nil {
		return err
	}
	switch {
	case t.State == tickets.Resolved:
		_, err := x.Desk.TransitionKeeping(ctx, t.Number, tickets.Closed,
			tickets.Change{Actor: SystemActor, Reason: a.Reason}, a.Action)
		return err
	case t.State == tickets.Closed && a.Attempt > 1:
		return nil
	}
	return escalation.Permanent(fmt.Errorf("ticket %s is %s, no longer resolved", t.Number, t.State))
}

// phoneAlert calls one contact (extension, office phone, mobile) and waits
// AckTimeout per call for a 1. Acknowledged: a note on the ticket. Not:
// the next contact, and after the last the supervisor.
func (x *Executor) phoneAlert(ctx context.Context, a escalation.Claimed) error {
	t, err := x.Desk.Ticket(ctx, a.TicketNumber)
	if err != nil {
		return err
	}
	dir, err := x.directory(ctx)
	if err != nil {
		return err
	}
	var contacts []escalation.Contact
	for _, c := range dir.Level(a.Level) {
		if len(c.Phones()) > 0 {
			contacts = append(contacts, c)
		}
	}
	var i int
	if _, err := fmt.Sscan(a.Ref, &i); err != nil || i < 0 || i >= len(contacts) {
		return escalation.Permanent(fmt.Errorf("phone alert %s: no contact %q at level %d", a.Key, a.Ref, a.Level))
	}
	if x.Caller == nil {
		return errors.New("no telephony engine configured for phone alerts")
	}
	c := contacts[i]
	acked, attempts, err := escalation.AlertChain(ctx, x.Caller, contacts[i:i+1],
		escalation.Alert{TicketNumber: t.Number, Level: a.Level, Language: "es", Key: a.Key}, x.Desk.SLA.Rules.AckTimeout)
	if err != nil && !errors.Is(err, escalation.ErrNoPhone) {
		return err
	}
	var triedES, triedEN []string
	for _, at := range attempts {
		if at.Err != nil {
			x.log().Info("phone alert not acknowledged", "ticket", t.Number, "to", at.To, "error", at.Err)
		}
		es, en := alertOutcome(at.Err)
		triedES = append(triedES, at.To+" ("+es+")")
		triedEN = append(triedEN, at.To+" ("+en+")")
	}
	now := x.now()
	if acked != nil {
		to, at := attempts[len(attempts)-1].To, now.UTC().Format("2006-01-02 15:04 UTC")
		body := fmt.Sprintf("Escalamiento al nivel %d confirmado por %s por teléfono (%s) el %s.\n"+
			"Escalation to level %d acknowledged by %s by phone (%s) at %s.",
			a.Level, c.Name, to, at, a.Level, c.Name, to, at)
		return x.Desk.AddNote(ctx, t.Number, &tickets.Note{Author: SystemActor, Body: body, Internal: true})
	}
	base := strings.TrimSuffix(a.Key, "/call/"+a.Ref)
	parent := a
	parent.Key = base
	note := fmt.Sprintf("Alerta de escalamiento a %s (nivel %d) sin confirmar: se llamó a %s.\n"+
		"Escalation alert to %s (level %d) not acknowledged: called %s.",
		c.Name, a.Level, strings.Join(triedES, ", "), c.Name, a.Level, strings.Join(triedEN, ", "))
	if err := x.Desk.AddNote(ctx, t.Number, &tickets.Note{Author: SystemActor, Body: note, Internal: true}); err != nil {
		return err
	}
	if i+1 < len(contacts) {
		next := child(parent, PhoneAlert, fmt.Sprintf("call/%d", i+1), now)
		next.Ref = fmt.Sprint(i + 1)
		return x.Desk.Timers.Schedule(ctx, next)
	}
	return x.Desk.Timers.Schedule(ctx, x.supervisorNotice(parent, "supervisor/unacknowledged",
		fmt.Sprintf("No level %d contact acknowledged the phone alert of P1 ticket %s", a.Level, t.Number), now))
}

// alertOutcome names, in Spanish and English, why a phone alert's call
// was not acknowledged: the note is read by the desk, so the engine's
// error text (logged) does not go into it.
func alertOutcome(err error) (es, en string) {
	switch {
	case err == nil:
		return "no contestó o no confirmó", "no answer or no acknowledgement"
	case errors.Is(err, ivr.ErrBusy):
		return "ocupado", "busy"
	case errors.Is(err, ivr.ErrNoAnswer):
		return "no contestó", "no answer"
	case errors.Is(err, ivr.ErrUnreachable):
		return "no disponible", "unreachable"
	case errors.Is(err, ivr.ErrDeclined):
		return "rechazó la llamada", "declined"
	case errors.Is(err, ivr.ErrHungUp):
		return "colgó sin confirmar", "hung up without acknowledging"
	case errors.Is(err, ivr.ErrEngineDown):
		return "la telefonía no está disponible", "the phone system is down"
	}
	return "la llamada falló", "the call failed"
}
