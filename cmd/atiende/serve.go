package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/agentdesk/web"
	"github.com/atiende/atiende/agentdesk/web/static"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/ivr/sipengine"
	"github.com/atiende/atiende/metrics"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// drainTimeout is how long SIGTERM waits for calls and requests to finish.
const drainTimeout = 20 * time.Second

// stopTimeout is how long shutdown then waits for the engine to end the
// calls left and for the other parts to stop.
const stopTimeout = 15 * time.Second

func runServe(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer, banner bool) error {
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := ensureAdmin(ctx, db, cfg); err != nil {
		return err
	}
	// One listener keeps every in-memory copy of what rarely changes
	// (announcements, catalog, queue settings, major incidents, maintenance)
	// fresh: a change made through any process notifies all of them.
	changes := postgres.NewChanges(db)
	changes.Start(ctx)
	catalog, err := loadCatalog(cfg)
	if err != nil {
		return err
	}
	live, err := liveCatalog(ctx, db, catalog, log) // catalog.go: the version admins saved wins over the seed
	if err != nil {
		return err
	}
	catalog = live.Current() // at start: metrics labels, queues
	flow := ivr.DefaultFlow()
	if cfg.FlowFile != "" {
		if flow, err = ivr.LoadFlow(cfg.FlowFile); err != nil {
			return fmt.Errorf("flow_file: %w", err)
		}
	}
	if err := flow.CheckPrompts(prompts.FS, "es", "en"); err != nil {
		return fmt.Errorf("flow: %w", err)
	}
	// Recordings uploaded on the admin page, over the embedded prompts.
	ann := newAnnouncements(db, flow, prompts.FS, log.With("component", "announcements")) // announcements.go
	ann.asteriskPlays = cfg.Asterisk.SoundsDir != ""
	if err := ann.reload(ctx); err != nil {
		return err
	}
	changes.Watch(ctx, postgres.TopicAnnouncements, ann.reload)
	// Calls between extensions go through Atiende's router on both engines
	// (extroute.go); it is completed below, once the desk exists.
	var calls drain
	router := newExtRouter(cfg, log)
	engine, err := newEngine(ctx, cfg, log, ann.overlay, db, calls.handler(router))
	if err != nil {
		return err
	}
	phones := tickets.PhonePlan{Region: cfg.Phones.Region}
	matrix := priorityMatrix(cfg)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var services []string
	for _, s := range catalog.Services {
		services = append(services, s.Code)
	}
	sla, err := loadSLA(cfg.Escalation.File, log)
	if err != nil {
		return err
	}
	m := metrics.New(reg, metrics.Options{Queues: catalog.Groups(), Services: services, BusinessTime: businessTime(sla),
		OpenTickets: func(ctx context.Context) ([]metrics.OpenCount, error) {
			counts, err := db.OpenTicketCounts(ctx)
			out := make([]metrics.OpenCount, len(counts))
			for i, c := range counts {
				out[i] = metrics.OpenCount(c)
			}
			return out, err
		}})
	m.EngineUp(engine.Name(), engine.Up)
	go watchEngine(ctx, engine, m, log.With("component", "engine")) // enginewatch.go
	if d, ok := engine.(interface{ Dropped() uint64 }); ok {
		m.EngineDrops(engine.Name(), d.Dropped)
	}
	if se, ok := engine.(*sipengine.Engine); ok {
		m.EngineCalls(engine.Name(), func() metrics.EngineCallCounts {
			st := se.Stats()
			return metrics.EngineCallCounts{Refused: st.CallsRefused, Reaped: st.CallsReaped, AuthThrottled: st.AuthThrottled}
		})
		m.EngineEdge(engine.Name(), func() metrics.EdgeCounts { return metrics.EdgeCounts(se.EdgeStats()) })
	}
	// Every ticket change goes through the SLA store (due times, timers,
	// emails), and then through the metrics, automatic changes included.
	esc, err := newEscalation(cfg, sla, db, observedStore{Store: db, m: m}, engine, m, log)
	if err != nil {
		return err
	}
	store := esc.store
	esc.maintenance.Catalog = live // windows name catalog services
	esc.exec.Catalog = live        // and so do the emails about a ticket

	// The metrics and the websocket hub see every event directly; both are
	// cheap and never block the ACD.
	var (
		desk *acd.ACD
		api  *web.Server
	)
	consoles := hub.New(hub.Config{AllowedOrigins: cfg.HTTP.AllowedOrigins}, hub.Deps{
		Authenticate: func(r *http.Request) (hub.Principal, error) {
			u, err := api.Authenticate(r) // api is set before serving starts
			if err != nil {
				return hub.Principal{}, err
			}
			return hub.Principal{Username: u.Username, Role: string(u.Role), Extension: u.Extension, Lang: u.Language}, nil
		},
		Snapshot: func() agentdesk.Snapshot { return desk.Snapshot() }, Extensions: engine.Extensions, Log: log.With("component", "hub"),
		ScreenPop: m.ScreenPop, ClientsChanged: m.WebsocketClients,
	})
	defer consoles.Close()
	// Sessions ended here or by another process on the same database
	// (logout, a password reset, disabling) close the user's websockets.
	db.ListenRevoked(ctx, consoles.CloseUser, consoles.CloseAll)
	keep := newPresence(db, log.With("component", "presence")) // restart.go
	pub := agentdesk.PublisherFunc(func(e agentdesk.Event) { m.Publish(e); consoles.Publish(e); keep.Publish(e) })
	surveyEvent := func(a tickets.SurveyAnswer) {
		consoles.Publish(agentdesk.Event{Kind: agentdesk.SurveyScored, At: a.AnsweredAt, TicketNumber: a.TicketNumber,
			Agent: a.Agent, Queue: a.Queue, Lang: a.Language, Reason: a.Channel, Score: a.Score, FollowUp: a.FollowUp})
	}
	// Every survey score is counted and shown on the wallboards, and again
	// when a low one's follow-up is opened.
	esc.answers.OnAnswer = func(a tickets.SurveyAnswer) { m.SurveyScore(a.Score, a.Channel); surveyEvent(a) }
	esc.answers.OnFollowUp = surveyEvent
	desk = acd.New(acd.Config{}, engine, pub, nil, log.With("component", "acd"))
	defer desk.Close()
	if err := addQueuesAndAgents(ctx, desk, db, catalog, cfg.Queues); err != nil {
		return err
	}
	queueAdm, err := newQueueAdmin(ctx, desk, db, cfg.Queues, log.With("component", "queues")) // queues.go
	if err != nil {
		return err
	}
	// restart.go: the agents as they were, and the day's counters so far.
	agents := newAgentControl(desk, db)
	if err := keep.restore(ctx, desk, agents); err != nil {
		log.Warn("agents start logged out", "error", err)
	}
	if err := restoreQueueStats(ctx, db, desk, time.Now(), log.With("component", "acd")); err != nil {
		log.Warn("queue counters start at zero", "error", err)
	}
	m.Reset(desk.Snapshot())
	changes.Watch(ctx, postgres.TopicQueueSettings, queueAdm.reload)
	catEdit := newCatalogEditor(live, db, desk, queueAdm.ConfigFor, log.With("component", "catalog")) // catalog.go
	changes.Watch(ctx, postgres.TopicCatalog, catEdit.Refresh)
	// A call asks nothing of the database about major incidents and
	// maintenance: the cache answers (issue 11).
	callCache, err := postgres.NewCallCache(ctx, db, changes)
	if err != nil {
		return err
	}
	svc := intake.New(intake.Deps{Store: store, Catalog: live, Phones: phones, Matrix: matrix,
		Queue: desk, Engine: engine, Publish: pub, Maintenance: callCache, Incidents: callCache, OpenTickets: db,
		Surveys: esc.answers, IVRCalls: db, Log: log.With("component", "intake")})
	runner := ivr.NewFlowRunner(flow, observedFlow{Service: svc, m: m}, log.With("component", "ivr"))
	runner.Notices = ann.notices(cfg.Engine)
	runner.Abandoned = svc // calls that end in the IVR without a ticket
	// Past calls.max_concurrent a new call is refused before answer.
	admission := ivr.NewAdmission(cfg.CallLimit())
	metrics.RegisterAdmission(reg, func() metrics.AdmissionCounts { return metrics.AdmissionCounts(admission.Counts()) })

	mon, err := newExtensionMonitor(cfg, engine, db, store, log, consoles.ExtensionCalls)
	if err != nil {
		return err
	}
	if err := checkRuleQueues(cfg.Extensions, desk); err != nil {
		return err
	}
	wireExtRouter(router, engine, desk, admission.Handler(runner), desk, mon) // the menu: a help-desk call, within calls.max_concurrent
	proxies, err := cfg.HTTP.TrustedProxyPrefixes()
	if err != nil {
		return fmt.Errorf("http.trusted_proxies: %w", err)
	}
	api, err = web.New(web.Config{AllowedOrigins: cfg.HTTP.AllowedOrigins, SecureCookies: cfg.HTTP.SecureCookies,
		SessionTTL: time.Duration(cfg.HTTP.SessionTTL), TrustedProxies: proxies, Profiling: cfg.HTTP.Pprof},
		web.Deps{Store: store, Catalog: live, CatalogEditor: catEdit, Phones: phones, Matrix: matrix, Log: log.With("component", "web"),
			Queues:        queueAdm,
			Announcements: ann.web(cfg.Engine),
			Agents:        agents, Extensions: web.MonitorExtensions(mon), Maintenance: esc.maintenance, Ready: func(context.Context) error {
				if !engine.Up() {
					return fmt.Errorf("telephony engine %s is down", engine.Name())
				}
				return nil
			},
			Wallboard:      wallboardSource{db: db, desk: desk}, // wallboard.go
			ExtensionHolds: db,
			Surveys:        db})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("http.addr %s: %w", cfg.HTTP.Addr, err)
	}
	root := http.NewServeMux()
	root.Handle("GET /metrics", metrics.Handler(reg))
	root.Handle("/survey/", api.Wrap(esc.surveys))
	root.Handle("GET /ws", api.Wrap(consoles))
	root.Handle("/api/", api.Handler())
	root.Handle("/healthz", api.Handler())
	root.Handle("/readyz", api.Handler())
	if cfg.HTTP.Pprof {
		root.Handle("/debug/pprof/", api.Handler()) // admins only (web/pprof.go)
	}
	root.Handle("/", api.Wrap(http.FileServerFS(static.FS)))
	srv := &http.Server{Handler: root, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	// Calls run under their own context: SIGTERM stops taking new calls and
	// lets the ones in progress finish (up to drainTimeout); then they are cut.
	callCtx, cutCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer cutCalls()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Add(7)
	go func() { defer wg.Done(); keep.run(callCtx) }()
	go func() {
		defer wg.Done()
		dayRollover(callCtx, desk, tickets.ReportOptions{}.Zone(), time.Now, time.After, log.With("component", "acd"))
	}()
	go func() {
		defer wg.Done()
		if err := mon.Run(callCtx); err != nil {
			log.Error("extension monitor stopped", "error", err)
		}
	}()
	go func() {
		defer wg.Done()
		watchExtensions(callCtx, engine, log, m.ExtensionStatus, consoles.ExtensionChanged, keep.extensionChanged)
	}()
	go func() { defer wg.Done(); esc.run(callCtx) }()
	go func() {
		defer wg.Done()
		if err := engine.Serve(callCtx, calls.handler(admission.Handler(runner))); err != nil && !errors.Is(err, context.Canceled) {
			errc <- fmt.Errorf("engine %s: %w", engine.Name(), err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	log.Info("atiende serving", "http", ln.Addr().String(), "engine", engine.Name(), "version", buildVersion())
	if banner {
		printBanner(out, cfg, ln.Addr().String())
	}
	fmt.Fprintf(out, "listening on http://%s\n", ln.Addr())

	select {
	case <-ctx.Done():
		log.Info("shutting down: draining calls and requests", "timeout", drainTimeout)
	case err = <-errc:
		log.Error("shutting down after a failure", "error", err)
	}
	shCtx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	calls.close()
	_ = srv.Shutdown(shCtx)
	if n := calls.wait(shCtx); n > 0 {
		log.Warn("drain timeout: hanging up calls still in progress", "calls", n)
	}
	cutCalls()
	// The engine ends the calls left within its own stop timeout (the SIP
	// engine's is 10 s); whatever still runs after that is not waited for.
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(stopTimeout):
		log.Warn("shutdown: exiting with parts still stopping", "timeout", stopTimeout)
	}
	return err
}

// drain counts the calls in progress so that shutdown can wait for them,
// and turns new calls away once it has begun.
type drain struct {
	closed   atomic.Bool
	inflight atomic.Int64
}

func (d *drain) handler(h ivr.Handler) ivr.Handler {
	return ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		d.inflight.Add(1)
		defer d.inflight.Add(-1)
		if d.closed.Load() {
			_ = c.Hangup(ctx, ivr.CauseUnavailable)
			return
		}
		h.HandleCall(ctx, c)
	})
}

func (d *drain) close() { d.closed.Store(true) }

// wait returns when no call is in progress, or when ctx ends with the
// number still in progress.
func (d *drain) wait(ctx context.Context) int64 {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		n := d.inflight.Load()
		if n == 0 {
			return 0
		}
		select {
		case <-ctx.Done():
			return n
		case <-t.C:
		}
	}
}

func newEngine(ctx context.Context, cfg Config, log *slog.Logger, overlay *ivr.PromptOverlay, db *postgres.DB, internal ivr.Handler) (ivr.Engine, error) {
	switch cfg.Engine {
	case "sip":
		// sipgo and diago log some things on process-wide loggers: through
		// ours, in its format, at the right levels.
		sipengine.RouteLibraryLogs(log.With("component", "sip"))
		sc := sipengine.DefaultConfig()
		sc.Addr = cfg.SIP.Addr
		sc.HelpDeskNumbers = cfg.SIP.HelpDeskNumbers
		sc.Extensions = cfg.SIP.Extensions
		sc.Realm = cfg.SIP.Realm
		sc.RTPPortMin, sc.RTPPortMax, _ = cfg.RTPRange()
		if cfg.SIP.MaxCallsPerSource > 0 {
			sc.MaxCallsPerSource = cfg.SIP.MaxCallsPerSource
		}
		if cfg.SIP.RTPTimeout > 0 {
			sc.RTPTimeout = time.Duration(cfg.SIP.RTPTimeout)
		}
		if cfg.SIP.RTPTimeoutHold > 0 {
			sc.RTPTimeoutHold = time.Duration(cfg.SIP.RTPTimeoutHold)
		}
		sc.AckTimeout = time.Duration(cfg.SIP.AckTimeout)
		if cfg.SIP.QualifyInterval > 0 {
			sc.QualifyInterval = time.Duration(cfg.SIP.QualifyInterval)
		}
		if cfg.SIP.QualifyTimeout > 0 {
			sc.QualifyTimeout = time.Duration(cfg.SIP.QualifyTimeout)
		}
		sc.CongestionRetryAfter = time.Duration(cfg.Calls.RetryAfter)
		sc.Prompts = overlay                    // the embedded prompts, or what the admin page uploaded
		sc.Registrations = sipRegistrations{db} // restart.go: phones stay registered through a restart
		sc.Internal = internal
		return sipengine.New(sc, log.With("component", "sip"))
	case "asterisk":
		eng, err := asterisk.New(asterisk.Config{URL: cfg.Asterisk.URL, User: cfg.Asterisk.User, Password: cfg.Asterisk.Password,
			App: cfg.Asterisk.App, MaxConns: cfg.Asterisk.MaxConns, HelpDeskNumbers: cfg.SIP.HelpDeskNumbers,
			Prompts: overlay, SoundsDir: cfg.Asterisk.SoundsDir, Internal: internal}, log.With("component", "asterisk"))
		if err != nil {
			return nil, err
		}
		// Something other than ARI at the URL (or refused credentials) is a
		// configuration error; an Asterisk not started yet is not.
		if err := eng.Probe(ctx); errors.Is(err, asterisk.ErrNotARI) {
			return nil, fmt.Errorf("asterisk.url (ATIENDE_ARI_URL): %w", err)
		} else if err != nil {
			log.Warn("Asterisk not reachable yet; the engine keeps trying", "error", err)
		}
		return eng, nil
	}
	return nil, fmt.Errorf("engine %q is not available in this build", cfg.Engine)
}

// addQueuesAndAgents makes one queue per catalog group and an agent for
// every enabled user with an extension. Agents start logged out.
func addQueuesAndAgents(ctx context.Context, desk *acd.ACD, st tickets.Store, catalog *tickets.Catalog, qc QueuesConfig) error {
	for _, g := range catalog.Groups() {
		if err := desk.AddQueue(queueConfigFor(g, qc)); err != nil {
			return fmt.Errorf("queue %s: %w", g, err)
		}
	}
	users, err := st.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("agents: %w", err)
	}
	for _, u := range users {
		if ag, ok := agentOf(u); ok {
			if err := desk.AddAgent(ag); err != nil {
				return fmt.Errorf("agent %s: %w", u.Username, err)
			}
		}
	}
	return nil
}

// queueConfigFor is the configured tuning of the queue of support group g
// (the YAML's queues section, its overrides by name, then the ACD's
// defaults).
func queueConfigFor(g string, qc QueuesConfig) agentdesk.QueueConfig {
	q := qc.For(g)
	return agentdesk.QueueConfig{Name: g, Strategy: agentdesk.Strategy(q.Strategy),
		RingTimeout: time.Duration(q.RingTimeout), WrapUp: time.Duration(q.WrapUp), MaxWait: time.Duration(q.MaxWait),
		AnnounceInterval: time.Duration(q.AnnounceInterval), ServiceLevel: time.Duration(q.ServiceLevel),
		NoAgents: agentdesk.NoAgents(q.NoAgents), Overflow: q.Overflow}
}

// agentOf is the desk's view of a user: one with an extension who is not
// disabled takes calls in the queues named by their skills.
func agentOf(u *tickets.User) (agentdesk.Agent, bool) {
	if u.Disabled || u.Extension == "" {
		return agentdesk.Agent{}, false
	}
	skills := map[string]int{}
	for _, s := range u.Skills {
		skills[s] = 0
	}
	return agentdesk.Agent{Username: u.Username, Name: u.Name, Extension: u.Extension, Skills: skills}, true
}

// agentControl adapts the ACD to the web server's AgentControl.
type agentControl struct {
	desk  *acd.ACD
	store tickets.Store
	// picked holds the extension each agent chose at login, over the one
	// configured on their user, until they log out.
	mu     *sync.Mutex
	picked map[string]string
}

func newAgentControl(desk *acd.ACD, st tickets.Store) agentControl {
	return agentControl{desk: desk, store: st, mu: &sync.Mutex{}, picked: map[string]string{}}
}

// SetAgentExtension lets an agent take calls on the phone they sit at today.
func (a agentControl) SetAgentExtension(ctx context.Context, username, ext string) error {
	u, err := a.store.User(ctx, username)
	if err != nil {
		return err
	}
	if u.Disabled {
		return tickets.Errorf(tickets.EFORBIDDEN, "%s is disabled", username)
	}
	a.mu.Lock()
	a.picked[username] = ext
	a.mu.Unlock()
	cp := *u
	cp.Extension = ext
	ag, _ := agentOf(&cp)
	if err := a.desk.UpdateAgent(ag); errors.Is(err, agentdesk.ErrUnknownAgent) {
		return a.desk.AddAgent(ag) // a user with no configured extension
	} else {
		return err
	}
}

func (a agentControl) Agents(context.Context) ([]web.AgentStatus, error) {
	list := a.desk.Agents()
	out := make([]web.AgentStatus, 0, len(list))
	for _, ag := range list {
		st := web.AgentStatus{Username: ag.Username, Name: ag.Name, Extension: ag.Extension, State: string(ag.State),
			Reason: ag.PauseReason, Since: ag.StateSince}
		for q := range ag.Skills {
			st.Queues = append(st.Queues, q)
		}
		out = append(out, st)
	}
	return out, nil
}

// SyncAgent brings the desk's agent in line with the user record after an
// admin changed it (web.AgentSyncer): added logged out, or its extension
// (unless one was picked for today) and skills updated with its state left
// alone; a disabled user, or one left with no extension, is logged out (at
// the end of a call in progress).
func (a agentControl) SyncAgent(ctx context.Context, username string) error {
	u, err := a.store.User(ctx, username)
	if err != nil {
		return err
	}
	a.mu.Lock()
	if e := a.picked[username]; e != "" && !u.Disabled {
		u.Extension = e
	}
	a.mu.Unlock()
	if ag, ok := agentOf(u); ok {
		if err := a.desk.UpdateAgent(ag); errors.Is(err, agentdesk.ErrUnknownAgent) {
			return a.desk.AddAgent(ag)
		} else {
			return err
		}
	}
	if err := a.desk.SetAgentState(username, agentdesk.StateLoggedOut, ""); err != nil && !errors.Is(err, agentdesk.ErrUnknownAgent) {
		return err
	}
	return nil
}

// SetAgentState first brings the desk's agent in line with the user record,
// so users created or edited by an admin since start take calls at once.
func (a agentControl) SetAgentState(ctx context.Context, username, state, reason string) error {
	if u, err := a.store.User(ctx, username); err == nil {
		a.mu.Lock()
		if e := a.picked[username]; e != "" {
			u.Extension = e
		}
		if agentdesk.AgentState(state) == agentdesk.StateLoggedOut {
			delete(a.picked, username)
		}
		a.mu.Unlock()
		if ag, ok := agentOf(u); ok {
			if err := a.desk.UpdateAgent(ag); errors.Is(err, agentdesk.ErrUnknownAgent) {
				_ = a.desk.AddAgent(ag)
			}
		}
	}
	err := a.desk.SetAgentState(username, agentdesk.AgentState(state), reason)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, agentdesk.ErrUnknownAgent):
		return tickets.Errorf(tickets.ENOTFOUND, "%s is not an agent with an extension", username)
	case errors.Is(err, agentdesk.ErrInvalid), errors.Is(err, agentdesk.ErrBadState):
		return tickets.Errorf(tickets.EINVALID, "%v", err)
	}
	return err
}

func printBanner(out io.Writer, cfg Config, httpAddr string) {
	fmt.Fprintf(out, `
Atiende is running.
  Web and API:   http://%[1]s/   (API under /api/v1, OpenAPI at /api/v1/openapi.json)
  Health:        http://%[1]s/healthz  http://%[1]s/readyz
  Admin:         %[2]s / the ATIENDE_ADMIN_PASSWORD you gave (make run: atiende-demo)
  Demo users:    ana, beto, carla, dario (agents, extensions 1001-1004), tecnico,
                 supervisora, redes; password %[3]s
  SIP:           %[4]s  help desk %[5]v; agent phones register as 1001..1004, password demo<ext>
`, httpAddr, cfg.Admin.Username, DemoPassword, cfg.SIP.Addr, cfg.SIP.HelpDeskNumbers)
}
