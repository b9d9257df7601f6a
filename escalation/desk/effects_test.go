package desk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/escalation/smtp/smtptest"
	"github.com/atiende/atiende/ivr/ivrtest"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// SMTP down: the confirmation fails, stays pending with its error and
// retries with backoff; when the server comes up it is delivered, once.
func TestSMTPDownThenDelivered(t *testing.T) {
	ctx := context.Background()
	clock := memstore.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, mx(t)))
	port := smtptest.FreePort(t)
	e := newEnv(t, pgtest.DB(t), clock, newSLA(t, 0), addr(port), nil)
	tk := newTicket(t, e.desk, tickets.P3)
	key := tk.Number + "/notify/created/created"
	for attempt := 1; attempt <= 2; attempt++ {
		e.drain(t)
		st, err := e.timers.Timer(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != "pending" || st.Attempts != attempt || !strings.Contains(st.LastError, "connection refused") {
			t.Fatalf("attempt %d: %+v", attempt, st)
		}
		if next := clock.Now().Add(time.Minute << (attempt - 1)); !st.RunAt.Equal(next) {
			t.Errorf("attempt %d: retry at %v, want %v (backoff)", attempt, st.RunAt, next)
		}
		clock.Advance(time.Minute << (attempt - 1))
	}
	mp := smtptest.Start(t, port)
	e.drain(t)
	if st, _ := e.timers.Timer(ctx, key); st.State != "done" || st.Attempts != 3 {
		t.Errorf("after the server came up: %+v", st)
	}
	msgs := mp.WaitMessages(t, 1, 2*time.Second)
	if len(msgs) != 1 || to(msgs[0]) != "maria@example.org" || !strings.Contains(msgs[0].Subject, "Ticket "+tk.Number+" registrado") {
		t.Fatalf("messages: %+v", msgs)
	}
}

// escalateP1 opens a P1 ticket on a desk whose phone alerts go through
// eng, and schedules its manual escalation to level 2 (Ana Ruiz on 2001,
// then Beto Soto on 2002); the caller drains the timers.
func escalateP1(t *testing.T, eng *ivrtest.Engine) (*env, *tickets.Ticket, *smtptest.Mailpit) {
	t.Helper()
	clock := memstore.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, mx(t)))
	mp := smtptest.Start(t, 0)
	caller := &desk.PhoneCaller{Engine: eng, CallerID: "5000", Pause: 10 * time.Millisecond}
	e := newEnv(t, pgtest.DB(t), clock, newSLA(t, 500*time.Millisecond), mp.SMTPAddr, caller)
	tk := newTicket(t, e.desk, tickets.P1)
	act, err := escalation.ManualEscalation(tk, 2, "Caída total del enlace", "supervisor1", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.timers.Schedule(context.Background(), act)
	return e, tk, mp
}

// noteText is every note of ticket number, internal ones included, one
// per line.
func noteText(t *testing.T, e *env, number string) string {
	t.Helper()
	notes, err := e.db.Notes(context.Background(), number, true)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, n := range notes {
		all = append(all, n.Body)
	}
	return strings.Join(all, "\n")
}

// The notes of a phone alert that nobody acknowledged say why in words
// the desk reads, in Spanish and English, never the engine's error text.
func TestP1PhoneAlertNotesReadable(t *testing.T) {
	eng := ivrtest.NewEngine()
	eng.AddPhone("2001", ivrtest.Busy, 0)
	eng.AddPhone("2002", ivrtest.Unreachable, 0)
	e, tk, _ := escalateP1(t, eng)
	e.drain(t)
	text := noteText(t, e, tk.Number)
	for _, want := range []string{
		"Alerta de escalamiento a Ana Ruiz (nivel 2) sin confirmar: se llamó a 2001 (ocupado).",
		"Escalation alert to Ana Ruiz (level 2) not acknowledged: called 2001 (busy).",
		"se llamó a 2002 (no disponible).",
		"called 2002 (unreachable).",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the notes lack %q:\n%s", want, text)
		}
	}
	for _, code := range []string{"ivr:", "ivrtest", "dial "} {
		if strings.Contains(text, code) {
			t.Errorf("the notes show the engine's error text %q:\n%s", code, text)
		}
	}
}

// P1: the escalation phones the level's contacts in order. Ana does not
// answer within the acknowledgement time; Beto answers and presses 1: a
// note on the ticket records it and nobody else is called.
func TestP1PhoneAlertAcknowledged(t *testing.T) {
	ctx := context.Background()
	eng := ivrtest.NewEngine()
	eng.AddPhone("2001", ivrtest.NeverAnswer, 0)
	beto := eng.AddPhone("2002", ivrtest.Answers, 50*time.Millisecond)
	e, tk, mp := escalateP1(t, eng)
	pressed := make(chan error, 1)
	go func() {
		c, err := beto.WaitAnswered(10 * time.Second)
		if err == nil {
			err = c.WaitPlayed("en/ticket", 5*time.Second) // Beto reads English
			c.Press("1")
		}
		pressed <- err
	}()
	e.drain(t)
	if err := <-pressed; err != nil {
		t.Fatal(err)
	}
	text := noteText(t, e, tk.Number)
	if !strings.Contains(text, "Ana Ruiz (level 2) not acknowledged: called 2001 (no answer)") ||
		!strings.Contains(text, "Ana Ruiz (nivel 2) sin confirmar: se llamó a 2001 (no contestó)") ||
		!strings.Contains(text, "acknowledged by Beto Soto by phone (2002)") ||
		!strings.Contains(text, "confirmado por Beto Soto por teléfono (2002)") {
		t.Errorf("notes:\n%s", text)
	}
	if got, _ := e.db.Ticket(ctx, tk.Number); got.Level != 2 {
		t.Errorf("level = %d", got.Level)
	}
	if n := len(bySubject(mp.WaitMessages(t, 3, 2*time.Second), "[P1]")); n != 2 {
		t.Errorf("%d escalation emails, want 2", n)
	}
	list, _ := e.timers.TicketTimers(ctx, tk.Number)
	for _, x := range list {
		if x.State == "pending" && x.Kind != escalation.Escalate {
			t.Errorf("still pending: %+v", x)
		}
	}
}

// Resolved closes by itself after three business days; closing emails a
// single-use survey link; the page takes one answer, kept per ticket and
// per agent.
func TestAutoCloseAndSurvey(t *testing.T) {
	ctx := context.Background()
	loc := mx(t)
	clock := memstore.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, loc))
	mp := smtptest.Start(t, 0)
	e := newEnv(t, pgtest.DB(t), clock, newSLA(t, 0), mp.SMTPAddr, nil)
	tk := newTicket(t, e.desk, tickets.P3)
	agent := "tecnico1"
	if _, err := e.desk.Update(ctx, tk.Number, tickets.Patch{Assignee: &agent}, tickets.Change{Actor: "agent1"}); err != nil {
		t.Fatal(err)
	}
	transition(t, e.desk, tk.Number, tickets.InProgress, "")
	transition(t, e.desk, tk.Number, tickets.Resolved, "Se reinició el módem")
	e.drain(t)
	advanceTo(clock, time.Date(2026, 11, 26, 8, 59, 0, 0, loc))
	e.drain(t)
	if got, _ := e.db.Ticket(ctx, tk.Number); got.State != tickets.Resolved {
		t.Fatalf("closed early: %s", got.State)
	}
	advanceTo(clock, time.Date(2026, 11, 26, 9, 0, 0, 0, loc))
	e.drain(t)
	if got, _ := e.db.Ticket(ctx, tk.Number); got.State != tickets.Closed {
		t.Fatalf("state = %s, want closed", got.State)
	}
	e.drain(t)
	msgs := mp.WaitMessages(t, 3, 2*time.Second)
	res := bySubject(msgs, "resuelto")
	if len(res) != 1 || !strings.Contains(res[0].Text, "Se reinició el módem") {
		t.Errorf("resolution notice: %+v", res)
	}
	sv := bySubject(msgs, "¿cómo lo atendimos?")
	if len(sv) != 1 {
		t.Fatalf("%d survey emails", len(sv))
	}
	link := regexp.MustCompile(`https://atiende.test/survey/[0-9a-f]+`).FindString(sv[0].Text)
	if link == "" {
		t.Fatalf("no link in %s", sv[0].Text)
	}
	srv := httptest.NewServer(desk.SurveyHandler{Surveys: e.db, Clock: clock})
	defer srv.Close()
	path := srv.URL + strings.TrimPrefix(link, "https://atiende.test")
	r, err := http.Get(path)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, r)
	if r.StatusCode != 200 || !strings.Contains(body, tk.Number) || !strings.Contains(body, `name="score"`) {
		t.Fatalf("GET: %d %s", r.StatusCode, body)
	}
	post := func(score string) (int, string) {
		r, err := http.PostForm(path, url.Values{"score": {score}, "comment": {"Muy rápido, gracias"}})
		if err != nil {
			t.Fatal(err)
		}
		return r.StatusCode, readAll(t, r)
	}
	if code, _ := post("9"); code != http.StatusBadRequest {
		t.Errorf("score 9: %d", code)
	}
	if code, body := post("5"); code != 200 || !strings.Contains(body, "Gracias") {
		t.Errorf("answer: %d %s", code, body)
	}
	if code, _ := post("1"); code != http.StatusConflict {
		t.Errorf("second answer: %d", code)
	}
	if r, _ := http.Get(srv.URL + "/survey/0000"); r.StatusCode != 404 {
		t.Errorf("unknown token: %d", r.StatusCode)
	}
	for by, v := range map[string]string{"ticket": tk.Number, "agent": agent} {
		if n, mean, err := e.db.SurveyScores(ctx, by, v); err != nil || n != 1 || mean != 5 {
			t.Errorf("scores by %s: %d %v %v", by, n, mean, err)
		}
	}
}

func readAll(t testing.TB, r *http.Response) string {
	t.Helper()
	defer r.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
