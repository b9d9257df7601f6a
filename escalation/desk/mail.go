package desk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

// notify renders and sends one email of a Notify or Remind action.
func (x *Executor) notify(ctx context.Context, a escalation.Claimed) error {
	if a.Template == escalation.MaintenanceTemplate {
		if x.Maintenance == nil {
			return errors.New("no maintenance notifier configured")
		}
		return x.Maintenance.Execute(ctx, a)
	}
	t, err := x.Desk.Ticket(ctx, a.TicketNumber)
	if err != nil {
		return err
	}
	d := escalation.Data{TicketNumber: t.Number, Subject: t.Subject, CallerName: t.Caller.Name, Service: x.serviceName(t.Service, "es"),
		Priority: t.Priority.String(), Level: t.Level, Location: x.location()}
	if a.Template == escalation.EscalationTemplate {
		return x.escalationEmail(ctx, a, t, d)
	}
	to := strings.TrimSpace(t.Caller.Email)
	if to == "" {
		return escalation.Permanent(fmt.Errorf("ticket %s: the caller has no email address", t.Number))
	}
	lang := x.callerLanguage(ctx, t)
	d.Service = x.serviceName(t.Service, lang)
	kind := a.Template
	switch kind {
	case escalation.PendingUserTemplate:
		d.Reminder = a.Kind == escalation.Remind
		d.Reason = a.Reason
		if d.Reminder {
			d.Reason = x.lastReason(ctx, t)
		}
		d.DueAt = x.planned(ctx, t, escalation.AutoReject)
	case escalation.ResolvedTemplate:
		d.Resolution = a.Reason
		d.DueAt = x.planned(ctx, t, escalation.AutoClose)
	case escalation.SurveyTemplate:
		url, err := x.survey(ctx, a, t, lang)
		if err != nil {
			return err
		}
		d.SurveyURL = url
	case RejectedTemplate:
		subject, text, html := rejectedEmail(lang, t, a.Reason)
		return x.send(ctx, a, to, lang, subject, text, html)
	}
	subject, text, html, err := escalation.Render(kind, lang, d)
	if err != nil {
		return escalation.Permanent(err)
	}
	return x.send(ctx, a, to, lang, subject, text, html)
}

// serviceName is the name of service code in lang, as the catalog in force
// has it; the code only when there is no catalog or the code is unknown.
func (x *Executor) serviceName(code, lang string) string {
	if x.Catalog == nil {
		return code
	}
	if s, ok := x.Catalog.Current().Service(code); ok {
		return s.NameIn(lang)
	}
	return code
}

func (x *Executor) send(ctx context.Context, a escalation.Claimed, to, lang, subject, text, html string) error {
	return x.Mail.Send(ctx, escalation.Email{To: []string{to}, Subject: subject, Text: text, HTML: html, Language: lang, Key: a.Key})
}

func (x *Executor) escalationEmail(ctx context.Context, a escalation.Claimed, t *tickets.Ticket, d escalation.Data) error {
	d.Level, d.Reason = a.Level, a.Reason
	if t.ResolutionDue != nil {
		d.DueAt = *t.ResolutionDue
	}
	lang := "es"
	var to string
	switch {
	case a.Ref == refSupervisor && x.Supervisor == "":
		return x.Desk.AddNote(ctx, t.Number, &tickets.Note{Author: SystemActor, Body: "Supervisor: " + a.Reason, Internal: true})
	case a.Ref == refSupervisor:
		to, d.ContactName = x.Supervisor, "Supervisor"
	case strings.HasPrefix(a.Ref, refContact):
		to = strings.TrimPrefix(a.Ref, refContact)
		d.ContactName = to
		if dir, err := x.directory(ctx); err == nil {
			for _, c := range dir {
				if strings.EqualFold(strings.TrimSpace(c.Email), to) {
					d.ContactName = c.Name
					if c.Language != "" {
						lang = c.Language
					}
				}
			}
		}
	default:
		return escalation.Permanent(fmt.Errorf("escalation email %s: unknown recipient %q", a.Key, a.Ref))
	}
	subject, text, html, err := escalation.Render(escalation.EscalationTemplate, lang, d)
	if err != nil {
		return escalation.Permanent(err)
	}
	return x.send(ctx, a, to, lang, subject, text, html)
}

func (x *Executor) location() *time.Location {
	if c := x.Desk.SLA.Calendars[x.Desk.SLA.Rules.Calendar]; c != nil && c.Location != nil {
		return c.Location
	}
	return time.UTC
}

// callerLanguage is the language of the caller's contact record ("es" if
// none).
func (x *Executor) callerLanguage(ctx context.Context, t *tickets.Ticket) string {
	if t.Caller.ContactID != 0 {
		if c, err := x.Desk.Contact(ctx, t.Caller.ContactID); err == nil && c.Language == "en" {
			return "en"
		}
	}
	return "es"
}

// lastReason is the reason given when the ticket last entered its state.
func (x *Executor) lastReason(ctx context.Context, t *tickets.Ticket) string {
	hist, err := x.Desk.History(ctx, t.Number)
	if err != nil {
		return ""
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].Field == "state" && tickets.State(hist[i].To) == t.State {
			return hist[i].Reason
		}
	}
	return ""
}

// planned is when the plan's action of kind is due (zero if none).
func (x *Executor) planned(ctx context.Context, t *tickets.Ticket, kind escalation.ActionKind) time.Time {
	hist, err := x.Desk.History(ctx, t.Number)
	if err != nil {
		return time.Time{}
	}
	plan, err := x.Desk.SLA.Plan(t, hist)
	if err != nil {
		return time.Time{}
	}
	for _, p := range plan {
		if p.Kind == kind {
			return p.DueAt
		}
	}
	return time.Time{}
}

// survey creates the ticket's survey and returns its link. The token is
// derived from the action key, so a retried email carries the same link
// and creating it again is a no-op.
func (x *Executor) survey(ctx context.Context, a escalation.Claimed, t *tickets.Ticket, lang string) (string, error) {
	if x.Surveys == nil || len(x.SurveySecret) == 0 || x.SurveyURL == "" {
		return "", errors.New("surveys are not configured (store, secret and URL)")
	}
	mac := hmac.New(sha256.New, x.SurveySecret)
	mac.Write([]byte(a.Key))
	token := hex.EncodeToString(mac.Sum(nil)[:20])
	if err := x.Surveys.CreateSurvey(ctx, HashToken(token), t.Number, t.Assignee, lang, x.now()); err != nil {
		return "", err
	}
	return strings.TrimSuffix(x.SurveyURL, "/") + "/" + token, nil
}

// HashToken is how survey tokens are stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
