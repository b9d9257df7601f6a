package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

// MaintenanceStore keeps maintenance windows and finds their contacts
// (*postgres.DB).
type MaintenanceStore interface {
	CreateMaintenance(ctx context.Context, m *escalation.Maintenance) error
	Maintenance(ctx context.Context, id int64) (*escalation.Maintenance, error)
	ListMaintenance(ctx context.Context, f escalation.MaintenanceFilter) ([]escalation.Maintenance, error)
	CancelMaintenance(ctx context.Context, id int64, actor string) (*escalation.Maintenance, error)
	MarkMaintenanceNotified(ctx context.Context, id int64, at time.Time) error
	// MaintenanceContacts returns who must be told of m: who opened tickets
	// on its services since `since`, and the contacts of its areas.
	MaintenanceContacts(ctx context.Context, m *escalation.Maintenance, since time.Time) ([]*tickets.Contact, error)
	Contact(ctx context.Context, id int64) (*tickets.Contact, error)
}

// DefaultRecentDays is how far back a ticket on an affected service makes
// its caller an affected contact.
const DefaultRecentDays = 90

// Maintenance schedules planned maintenance windows and performs their
// notices. Scheduling refuses a window that starts less than
// SLA.Rules.MaintenanceNotice business time from now, stores it, and
// schedules the notice the escalation package plans (due that much business
// time before the start). When the notice is due, Execute fans it out into
// one keyed email action per affected contact, so each email is retried on
// its own and sent once; each renders the maintenance template in the
// contact's language. A cancelled window sends nothing.
//
// Set it as Executor.Maintenance; the web API uses it too.
type Maintenance struct {
	Store   MaintenanceStore
	SLA     *escalation.SLA
	Timers  escalation.TimerStore
	Clock   escalation.Clock
	Catalog tickets.CatalogSource // required: services are checked and named from the catalog in force
	Mail    escalation.Notifier
	// RecentDays: see DefaultRecentDays (0 means the default).
	RecentDays int
	Log        *slog.Logger
}

var _ escalation.Executor = (*Maintenance)(nil)

// refContactPart separates the window ID from the contact ID in the Ref of
// a per-contact email ("12/contact/345"); the notice itself has Ref "12".
const refContactPart = "/contact/"

func (m *Maintenance) now() time.Time {
	if m.Clock == nil {
		return time.Now()
	}
	return m.Clock.Now()
}

// catalog is the catalog in force, or nil without one.
func (m *Maintenance) catalog() *tickets.Catalog {
	if m.Catalog == nil {
		return nil
	}
	return m.Catalog.Current()
}

func (m *Maintenance) log() *slog.Logger {
	if m.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Log
}

func (m *Maintenance) calendar() *escalation.Calendar { return m.SLA.Calendars[m.SLA.Rules.Calendar] }

// EarliestStart is the first start a window scheduled at now may have.
func (m *Maintenance) EarliestStart(now time.Time) time.Time {
	return m.calendar().Add(now, m.SLA.Rules.MaintenanceNotice)
}

// ScheduleMaintenance checks w (escalation.Maintenance.Validate against the
// catalog; a start closer than the notice period is a *escalation.NoticeError
// naming the earliest allowed start), stores it and schedules its notice.
// If the notice cannot be scheduled the window is cancelled again and the
// error returned, so no window exists without its notice.
func (m *Maintenance) ScheduleMaintenance(ctx context.Context, w *escalation.Maintenance) error {
	w.Normalize()
	if err := w.Validate(m.catalog()); err != nil {
		return err
	}
	now := m.now()
	planned := *w // the window as checked: the store rounds the times it keeps
	if earliest := m.EarliestStart(now); w.Start.Before(earliest) {
		return &escalation.NoticeError{Earliest: earliest, Notice: m.SLA.Rules.MaintenanceNotice}
	} else if _, err := m.SLA.MaintenanceNotice("new", &planned, now); err != nil {
		return &escalation.NoticeError{Earliest: earliest, Notice: m.SLA.Rules.MaintenanceNotice}
	}
	if err := m.Store.CreateMaintenance(ctx, w); err != nil {
		return err
	}
	a, err := m.SLA.MaintenanceNotice(strconv.FormatInt(w.ID, 10), &planned, now)
	if err == nil {
		a.Actor = w.CreatedBy
		err = m.Timers.Schedule(ctx, a)
	}
	if err != nil {
		if _, cerr := m.Store.CancelMaintenance(context.WithoutCancel(ctx), w.ID, SystemActor); cerr != nil {
			m.log().Error("maintenance: notice not scheduled and window not cancelled", "id", w.ID, "error", cerr)
		}
		return fmt.Errorf("maintenance %d: schedule notice: %w", w.ID, err)
	}
	m.log().Info("maintenance scheduled", "id", w.ID, "services", w.Services, "start", w.Start, "notice_due", a.DueAt)
	return nil
}

// ListMaintenance returns the windows f selects.
func (m *Maintenance) ListMaintenance(ctx context.Context, f escalation.MaintenanceFilter) ([]escalation.Maintenance, error) {
	return m.Store.ListMaintenance(ctx, f)
}

// CancelMaintenance calls a window off; its pending notice then sends
// nothing when due.
func (m *Maintenance) CancelMaintenance(ctx context.Context, id int64, actor string) (*escalation.Maintenance, error) {
	return m.Store.CancelMaintenance(ctx, id, actor)
}

// Execute performs a maintenance Notify action: the notice (Ref "<id>")
// schedules the per-contact emails; a per-contact action (Ref
// "<id>/contact/<contact id>") sends one email.
func (m *Maintenance) Execute(ctx context.Context, a escalation.Claimed) error {
	idPart, contactPart, perContact := strings.Cut(a.Ref, refContactPart)
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil {
		return escalation.Permanent(fmt.Errorf("maintenance notice %s: bad window reference %q", a.Key, a.Ref))
	}
	w, err := m.Store.Maintenance(ctx, id)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return escalation.Permanent(err)
	} else if err != nil {
		return err
	}
	if w.Cancelled {
		m.log().Info("maintenance cancelled: notice not sent", "id", id, "key", a.Key)
		return nil
	}
	if !perContact {
		return m.fanOut(ctx, a, w)
	}
	cid, err := strconv.ParseInt(contactPart, 10, 64)
	if err != nil {
		return escalation.Permanent(fmt.Errorf("maintenance notice %s: bad contact reference %q", a.Key, a.Ref))
	}
	return m.email(ctx, a, w, cid)
}

func (m *Maintenance) fanOut(ctx context.Context, a escalation.Claimed, w *escalation.Maintenance) error {
	now := m.now()
	days := m.RecentDays
	if days <= 0 {
		days = DefaultRecentDays
	}
	contacts, err := m.Store.MaintenanceContacts(ctx, w, now.AddDate(0, 0, -days))
	if err != nil {
		return err
	}
	var out []escalation.Action
	for _, c := range contacts {
		if strings.TrimSpace(c.Email) == "" {
			continue
		}
		out = append(out, escalation.Action{Kind: escalation.Notify, DueAt: now, Template: escalation.MaintenanceTemplate,
			Key:    fmt.Sprintf("%s/contact/%d", a.Key, c.ID),
			Ref:    fmt.Sprintf("%d%s%d", w.ID, refContactPart, c.ID),
			Reason: a.Reason, Actor: SystemActor})
	}
	if len(out) > 0 {
		if err := m.Timers.Schedule(ctx, out...); err != nil {
			return err
		}
	}
	m.log().Info("maintenance notice queued", "id", w.ID, "contacts", len(out))
	return m.Store.MarkMaintenanceNotified(ctx, w.ID, now)
}

func (m *Maintenance) email(ctx context.Context, a escalation.Claimed, w *escalation.Maintenance, contactID int64) error {
	if m.Mail == nil {
		return errors.New("no mail notifier configured for maintenance notices")
	}
	c, err := m.Store.Contact(ctx, contactID)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return escalation.Permanent(err)
	} else if err != nil {
		return err
	}
	to := strings.TrimSpace(c.Email)
	if to == "" {
		return escalation.Permanent(fmt.Errorf("contact %d has no email address any more", c.ID))
	}
	lang := "es"
	if c.Language == "en" {
		lang = "en"
	}
	subject, text, html, err := escalation.Render(escalation.MaintenanceTemplate, lang, m.data(w, c, lang))
	if err != nil {
		return escalation.Permanent(err)
	}
	return m.Mail.Send(ctx, escalation.Email{To: []string{to}, Subject: subject, Text: text, HTML: html,
		Language: lang, Key: a.Key})
}

// data fills the maintenance template: the window, the services named in
// lang, and the summary (as Reason, for templates that show it).
func (m *Maintenance) data(w *escalation.Maintenance, c *tickets.Contact, lang string) escalation.Data {
	loc := time.UTC
	if cal := m.calendar(); cal != nil && cal.Location != nil {
		loc = cal.Location
	}
	d := escalation.Data{ContactName: c.Name, Start: w.Start, End: w.End, Location: loc, Reason: w.Summary(lang)}
	for _, code := range w.Services {
		name := code
		if cat := m.catalog(); cat != nil {
			if s, ok := cat.Service(code); ok {
				name = s.NameIn(lang)
			}
		}
		d.Services = append(d.Services, name)
	}
	return d
}
