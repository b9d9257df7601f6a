package desk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/web"
	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/tickets"
)

// weeklyReportStore serves fixed rows and records the ranges asked for.
type weeklyReportStore struct {
	rows []tickets.ReportTicket
	mu   sync.Mutex
	asks [][2]time.Time
}

func (s *weeklyReportStore) WeekTickets(_ context.Context, from, to time.Time) ([]tickets.ReportTicket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asks = append(s.asks, [2]time.Time{from, to})
	var out []tickets.ReportTicket
	for _, r := range s.rows {
		if !r.CreatedAt.Before(to) && (r.ResolvedAt == nil || !r.ResolvedAt.Before(to)) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// weeklyMail records the emails; fail makes the next sends to an address fail.
type weeklyMail struct {
	mu   sync.Mutex
	sent []escalation.Email
	fail map[string]int
}

func (m *weeklyMail) Send(_ context.Context, e escalation.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail[e.To[0]] > 0 {
		m.fail[e.To[0]]--
		return errors.New("421 try again later")
	}
	m.sent = append(m.sent, e)
	return nil
}

func (m *weeklyMail) emails() []escalation.Email {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

// weekRows is a fixture around 2026-W47 (16 to 22 November 2026): two
// incidents of the same phone this week (4 h, SLA met; 24 h, SLA missed)
// and one complaint the week before (2 h).
func weekRows(loc *time.Location) []tickets.ReportTicket {
	at := func(d, h int) *time.Time { t := time.Date(2026, 11, d, h, 0, 0, 0, loc); return &t }
	return []tickets.ReportTicket{
		{Number: "20260101", Kind: tickets.Incident, Service: "internet", State: tickets.Resolved, CallerPhone: "+525511112222",
			CreatedAt: *at(17, 10), FirstResponseAt: at(17, 10), ResolvedAt: at(17, 14), ResolutionDue: at(17, 18)},
		{Number: "20260102", Kind: tickets.Incident, Service: "internet", State: tickets.Closed, CallerPhone: "+525511112222",
			CreatedAt: *at(18, 9), FirstResponseAt: at(18, 9), ResolvedAt: at(19, 9), ResolutionDue: at(18, 17)},
		{Number: "20260050", Kind: tickets.Complaint, Service: "printing", State: tickets.Closed,
			CreatedAt: *at(10, 10), ResolvedAt: at(10, 12)},
	}
}

func weeklyEnv(t *testing.T, start time.Time, to []string) (*memstore.Store, *memstore.Clock, *weeklyMail, *escalation.Worker) {
	t.Helper()
	clock := memstore.NewClock(start)
	timers := memstore.New()
	mail := &weeklyMail{fail: map[string]int{}}
	exec := &desk.Executor{Desk: &desk.Store{Timers: timers, Clock: clock}, Mail: mail,
		ReportStore: &weeklyReportStore{rows: weekRows(mx(t))}, ReportText: web.RenderWeeklyText, WeeklyReportTo: to}
	w := &escalation.Worker{Store: timers, Exec: exec, Clock: clock,
		Config: escalation.WorkerConfig{RetryBase: time.Minute, Lease: 5 * time.Minute}}
	return timers, clock, mail, w
}

func runDue(t *testing.T, w *escalation.Worker) {
	t.Helper()
	for {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func TestScheduleWeeklyReportPicksTheNextDueReport(t *testing.T) {
	loc := mx(t)
	for _, c := range []struct {
		now      time.Time
		key      string
		due      time.Time
		describe string
	}{
		{time.Date(2026, 11, 23, 7, 59, 0, 0, loc), "report/weekly/2026-W47", time.Date(2026, 11, 23, 8, 0, 0, 0, loc), "Monday before 08:00: last week's"},
		{time.Date(2026, 11, 23, 8, 0, 0, 0, loc), "report/weekly/2026-W47", time.Date(2026, 11, 23, 8, 0, 0, 0, loc), "Monday at 08:00: last week's, due now"},
		{time.Date(2026, 11, 23, 8, 1, 0, 0, loc), "report/weekly/2026-W48", time.Date(2026, 11, 30, 8, 0, 0, 0, loc), "Monday after 08:00: this week's"},
		{time.Date(2026, 11, 29, 23, 0, 0, 0, loc), "report/weekly/2026-W48", time.Date(2026, 11, 30, 8, 0, 0, 0, loc), "Sunday night"},
		{time.Date(2026, 12, 30, 12, 0, 0, 0, loc), "report/weekly/2026-W53", time.Date(2027, 1, 4, 8, 0, 0, 0, loc), "2026 has 53 weeks"},
	} {
		timers := memstore.New()
		for range 2 { // idempotent
			if err := desk.ScheduleWeeklyReport(context.Background(), timers, c.now); err != nil {
				t.Fatal(err)
			}
		}
		pending := timers.Entries(memstore.Pending)
		if len(pending) != 1 || pending[0].Action.Key != c.key || !pending[0].Action.DueAt.Equal(c.due) || pending[0].Action.Kind != desk.WeeklyReport {
			t.Errorf("%s: pending %+v, want one %s due %s", c.describe, pending, c.key, c.due)
		}
	}
}

// On Monday at 08:00 the report of last week goes to each recipient once,
// in Spanish and English, with the week's numbers; the next week's report
// is scheduled; a failed email is retried on its own.
func TestWeeklyReportEmailsEveryRecipientAndSchedulesTheNext(t *testing.T) {
	loc := mx(t)
	to := []string{"jefa@atiende.test", " redes@atiende.test", "JEFA@atiende.test", ""}
	timers, clock, mail, w := weeklyEnv(t, time.Date(2026, 11, 21, 12, 0, 0, 0, loc), to)
	ctx := context.Background()
	// Saturday of W47: the report due is W47's, on Monday.
	if err := desk.ScheduleWeeklyReport(ctx, timers, clock.Now()); err != nil {
		t.Fatal(err)
	}
	runDue(t, w)
	if n := len(mail.emails()); n != 0 {
		t.Fatalf("%d emails before Monday", n)
	}
	mail.fail["redes@atiende.test"] = 1
	advanceTo(clock, time.Date(2026, 11, 23, 8, 0, 0, 0, loc))
	runDue(t, w)
	got := mail.emails()
	if len(got) != 1 || got[0].To[0] != "jefa@atiende.test" {
		t.Fatalf("emails at 08:00 with redes failing once: %+v", got)
	}
	advanceTo(clock, clock.Now().Add(2*time.Minute)) // the retry
	runDue(t, w)
	// A restart re-schedules: nothing is sent twice.
	if err := desk.ScheduleWeeklyReport(ctx, timers, clock.Now()); err != nil {
		t.Fatal(err)
	}
	runDue(t, w)

	got = mail.emails()
	var recipients []string
	for _, e := range got {
		recipients = append(recipients, strings.Join(e.To, ","))
	}
	slices.Sort(recipients)
	if !slices.Equal(recipients, []string{"jefa@atiende.test", "redes@atiende.test"}) {
		t.Fatalf("recipients %v, want each once", recipients)
	}
	for _, e := range got {
		if e.Subject != "Reporte semanal de averías 2026-W47 / Weekly fault report 2026-W47" {
			t.Errorf("subject %q", e.Subject)
		}
		if !strings.HasPrefix(e.Key, "report/weekly/2026-W47/email/") {
			t.Errorf("key %q", e.Key)
		}
		for _, want := range []string{
			"Reporte semanal de averías 2026-W47\n", "Del lunes 16/11/2026 al domingo 22/11/2026",
			"  Abiertos: 2 (1, +1)\n", "  Resueltos: 2 (1, +1)\n",
			"  Resolución media: 14h 00m (2h 00m, +12h 00m)\n", "  Resolución p90: 22h 00m (2h 00m, +20h 00m)\n",
			"  SLA de resolución: 50.0% (1/2) (sin datos, sin datos)\n", "  Averías repetidas: 2 (0, +2)\n",
			"- teléfono +525511112222: 2 tickets (20260101, 20260102), 2 esta semana; servicios: internet",
			"Weekly fault report 2026-W47\n", "  Opened: 2 (1, +1)\n", "  Mean resolution: 14h 00m (2h 00m, +12h 00m)\n",
			"  Resolution SLA: 50.0% (1/2) (no data, no data)\n",
		} {
			if !strings.Contains(e.Text, want) {
				t.Errorf("email to %v lacks %q:\n%s", e.To, want, e.Text)
			}
		}
		if es, en := strings.Index(e.Text, "Reporte semanal"), strings.Index(e.Text, "Weekly fault report"); es < 0 || en < es {
			t.Errorf("want Spanish then English:\n%s", e.Text)
		}
	}

	next, ok := timers.Get("report/weekly/2026-W48")
	if !ok || next.State != memstore.Pending || !next.Action.DueAt.Equal(time.Date(2026, 11, 30, 8, 0, 0, 0, loc)) || next.Action.Kind != desk.WeeklyReport {
		t.Fatalf("next week's report: %+v (found %v), want pending due Monday 30 Nov 08:00", next, ok)
	}
	if e, _ := timers.Get("report/weekly/2026-W47"); e.State != memstore.Done {
		t.Errorf("W47's report is %s, want done", e.State)
	}
	if p := timers.Entries(memstore.Pending); len(p) != 1 {
		t.Errorf("pending after the run: %+v, want only W48's", p)
	}

	// The next Monday the chain goes on with W48's numbers (no tickets).
	advanceTo(clock, time.Date(2026, 11, 30, 8, 0, 0, 0, loc))
	runDue(t, w)
	if n := len(mail.emails()); n != 4 {
		t.Fatalf("%d emails after W48's report, want 4", n)
	}
	if e := mail.emails()[3]; !strings.Contains(e.Text, "Reporte semanal de averías 2026-W48") || !strings.Contains(e.Text, "  Abiertos: 0 (2, -2)\n") {
		t.Errorf("W48's email:\n%s", e.Text)
	}
	if _, ok := timers.Get("report/weekly/2026-W49"); !ok {
		t.Error("W49's report not scheduled")
	}
}

// Without recipients a due report sends nothing and ends the chain.
func TestWeeklyReportWithoutRecipients(t *testing.T) {
	loc := mx(t)
	timers, clock, mail, w := weeklyEnv(t, time.Date(2026, 11, 23, 8, 0, 0, 0, loc), nil)
	if err := desk.ScheduleWeeklyReport(context.Background(), timers, clock.Now()); err != nil {
		t.Fatal(err)
	}
	runDue(t, w)
	if n := len(mail.emails()); n != 0 {
		t.Errorf("%d emails without recipients", n)
	}
	if p := timers.Entries(memstore.Pending); len(p) != 0 {
		t.Errorf("pending: %+v, want none", p)
	}
}
