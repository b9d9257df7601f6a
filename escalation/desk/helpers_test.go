package desk_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/escalation/smtp"
	"github.com/atiende/atiende/escalation/smtp/smtptest"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func mx(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

var directory = escalation.Directory{
	{Level: 2, Name: "Ana Ruiz", Email: "ana@atiende.test", Extension: "2001"},
	{Level: 2, Name: "Beto Soto", Email: "beto@atiende.test", Extension: "2002", Language: "en"},
	{Level: 3, Name: "Carla Díaz", Email: "carla@atiende.test"},
	{Level: 4, Name: "Director sin datos"},
}

// env is one Atiende process's worth of escalation wiring on a shared
// database and a shared fake clock.
type env struct {
	db     *postgres.DB
	desk   *desk.Store
	timers *postgres.Timers
	exec   *desk.Executor
	worker *escalation.Worker
}

func newSLA(t testing.TB, ack time.Duration) *escalation.SLA {
	rules := escalation.DefaultRules()
	if ack > 0 {
		rules.AckTimeout = ack
	}
	sla, _, err := escalation.New(escalation.Config{Rules: rules, Directory: directory})
	if err != nil {
		t.Fatal(err)
	}
	return sla
}

func newEnv(t testing.TB, url string, clock *memstore.Clock, sla *escalation.SLA, smtpAddr string, caller escalation.Caller) *env {
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
	mail, err := smtp.New(smtp.Config{Addr: smtpAddr, From: "Mesa de Servicio <mesa@atiende.test>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, timers: db.Timers()}
	e.desk = desk.NewStore(db, db, sla, e.timers, clock, tickets.TicketEvents{}, nil)
	e.exec = &desk.Executor{Desk: e.desk, Mail: mail, Caller: caller, Directory: db, Surveys: db,
		SurveyURL: "https://atiende.test/survey/", SurveySecret: []byte("test secret"), Supervisor: "supervisor@atiende.test"}
	if _, err := db.SaveDirectory(ctx, directory); err != nil {
		t.Fatal(err)
	}
	e.worker = &escalation.Worker{Store: e.timers, Exec: e.exec, Clock: clock,
		Config: escalation.WorkerConfig{RetryBase: time.Minute, Lease: 5 * time.Minute}}
	return e
}

// drain runs the worker until nothing is due at the clock's time.
func (e *env) drain(t testing.TB) int {
	t.Helper()
	total := 0
	for {
		n, err := e.worker.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

func newTicket(t testing.TB, s tickets.Store, pr tickets.Priority) *tickets.Ticket {
	t.Helper()
	tk := &tickets.Ticket{Kind: tickets.Incident, Service: "internet", Priority: pr, Level: 1, Channel: tickets.Phone,
		Caller:  tickets.Caller{Name: "María Pérez", Email: "maria@example.org", Phone: "+525512345678"},
		Subject: "Falla de conexión", Description: "Sin conexión desde la mañana"}
	if err := s.CreateTicket(context.Background(), tk, "agent1"); err != nil {
		t.Fatal(err)
	}
	return tk
}

func transition(t testing.TB, s tickets.Store, number string, to tickets.State, reason string) {
	t.Helper()
	if _, err := s.Transition(context.Background(), number, to, tickets.Change{Actor: "agent1", Reason: reason}); err != nil {
		t.Fatal(err)
	}
}

// advanceTo moves the fake clock to at.
func advanceTo(clock *memstore.Clock, at time.Time) { clock.Advance(at.Sub(clock.Now())) }

func mailpitFor(t testing.TB, port int) *smtptest.Mailpit { return smtptest.Start(t, port) }

func addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// bySubject finds the messages whose subject contains s.
func bySubject(msgs []smtptest.Message, s string) []smtptest.Message {
	var out []smtptest.Message
	for _, m := range msgs {
		if strings.Contains(m.Subject, s) {
			out = append(out, m)
		}
	}
	return out
}

func to(m smtptest.Message) string {
	var a []string
	for _, x := range m.To {
		a = append(a, x.Address)
	}
	return strings.Join(a, ",")
}
