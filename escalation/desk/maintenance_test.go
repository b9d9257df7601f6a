package desk_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// fakeMail records what would be sent.
type fakeMail struct {
	mu   sync.Mutex
	sent []escalation.Email
}

func (f *fakeMail) Send(_ context.Context, e escalation.Email) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, e)
	return nil
}

func (f *fakeMail) all() []escalation.Email {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sent)
}

// maintEnv is one process: the executor with its maintenance port, over a
// shared database and clock.
type maintEnv struct {
	db     *postgres.DB
	timers *postgres.Timers
	m      *desk.Maintenance
	worker *escalation.Worker
}

func newMaintEnv(t *testing.T, url string, clock *memstore.Clock, mail escalation.Notifier) *maintEnv {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, postgres.Options{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sla := newSLA(t, 0)
	timers := db.Timers()
	m := &desk.Maintenance{Store: db, SLA: sla, Timers: timers, Clock: clock, Catalog: tickets.DefaultCatalog(), Mail: mail}
	exec := &desk.Executor{Desk: desk.NewStore(db, db, sla, timers, clock, tickets.TicketEvents{}, nil), Mail: mail, Maintenance: m}
	w := &escalation.Worker{Store: timers, Exec: exec, Clock: clock,
		Config: escalation.WorkerConfig{RetryBase: time.Minute, Lease: 5 * time.Minute}}
	return &maintEnv{db: db, timers: timers, m: m, worker: w}
}

func (e *maintEnv) drain(t *testing.T) {
	t.Helper()
	for {
		n, err := e.worker.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func newWindow(start time.Time, services ...string) *escalation.Maintenance {
	return &escalation.Maintenance{Services: services, Start: start, End: start.Add(3 * time.Hour),
		SummaryES: "Cambio del equipo de red", SummaryEN: "Network equipment change", CreatedBy: "sup1"}
}

// Friday 14:00 in Mexico City: 4 business hours left on Friday, none on
// the weekend, 9 on Monday: the earliest start is Tuesday 12:00.
func TestMaintenanceNoticeAcrossWeekend(t *testing.T) {
	ctx := context.Background()
	loc := mx(t)
	clock := memstore.NewClock(time.Date(2026, 3, 6, 14, 0, 0, 0, loc))
	e := newMaintEnv(t, pgtest.DB(t), clock, &fakeMail{})
	tuesdayNoon := time.Date(2026, 3, 10, 12, 0, 0, 0, loc)
	if got := e.m.EarliestStart(clock.Now()); !got.Equal(tuesdayNoon) {
		t.Fatalf("earliest start %v, want %v", got, tuesdayNoon)
	}
	for _, start := range []time.Time{
		time.Date(2026, 3, 7, 10, 0, 0, 0, loc),  // Saturday
		time.Date(2026, 3, 9, 16, 0, 0, 0, loc),  // Monday: 13 business hours
		tuesdayNoon.Add(-time.Minute),            // one minute short
		time.Date(2026, 3, 10, 8, 0, 0, 0, loc),  // Tuesday before opening
		time.Date(2026, 3, 5, 10, 0, 0, 0, loc),  // the past
		time.Date(2026, 3, 6, 14, 30, 0, 0, loc), // today
	} {
		err := e.m.ScheduleMaintenance(ctx, newWindow(start, "internet_failure"))
		var ne *escalation.NoticeError
		if !errors.As(err, &ne) || !ne.Earliest.Equal(tuesdayNoon) || tickets.ErrorCode(err) != tickets.EINVALID {
			t.Errorf("start %v: %v, want a notice error naming %v", start, err, tuesdayNoon)
		}
	}
	if err := e.m.ScheduleMaintenance(ctx, newWindow(tuesdayNoon, "teleport")); tickets.ErrorCode(err) != tickets.EINVALID ||
		!strings.Contains(err.Error(), "teleport") {
		t.Errorf("unknown service: %v", err)
	}
	if list, _ := e.db.ListMaintenance(ctx, escalation.MaintenanceFilter{IncludeCancelled: true}); len(list) != 0 {
		t.Fatalf("refused windows were stored: %+v", list)
	}

	// Tuesday 12:00 is accepted, its notice due now; Wednesday 10:00 too,
	// its notice due 16 business hours before: Monday 12:00.
	first := newWindow(tuesdayNoon, "internet_failure")
	if err := e.m.ScheduleMaintenance(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := newWindow(time.Date(2026, 3, 11, 10, 0, 0, 0, loc), "internet_failure", "email_failure")
	if err := e.m.ScheduleMaintenance(ctx, second); err != nil {
		t.Fatal(err)
	}
	for w, due := range map[*escalation.Maintenance]time.Time{first: clock.Now(), second: time.Date(2026, 3, 9, 12, 0, 0, 0, loc)} {
		st, err := e.timers.Timer(ctx, noticeKey(w))
		if err != nil {
			t.Fatal(err)
		}
		if st.State != "pending" || !st.RunAt.Equal(due) {
			t.Errorf("window %d notice: %+v, want pending at %v", w.ID, st, due)
		}
	}
}

func noticeKey(w *escalation.Maintenance) string {
	return "maintenance/" + itoa(w.ID) + "/notice"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The notice fans out into one email per affected contact, in the
// contact's language, sent once even with two workers and a redelivered
// notice; a cancelled window sends nothing.
func TestMaintenanceNoticeEmailsOncePerContact(t *testing.T) {
	ctx := context.Background()
	loc := mx(t)
	clock := memstore.NewClock(time.Date(2026, 3, 6, 14, 0, 0, 0, loc))
	url := pgtest.DB(t)
	mail := &fakeMail{}
	e1 := newMaintEnv(t, url, clock, mail)
	e2 := newMaintEnv(t, url, clock, mail)
	contact := func(name, email, lang, service string) *tickets.Contact {
		c := &tickets.Contact{Name: name, Email: email, Language: lang}
		if err := e1.db.SaveContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		if service != "" {
			tk := &tickets.Ticket{Kind: tickets.Incident, Service: service, Priority: tickets.P3, Level: 1, Channel: tickets.Phone,
				Caller: tickets.Caller{ContactID: c.ID, Name: name, Email: email}, Subject: "Falla"}
			if err := e1.db.CreateTicket(ctx, tk, "agent1"); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	contact("Ana Ruiz", "ana@example.org", "es", "internet_failure")
	contact("Bob Smith", "bob@example.org", "en", "internet_failure")
	contact("Ana bis", "ANA@example.org", "es", "internet_failure") // same mailbox as Ana
	contact("Sin correo", "", "es", "internet_failure")
	contact("Otro servicio", "otro@example.org", "es", "ftp_failure")

	w := newWindow(time.Date(2026, 3, 11, 10, 0, 0, 0, loc), "internet_failure")
	if err := e1.m.ScheduleMaintenance(ctx, w); err != nil {
		t.Fatal(err)
	}
	off := newWindow(time.Date(2026, 3, 11, 15, 0, 0, 0, loc), "internet_failure")
	if err := e1.m.ScheduleMaintenance(ctx, off); err != nil {
		t.Fatal(err)
	}
	if _, err := e2.m.CancelMaintenance(ctx, off.ID, "sup2"); err != nil {
		t.Fatal(err)
	}
	e1.drain(t)
	if n := len(mail.all()); n != 0 {
		t.Fatalf("%d emails before the notice is due", n)
	}

	advanceTo(clock, time.Date(2026, 3, 9, 18, 0, 0, 0, loc)) // both notices are due
	var wg sync.WaitGroup
	for _, e := range []*maintEnv{e1, e2} {
		wg.Go(func() { e.drain(t) })
	}
	wg.Wait()
	// A notice delivered again (a worker died before Done) and drains by
	// both processes: nothing more is sent.
	if err := e2.m.Execute(ctx, escalation.Claimed{Action: escalation.Action{Kind: escalation.Notify,
		Template: escalation.MaintenanceTemplate, Key: noticeKey(w), Ref: itoa(w.ID)}, Attempt: 2}); err != nil {
		t.Fatal(err)
	}
	e2.drain(t)
	e1.drain(t)

	sent := mail.all()
	if len(sent) != 2 {
		t.Fatalf("%d emails, want 2 (Ana, Bob): %+v", len(sent), sent)
	}
	slices.SortFunc(sent, func(a, b escalation.Email) int { return strings.Compare(a.To[0], b.To[0]) })
	ana, bob := sent[0], sent[1]
	if ana.To[0] != "ana@example.org" || ana.Language != "es" || !strings.HasPrefix(ana.Subject, "Mantenimiento programado") ||
		!strings.Contains(ana.Text, "Falla de conexión a Internet") || !strings.Contains(ana.Text, "Ana Ruiz") ||
		!strings.Contains(ana.Subject, "miércoles 11 de marzo de 2026 a las 10:00") {
		t.Errorf("Spanish email: %+v", ana)
	}
	if bob.To[0] != "bob@example.org" || bob.Language != "en" || !strings.HasPrefix(bob.Subject, "Planned maintenance") ||
		!strings.Contains(bob.Text, "Internet connection failure") || !strings.Contains(bob.HTML, "Bob Smith") {
		t.Errorf("English email: %+v", bob)
	}
	if ana.Key == bob.Key || !strings.HasPrefix(ana.Key, noticeKey(w)+"/contact/") {
		t.Errorf("keys %q, %q", ana.Key, bob.Key)
	}
	got, _ := e1.db.Maintenance(ctx, w.ID)
	if got.NotifiedAt == nil {
		t.Error("notified_at not set")
	}
	if got, _ := e1.db.Maintenance(ctx, off.ID); got.NotifiedAt != nil {
		t.Error("a cancelled window was notified")
	}
	for _, key := range []string{noticeKey(w), noticeKey(off)} {
		if st, err := e1.timers.Timer(ctx, key); err != nil || st.State != "done" {
			t.Errorf("%s: %+v, %v", key, st, err)
		}
	}
}
