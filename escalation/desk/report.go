package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

// The weekly fault report by email (seed 004). Each ISO week W has one
// action, WeeklyReport with Ref "2026-W47" and Key "report/weekly/2026-W47",
// due on the Monday after W at 08:00 America/Mexico_City (the zone the
// report's weeks are cut in). When it runs it fans out into one keyed email
// action per recipient (Key "report/weekly/2026-W47/email/<address>", Ref
// "2026-W47/to/<address>"), so each email is retried on its own and sent
// once, and schedules the next week's action. Each email builds the report
// of W with tickets.BuildWeeklyReport over Executor.ReportStore, with the
// same options as the web page and CSV (tickets.ReportOptions{}), and
// carries the plain-text report (Executor.ReportText) in Spanish and then
// in English.
//
// The chain is started by ScheduleWeeklyReport, which the process calls at
// every start: it is idempotent (a done key is left alone, a pending one
// gets the same due time). With no recipients configured a due report sends
// nothing and ends the chain; configuring recipients and restarting starts
// it again.

// WeeklyReport emails the weekly fault report of the ISO week in Ref.
const WeeklyReport escalation.ActionKind = "weekly_report"

// WeeklyReportHour is the local hour of the Monday the report is sent.
const WeeklyReportHour = 8

const (
	weeklyKeyPrefix = "report/weekly/"
	weeklyRefTo     = "/to/"
)

// weeklyReportOptions are the options the report is computed with: the web
// endpoints' (wall-clock resolution times, America/Mexico_City weeks), so
// the email and the page agree.
func weeklyReportOptions() tickets.ReportOptions { return tickets.ReportOptions{} }

// WeeklyReportDue is when the report of week w is sent: the Monday after it
// at WeeklyReportHour in the report's zone.
func WeeklyReportDue(w tickets.ISOWeek) time.Time {
	loc := weeklyReportOptions().Zone()
	end := w.End(loc)
	return time.Date(end.Year(), end.Month(), end.Day(), WeeklyReportHour, 0, 0, 0, loc)
}

// WeeklyReportAction is the action that emails the report of week w.
func WeeklyReportAction(w tickets.ISOWeek) escalation.Action {
	// Actor is set so that the action is not "planned": no ticket's Sync
	// may ever cancel it.
	return escalation.Action{Kind: WeeklyReport, DueAt: WeeklyReportDue(w), Key: weeklyKeyPrefix + w.String(),
		Ref: w.String(), Actor: SystemActor, Reason: "weekly fault report"}
}

// ScheduleWeeklyReport schedules the next weekly report due at or after now:
// the previous week's on a Monday before 08:00, else the current week's.
// It is idempotent; call it at every start when recipients are configured.
func ScheduleWeeklyReport(ctx context.Context, timers escalation.TimerStore, now time.Time) error {
	w := tickets.WeekOf(now, weeklyReportOptions().Zone()).Prev()
	if WeeklyReportDue(w).Before(now) {
		w = tickets.WeekOf(now, weeklyReportOptions().Zone())
	}
	return timers.Schedule(ctx, WeeklyReportAction(w))
}

// weeklyRecipients returns WeeklyReportTo trimmed, without empty entries
// or duplicates (compared without case).
func (x *Executor) weeklyRecipients() []string {
	var out []string
	for _, a := range x.WeeklyReportTo {
		a = strings.TrimSpace(a)
		if a == "" || slices.ContainsFunc(out, func(b string) bool { return strings.EqualFold(a, b) }) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// weeklyReport runs a WeeklyReport action: the week's fan-out, or one email.
func (x *Executor) weeklyReport(ctx context.Context, a escalation.Claimed) error {
	ref, to, isEmail := strings.Cut(a.Ref, weeklyRefTo)
	week, err := tickets.ParseISOWeek(ref)
	if err != nil {
		return escalation.Permanent(fmt.Errorf("weekly report %s: %w", a.Key, err))
	}
	if isEmail {
		return x.weeklyReportEmail(ctx, a, week, to)
	}
	recipients := x.weeklyRecipients()
	if len(recipients) == 0 {
		x.log().Info("weekly report: no recipients configured (escalation.weekly_report_to); not sent, not rescheduled", "week", week.String())
		return nil
	}
	now := x.now()
	out := make([]escalation.Action, 0, len(recipients)+1)
	for _, r := range recipients {
		out = append(out, escalation.Action{Kind: WeeklyReport, DueAt: now, Key: a.Key + "/email/" + strings.ToLower(r),
			Ref: week.String() + weeklyRefTo + r, Actor: SystemActor, Reason: a.Reason})
	}
	next := tickets.WeekOf(week.End(weeklyReportOptions().Zone()), weeklyReportOptions().Zone())
	out = append(out, WeeklyReportAction(next))
	if err := x.Desk.Timers.Schedule(ctx, out...); err != nil {
		return err
	}
	x.log().Info("weekly report due", "week", week.String(), "recipients", len(recipients), "next", next.String())
	return nil
}

// weeklyReportEmail builds the report of week and sends it to one address.
func (x *Executor) weeklyReportEmail(ctx context.Context, a escalation.Claimed, week tickets.ISOWeek, to string) error {
	if !slices.ContainsFunc(x.weeklyRecipients(), func(r string) bool { return strings.EqualFold(r, to) }) {
		return escalation.Permanent(fmt.Errorf("weekly report %s: %s is no longer a recipient", week, to))
	}
	if x.ReportStore == nil || x.ReportText == nil {
		return errors.New("weekly report: no report store or renderer configured")
	}
	rep, err := tickets.BuildWeeklyReport(ctx, x.ReportStore, week, weeklyReportOptions())
	if err != nil {
		return err
	}
	subject, text := WeeklyReportEmail(rep, x.ReportText)
	return x.Mail.Send(ctx, escalation.Email{To: []string{to}, Subject: subject, Text: text, Language: "es", Key: a.Key})
}

// WeeklyReportEmail returns the subject and plain-text body of the weekly
// report email: the report in Spanish, then in English, as render writes it.
func WeeklyReportEmail(r *tickets.WeeklyReport, render func(r *tickets.WeeklyReport, lang string) string) (subject, text string) {
	subject = fmt.Sprintf("Reporte semanal de averías %s / Weekly fault report %s", r.Week, r.Week)
	text = render(r, "es") + "\n-- English --\n\n" + render(r, "en")
	return subject, text
}
