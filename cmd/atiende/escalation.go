package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/atiende/atiende/agentdesk/web"
	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/escalation/smtp"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/metrics"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// escalationParts are the SLA store every ticket change goes through, the
// durable-timer worker, and the survey pages.
type escalationParts struct {
	store   *desk.Store
	worker  *escalation.Worker
	timers  *postgres.Timers
	surveys http.Handler
	// answers records survey scores from the keypad and the page, and
	// opens the follow-up of a low one; serve sets its OnAnswer.
	answers *desk.Surveys
	// maintenance schedules planned windows.
	maintenance *desk.Maintenance
}

// newEscalation builds the SLA store every ticket change goes through (its
// creations and transitions counted by m, when given), the timers' worker,
// and the survey pages. The maintenance windows and the emails name the
// services of live, when given.
func newEscalation(cfg Config, sla *escalation.SLA, db *postgres.DB, engine ivr.Engine, m *metrics.Metrics,
	live *tickets.LiveCatalog, log *slog.Logger) (*escalationParts, error) {
	var mail escalation.Notifier = noMail{}
	if cfg.SMTP.Addr != "" {
		n, err := smtp.New(smtp.Config{Addr: cfg.SMTP.Addr, From: cfg.SMTP.From, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.Password, TLS: smtp.TLSMode(cfg.SMTP.TLS)})
		if err != nil {
			return nil, fmt.Errorf("smtp: %w", err)
		}
		mail = n
	} else {
		log.Warn("smtp.addr is not set: emails wait as pending timers until it is")
	}
	secret := []byte(cfg.Escalation.SurveySecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	public := strings.TrimRight(cfg.PublicURL, "/")
	if public == "" {
		public = "http://" + cfg.HTTP.Addr
	}
	timers := db.Timers()
	clock := escalation.SystemClock{}
	var events tickets.TicketEvents
	if m != nil {
		events = m.TicketEvents()
	}
	store := desk.NewStore(db, db, sla, timers, clock, events, log.With("component", "sla"))
	exec := &desk.Executor{Desk: store, Mail: mail,
		Caller:    &desk.PhoneCaller{Engine: engine, CallerID: cfg.Escalation.AlertCallerID, CallerName: "Mesa de Servicio"},
		Directory: desk.FallbackDirectory{Primary: db, Fallback: sla.Directory},
		Surveys:   db, SurveyURL: public + "/survey/", SurveySecret: secret,
		Supervisor: cfg.Escalation.SupervisorEmail, ReportStore: db, ReportText: web.RenderWeeklyText, WeeklyReportTo: cfg.Escalation.WeeklyReportTo,
		Log: log.With("component", "escalation")}
	if m != nil {
		exec.OnEscalated = func(_ *tickets.Ticket, level int) { m.Escalation(level) }
	}
	if len(cfg.Escalation.WeeklyReportTo) > 0 {
		if err := desk.ScheduleWeeklyReport(context.Background(), timers, clock.Now()); err != nil {
			return nil, fmt.Errorf("escalation.weekly_report_to: schedule the weekly report: %w", err)
		}
	}
	maint := &desk.Maintenance{Store: db, SLA: sla, Timers: timers, Clock: clock, Mail: mail,
		Log: log.With("component", "maintenance")}
	exec.Maintenance = maint
	worker := &escalation.Worker{Store: timers, Exec: exec, Clock: clock,
		Log: log.With("component", "escalation-worker"),
		// A phone alert tries up to three numbers of a contact, AckTimeout each.
		Config: escalation.WorkerConfig{Lease: 3*sla.Rules.AckTimeout + time.Minute}}
	if live != nil {
		maint.Catalog = live // windows name catalog services
		exec.Catalog = live  // and so do the emails about a ticket
	}
	answers := &desk.Surveys{Store: db, Tickets: store, Timers: timers, Clock: clock, Log: log.With("component", "survey")}
	exec.FollowUps = answers
	return &escalationParts{store: store, worker: worker, timers: timers, maintenance: maint, answers: answers,
		surveys: desk.SurveyHandler{Surveys: answers, Clock: clock, Log: log.With("component", "survey")}}, nil
}

func (p *escalationParts) run(ctx context.Context) {
	p.worker.Wake = p.timers.Listen(ctx)
	p.worker.Run(ctx)
}

// loadSLA reads the SLA policies, calendars and directory (the built-in
// ones without a file) and logs what is allowed but unreachable.
func loadSLA(path string, log *slog.Logger) (*escalation.SLA, error) {
	var (
		sla   *escalation.SLA
		warns []escalation.Warning
		err   error
	)
	if path == "" {
		sla, warns, err = escalation.New(escalation.DefaultConfig())
	} else {
		f, ferr := os.Open(path)
		if ferr != nil {
			return nil, fmt.Errorf("escalation.file: %w", ferr)
		}
		defer f.Close()
		sla, warns, err = escalation.LoadConfig(f)
	}
	if err != nil {
		return nil, fmt.Errorf("escalation.file %s: %w", path, err)
	}
	for _, w := range warns {
		log.Warn("escalation config", "warning", w.String())
	}
	return sla, nil
}

// businessTime is the office calendar's working time, which the metrics
// measure ticket times in. (The weekly report measures wall-clock time and
// says so in its notes: tickets.ReportOptions.BusinessTime is unset.)
func businessTime(sla *escalation.SLA) func(start, end time.Time) time.Duration {
	if cal := sla.Calendars[escalation.OfficeCalendar]; cal != nil {
		return cal.Between
	}
	return func(start, end time.Time) time.Duration { return end.Sub(start) }
}

// noMail keeps emails pending (and visible) while no relay is configured.
type noMail struct{}

func (noMail) Send(context.Context, escalation.Email) error {
	return errors.New("no SMTP relay configured (smtp.addr)")
}
