package desk_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// A low score (1-2), from the keypad or the survey page, opens a complaint
// at the supervisors' level in the same queue and service, with its SLA due
// times, and notes it on the scored ticket; higher scores open nothing.
// Every recorded score reaches OnAnswer (metrics, wallboards), once.
func TestLowSurveyScoreOpensFollowUp(t *testing.T) {
	ctx := context.Background()
	clock := memstore.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, mx(t)))
	e := newEnv(t, pgtest.DB(t), clock, newSLA(t, 0), "127.0.0.1:1", nil)
	var (
		mu   sync.Mutex
		seen []tickets.SurveyAnswer
	)
	s := &desk.Surveys{Store: e.db, Tickets: e.desk, OnAnswer: func(a tickets.SurveyAnswer) {
		mu.Lock()
		seen = append(seen, a)
		mu.Unlock()
	}}
	tk := &tickets.Ticket{Kind: tickets.Incident, Service: "internet", Priority: tickets.P3, Level: 1, Channel: tickets.Phone,
		Queue: "network", Caller: tickets.Caller{Name: "María Pérez", Email: "maria@example.org", Phone: "+525512345678"},
		Subject: "Falla de conexión"}
	if err := e.desk.CreateTicket(ctx, tk, "agent1"); err != nil {
		t.Fatal(err)
	}
	followUps := func() []*tickets.Ticket {
		t.Helper()
		list, _, err := e.db.ListTickets(ctx, tickets.Filter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var out []*tickets.Ticket
		for _, x := range list {
			if x.Kind == tickets.Complaint {
				out = append(out, x)
			}
		}
		return out
	}

	// A 4 from the keypad: counted, nothing opened.
	if err := s.RecordKeypadSurvey(ctx, "call-1", tk.Number, "ana", "es", 4, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(followUps()); n != 0 {
		t.Fatalf("%d follow-ups after a 4", n)
	}
	// A 2 from the keypad: a complaint for the supervisors.
	if err := s.RecordKeypadSurvey(ctx, "call-2", tk.Number, "ana", "es", 2, clock.Now()); err != nil {
		t.Fatal(err)
	}
	fu := followUps()
	if len(fu) != 1 {
		t.Fatalf("%d follow-ups after a 2", len(fu))
	}
	f := fu[0]
	if f.Level != 2 || f.Queue != "network" || f.Service != "internet" || f.State != tickets.Registered || f.Assignee != "" ||
		f.Caller.Name != "María Pérez" || f.Caller.Phone != "+525512345678" || f.ResponseDue == nil ||
		!strings.Contains(f.Subject, "calificación 2 de 5") || !strings.Contains(f.Subject, tk.Number) ||
		!strings.Contains(f.Description, "Agente: ana") {
		t.Errorf("follow-up %+v", f)
	}
	notes, err := e.db.Notes(ctx, tk.Number, true)
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0].Body, f.Number) || !notes[0].Internal {
		t.Errorf("note on the scored ticket: %+v %v", notes, err)
	}
	if a, err := e.db.KeypadSurveyAnswer(ctx, "call-2"); err != nil || a.FollowUp != f.Number {
		t.Errorf("answer's follow-up: %+v %v", a, err)
	}

	// A 1 with a comment on the page (English): its own follow-up, in English.
	token := "page-token"
	hash := sha256.Sum256([]byte(token))
	if err := e.db.CreateSurvey(ctx, hash[:], tk.Number, "beto", "en", clock.Now()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(desk.SurveyHandler{Surveys: s, Clock: clock})
	defer srv.Close()
	post := func() int {
		r, err := http.PostForm(srv.URL+"/survey/"+token, url.Values{"score": {"1"}, "comment": {"Nobody called me back"}})
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if c := post(); c != 200 {
		t.Fatalf("answer: %d", c)
	}
	if c := post(); c != 409 { // single use: no second follow-up
		t.Fatalf("second answer: %d", c)
	}
	fu = followUps()
	if len(fu) != 2 {
		t.Fatalf("%d follow-ups after a 1 on the page", len(fu))
	}
	var web *tickets.Ticket
	for _, x := range fu {
		if x.Number != f.Number {
			web = x
		}
	}
	if !strings.Contains(web.Subject, "score 1 of 5") || !strings.Contains(web.Description, "Nobody called me back") ||
		!strings.Contains(web.Description, "web survey") {
		t.Errorf("web follow-up %+v", web)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 || seen[0].Score != 4 || seen[0].FollowUp != "" || seen[0].Channel != tickets.SurveyKeypad ||
		seen[1].FollowUp != f.Number || seen[1].Queue != "network" ||
		seen[2].Channel != tickets.SurveyWeb || seen[2].FollowUp != web.Number || seen[2].Comment != "Nobody called me back" {
		t.Errorf("answers seen: %+v", seen)
	}
}

// failingTickets fails the first CreateTicket (the database went away).
type failingTickets struct {
	desk.FollowUpTickets
	failed bool
}

func (f *failingTickets) CreateTicket(ctx context.Context, t *tickets.Ticket, actor string) error {
	if !f.failed {
		f.failed = true
		return tickets.Errorf(tickets.EUNAVAILABLE, "database unavailable")
	}
	return f.FollowUpTickets.CreateTicket(ctx, t, actor)
}

// With Timers, the follow-up is a durable action run by the escalation
// worker: a failure is retried, and it is opened once however often the
// action runs.
func TestLowSurveyScoreFollowUpIsDurable(t *testing.T) {
	ctx := context.Background()
	clock := memstore.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, mx(t)))
	e := newEnv(t, pgtest.DB(t), clock, newSLA(t, 0), "127.0.0.1:1", nil)
	var (
		mu       sync.Mutex
		answered []tickets.SurveyAnswer
		opened   []tickets.SurveyAnswer
	)
	s := &desk.Surveys{Store: e.db, Tickets: &failingTickets{FollowUpTickets: e.desk}, Timers: e.timers, Clock: clock,
		OnAnswer:   func(a tickets.SurveyAnswer) { mu.Lock(); answered = append(answered, a); mu.Unlock() },
		OnFollowUp: func(a tickets.SurveyAnswer) { mu.Lock(); opened = append(opened, a); mu.Unlock() }}
	e.exec.FollowUps = s
	tk := &tickets.Ticket{Kind: tickets.Incident, Service: "internet", Priority: tickets.P3, Level: 1, Channel: tickets.Phone,
		Queue: "network", Caller: tickets.Caller{Name: "María Pérez", Phone: "+525512345678"}, Subject: "Falla"}
	if err := e.desk.CreateTicket(ctx, tk, "agent1"); err != nil {
		t.Fatal(err)
	}
	complaints := func() int {
		t.Helper()
		n, err := postgresCount(ctx, e, tickets.Filter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := s.RecordKeypadSurvey(ctx, "call-1", tk.Number, "ana", "es", 1, clock.Now()); err != nil {
		t.Fatal(err) // the score stands whatever the follow-up does
	}
	if n := complaints(); n != 0 {
		t.Fatalf("%d complaints before the worker ran", n)
	}
	e.drain(t) // first attempt: the database is away
	if n := complaints(); n != 0 {
		t.Fatalf("%d complaints after a failed attempt", n)
	}
	clock.Advance(10 * time.Minute) // past the retry
	e.drain(t)
	if n := complaints(); n != 1 {
		t.Fatalf("%d complaints after the retry, want 1", n)
	}
	// Running it again opens nothing more.
	a, err := e.db.KeypadSurveyAnswer(ctx, "call-1")
	if err != nil || a.FollowUp == "" {
		t.Fatalf("answer %+v %v", a, err)
	}
	if err := s.Execute(ctx, escalation.Claimed{Action: escalation.Action{Kind: desk.SurveyFollowUp, Ref: a.ID}}); err != nil {
		t.Fatal(err)
	}
	if n := complaints(); n != 1 {
		t.Fatalf("%d complaints after running the action again", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(answered) != 1 || answered[0].FollowUp != "" || len(opened) != 1 || opened[0].FollowUp != a.FollowUp {
		t.Errorf("answered %+v, opened %+v", answered, opened)
	}
}

// postgresCount counts the complaint tickets.
func postgresCount(ctx context.Context, e *env, f tickets.Filter) (int, error) {
	list, _, err := e.db.ListTickets(ctx, f)
	n := 0
	for _, x := range list {
		if x.Kind == tickets.Complaint {
			n++
		}
	}
	return n, err
}
