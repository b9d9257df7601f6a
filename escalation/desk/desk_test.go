package desk_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/escalation/smtp/smtptest"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// A P4 ticket waits for the user from Thursday 15:00. Its timers are rows in
// PostgreSQL; the clock moves and the worker runs. The reminder goes on
// Tuesday at noon, the rejection on the next Thursday at 18:00 (48 business
// hours, across the weekend), not a minute before; every email reaches a
// real SMTP server with its content, and the due times are on the ticket.
func TestRejectionAfter48BusinessHoursAcrossWeekend(t *testing.T) {
	ctx := context.Background()
	loc := mx(t)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) }
	clock := memstore.NewClock(at(11, 26, 9, 0))
	mp := smtptest.Start(t, 0)
	e := newEnv(t, pgtest.DB(t), clock, newSLA(t, 0), mp.SMTPAddr, nil)

	tk := newTicket(t, e.desk, tickets.P4)
	got, _ := e.db.Ticket(ctx, tk.Number)
	if got.ResponseDue == nil || got.ResolutionDue == nil {
		t.Fatalf("due times not stored on creation: %+v", got)
	}
	advanceTo(clock, at(11, 26, 10, 0))
	transition(t, e.desk, tk.Number, tickets.InProgress, "")
	advanceTo(clock, at(11, 26, 15, 0))
	transition(t, e.desk, tk.Number, tickets.PendingUser, "Necesitamos el número de serie del módem")
	if got, _ := e.db.Ticket(ctx, tk.Number); got.ResolutionDue != nil {
		t.Errorf("resolution due while paused = %v, want none", got.ResolutionDue)
	}
	e.drain(t) // confirmation and request for information

	for _, step := range []struct {
		at    time.Time
		state tickets.State
		mails int
	}{
		{at(11, 30, 18, 0), tickets.PendingUser, 2}, // Monday: nothing yet
		{at(12, 1, 12, 0), tickets.PendingUser, 3},  // Tuesday noon: the reminder
		{at(12, 3, 17, 59), tickets.PendingUser, 3}, // a minute before
		{at(12, 3, 18, 0), tickets.Rejected, 4},     // 48 business hours
		{at(12, 10, 18, 0), tickets.Rejected, 4},    // and nothing more
	} {
		advanceTo(clock, step.at)
		e.drain(t)
		got, _ := e.db.Ticket(ctx, tk.Number)
		msgs := mp.WaitMessages(t, step.mails, 2*time.Second)
		if got.State != step.state || len(msgs) != step.mails {
			t.Fatalf("at %v: state %s, %d emails; want %s, %d", step.at, got.State, len(msgs), step.state, step.mails)
		}
	}
	msgs := mp.Messages(t)
	for _, m := range msgs {
		if to(m) != "maria@example.org" || !strings.Contains(m.Subject, tk.Number) || !strings.Contains(m.Text, tk.Number) {
			t.Errorf("email %q to %s: %s", m.Subject, to(m), m.Text)
		}
	}
	checks := map[string][]string{
		"registrado":              {"María Pérez", "Falla de conexión"},
		"necesitamos información": {"Necesitamos el número de serie del módem", "jueves 3 de diciembre de 2026 a las 18:00"},
		"Recordatorio":            {"Necesitamos el número de serie del módem"},
		"rechazado":               {"no recibimos la información solicitada"},
	}
	for subj, wants := range checks {
		found := bySubject(msgs, subj)
		if subj == "necesitamos información" {
			found = bySubject(found, "Ticket "+tk.Number)
			if len(found) == 2 && strings.HasPrefix(found[0].Subject, "Recordatorio") {
				found = found[1:]
			} else if len(found) == 2 {
				found = found[:1]
			}
		}
		if len(found) != 1 {
			t.Errorf("%d emails with %q in the subject", len(found), subj)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(found[0].Text, w) || !strings.Contains(found[0].HTML, w) {
				t.Errorf("email %q lacks %q:\n%s", found[0].Subject, w, found[0].Text)
			}
		}
	}
	hist, _ := e.db.History(ctx, tk.Number)
	last := hist[len(hist)-1]
	if last.Field != "state" || last.To != "rejected" || last.Actor != "atiende" || !strings.Contains(last.Reason, "48 business hours") {
		t.Errorf("last history entry = %+v", last)
	}
	if n := rawPending(t, e, tk.Number); n != 0 {
		t.Errorf("%d timers still pending", n)
	}
}

func rawPending(t testing.TB, e *env, number string) int {
	t.Helper()
	list, err := e.timers.TicketTimers(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range list {
		if x.State == "pending" {
			n++
		}
	}
	return n
}

// An automatic escalation happens once although two processes run workers
// at the same time and one of them is restarted in between: one history
// entry, one email per contact of the level.
func TestEscalationOnceWithTwoProcessesAndRestart(t *testing.T) {
	ctx := context.Background()
	loc := mx(t)
	clock := memstore.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, loc)) // Monday
	mp := smtptest.Start(t, 0)
	url := pgtest.DB(t)
	sla := newSLA(t, 0)
	a := newEnv(t, url, clock, sla, mp.SMTPAddr, nil)
	tk := newTicket(t, a.desk, tickets.P2)
	transition(t, a.desk, tk.Number, tickets.InProgress, "")
	a.drain(t) // the confirmation

	b := newEnv(t, url, clock, sla, mp.SMTPAddr, nil)
	got, _ := a.db.Ticket(ctx, tk.Number)
	// Past 75% of the resolution target but not 100%.
	p, _ := sla.Policy(got)
	cal := sla.Calendars[p.Calendar]
	advanceTo(clock, cal.Add(got.CreatedAt, p.Resolution*80/100))
	var wg sync.WaitGroup
	for _, e := range []*env{a, b} {
		wg.Go(func() { e.worker.RunOnce(ctx); e.worker.RunOnce(ctx) })
	}
	wg.Wait()
	a.db.Close()                                     // process A stops...
	a = newEnv(t, url, clock, sla, mp.SMTPAddr, nil) // ...and starts again
	wg.Go(func() { a.drain(t) })
	wg.Go(func() { b.drain(t) })
	wg.Wait()

	got, _ = b.db.Ticket(ctx, tk.Number)
	if got.Level != 2 {
		t.Fatalf("level = %d, want 2", got.Level)
	}
	hist, _ := b.db.History(ctx, tk.Number)
	n := 0
	for _, h := range hist {
		if h.Field == "level" {
			n++
			if h.To != "2" || !strings.Contains(h.Reason, "75%") {
				t.Errorf("level entry = %+v", h)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d level changes in the history, want 1", n)
	}
	msgs := mp.WaitMessages(t, 3, 2*time.Second)
	esc := bySubject(msgs, "scala")
	if len(esc) != 2 || len(msgs) != 3 {
		t.Fatalf("%d emails, %d escalation emails; want 3 and 2", len(msgs), len(esc))
	}
	for _, m := range esc {
		switch to(m) {
		case "ana@atiende.test":
			if !strings.Contains(m.Subject, "Escalamiento a nivel 2") || !strings.Contains(m.Text, "Ana Ruiz") || !strings.Contains(m.Text, "75%") {
				t.Errorf("Ana's email: %s\n%s", m.Subject, m.Text)
			}
		case "beto@atiende.test": // Beto reads English
			if !strings.Contains(m.Subject, "Escalated to level 2") || !strings.Contains(m.Text, "Beto Soto") {
				t.Errorf("Beto's email: %s\n%s", m.Subject, m.Text)
			}
		default:
			t.Errorf("escalation email to %s", to(m))
		}
	}
}

// A manual escalation to a level whose only contact has no email or phone
// is recorded, and the supervisor is told.
func TestUnreachableContactTellsSupervisor(t *testing.T) {
	ctx := context.Background()
	clock := memstore.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, mx(t)))
	mp := smtptest.Start(t, 0)
	e := newEnv(t, pgtest.DB(t), clock, newSLA(t, 0), mp.SMTPAddr, nil)
	tk := newTicket(t, e.desk, tickets.P3)
	act, err := escalation.ManualEscalation(tk, 4, "Falla masiva en el edificio B", "supervisor1", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.timers.Schedule(ctx, act)
	e.drain(t)
	got, _ := e.db.Ticket(ctx, tk.Number)
	if got.Level != 4 {
		t.Errorf("level = %d, want 4", got.Level)
	}
	sup := bySubject(mp.WaitMessages(t, 2, 2*time.Second), "nivel 4")
	if len(sup) != 1 || to(sup[0]) != "supervisor@atiende.test" || !strings.Contains(sup[0].Text, "Director sin datos (level 4) has no email and no phone") {
		t.Fatalf("supervisor emails: %+v", sup)
	}
}
