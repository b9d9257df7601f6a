package desk_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/escalation/smtp"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// The wiring cmd/atiende does (compiled, not run).
func Example_wiring() {
	var (
		ctx    = context.Background()
		log    = slog.Default()
		db     *postgres.DB // opened and migrated
		engine ivr.Engine   // sipengine or asterisk
		mux    = http.NewServeMux()
	)
	f, _ := os.Open("escalation.yml")
	sla, warns, err := escalation.LoadConfig(f) // refuses bad calendars, policies, rules
	if err != nil {
		panic(err)
	}
	for _, w := range warns {
		log.Warn("escalation config", "warning", w.String())
	}
	mail, err := smtp.New(smtp.Config{Addr: "smtp.example.org:587", From: "Mesa de Servicio <mesa@example.org>",
		Username: "mesa", Password: os.Getenv("ATIENDE_SMTP_PASSWORD"), TLS: smtp.TLSRequired})
	if err != nil {
		panic(err)
	}
	timers := db.Timers()
	clock := escalation.SystemClock{}
	store := desk.NewStore(db, db, sla, timers, clock, tickets.TicketEvents{}, log.With("component", "sla"))
	// Hand `store` (not db) to intake, web and everything that changes tickets.
	exec := &desk.Executor{
		Desk: store, Mail: mail,
		Caller:    &desk.PhoneCaller{Engine: engine, CallerID: "5000", CallerName: "Mesa de Servicio"},
		Directory: desk.FallbackDirectory{Primary: db, Fallback: sla.Directory},
		Surveys:   db, SurveyURL: "https://atiende.example.org/survey/",
		SurveySecret: []byte(os.Getenv("ATIENDE_SURVEY_SECRET")),
		Supervisor:   "responsable@example.org",
		Log:          log.With("component", "escalation"),
	}
	worker := &escalation.Worker{Store: timers, Exec: exec, Clock: clock, Wake: timers.Listen(ctx),
		Log: log.With("component", "escalation-worker"),
		// A phone alert tries up to 3 numbers of one contact, AckTimeout each.
		Config: escalation.WorkerConfig{Lease: 3*sla.Rules.AckTimeout + time.Minute}}
	go worker.Run(ctx)
	mux.Handle("/survey/", desk.SurveyHandler{Surveys: db, Clock: clock, Log: log})
}
