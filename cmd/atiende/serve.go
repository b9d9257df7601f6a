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

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk"
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
	db, err := openMigrated(ctx, cfg, log) // store.go
	if err != nil {
		return err
	}
	defer db.Close()
	// One listener keeps every in-memory copy of what rarely changes fresh:
	// a change made through any process notifies all of them.
	changes := postgres.NewChanges(db)
	changes.Start(ctx)
	live, err := loadLiveCatalog(ctx, cfg, db, log) // catalog.go: the version admins saved wins over the seed
	if err != nil {
		return err
	}
	flow, ann, err := loadFlow(ctx, cfg, db, changes, log) // wire.go: the flow, and the recordings uploaded over its prompts
	if err != nil {
		return err
	}
	sla, err := loadSLA(cfg.Escalation.File, log)
	if err != nil {
		return err
	}
	reg, m := newMetrics(db, live.Current(), sla)
	var calls drain
	router := newExtRouter(cfg, log) // extroute.go: completed by wireExtRouter once the desk exists
	engine, err := newEngine(ctx, cfg, log, ann.Overlay(), db, calls.handler(router), m)
	if err != nil {
		return err
	}
	esc, err := newEscalation(cfg, sla, db, engine, m, live, log) // escalation.go
	if err != nil {
		return err
	}
	keep := newPresence(db, log.With("component", "presence")) // restart.go
	var toHub relay[agentdesk.Event]                           // the hub is built last: it authenticates through the web server
	pub := agentdesk.PublisherFunc(func(e agentdesk.Event) { m.Publish(e); keep.Publish(e); toHub.send(e) })
	onSurveys(esc.answers, m, pub)
	desk := acd.New(acd.Config{}, engine, pub, nil, log.With("component", "acd"))
	defer desk.Close()
	admin, err := newDesk(ctx, cfg, db, desk, keep, changes, live, log) // wire.go
	if err != nil {
		return err
	}
	m.Reset(desk.Snapshot())
	svc, err := newIntake(ctx, cfg, db, changes, esc, live, desk, engine, pub, m, log)
	if err != nil {
		return err
	}
	menu := newMenu(cfg, flow, svc, ann, m, reg, log) // the help-desk call, within calls.max_concurrent
	var extCalls relay[ivr.ExtensionCalls]
	mon, err := newExtensionMonitor(cfg, engine, db, esc.store, live, log, extCalls.send) // extensions.go
	if err != nil {
		return err
	}
	if err := wireExtRouter(router, cfg.Extensions, engine, desk, menu, desk, mon); err != nil {
		return err
	}
	api, err := newWeb(cfg, db, esc, live, admin, ann, mon, desk, engine, log) // wire.go
	if err != nil {
		return err
	}
	consoles := newHub(cfg, api, desk, engine, m, log)
	defer consoles.Close()
	toHub.add(consoles.Publish)
	extCalls.add(consoles.ExtensionCalls)
	// Sessions ended here or by another process on the same database
	// (logout, a password reset, disabling) close the user's websockets.
	db.ListenRevoked(ctx, consoles.CloseUser, consoles.CloseAll)
	return serve(ctx, cfg, log, out, banner, newHTTPServer(cfg, log, reg, api, esc.surveys, consoles), &calls, engine, menu,
		keep.run, esc.run, func(ctx context.Context) { runMonitor(ctx, mon, log) },
		func(ctx context.Context) {
			desk.ResetStatsDaily(ctx, tickets.ReportOptions{}.Zone(), time.Now, time.After)
		},
		func(ctx context.Context) {
			watchExtensions(ctx, engine, log, m.ExtensionStatus, consoles.ExtensionChanged, keep.extensionChanged)
		})
}

// serve takes calls on engine (menu, through calls) and requests on srv,
// and runs each of runs, until ctx ends or one of them fails. Calls run
// under their own context: SIGTERM stops taking new calls and lets the ones
// in progress finish (up to drainTimeout); then they are cut.
func serve(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer, banner bool, srv *http.Server,
	calls *drain, engine ivr.Engine, menu ivr.Handler, runs ...func(context.Context)) error {
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("http.addr %s: %w", cfg.HTTP.Addr, err)
	}
	callCtx, cutCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer cutCalls()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	for _, run := range runs {
		wg.Go(func() { run(callCtx) })
	}
	wg.Go(func() {
		if err := engine.Serve(callCtx, calls.handler(menu)); err != nil && !errors.Is(err, context.Canceled) {
			errc <- fmt.Errorf("engine %s: %w", engine.Name(), err)
		}
	})
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	})
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

// newEngine builds the telephony engine cfg names, its state and counters
// measured by m (watchEngine notes each time it goes down).
func newEngine(ctx context.Context, cfg Config, log *slog.Logger, overlay *ivr.PromptOverlay, db *postgres.DB, internal ivr.Handler,
	m *metrics.Metrics) (ivr.Engine, error) {
	var engine interface {
		ivr.Engine
		Dropped() uint64
	}
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
		se, err := sipengine.New(sc, log.With("component", "sip"))
		if err != nil {
			return nil, err
		}
		m.EngineCalls(se.Name(), func() metrics.EngineCallCounts {
			st := se.Stats()
			return metrics.EngineCallCounts{Refused: st.CallsRefused, Reaped: st.CallsReaped, AuthThrottled: st.AuthThrottled}
		})
		m.EngineEdge(se.Name(), func() metrics.EdgeCounts { return metrics.EdgeCounts(se.EdgeStats()) })
		engine = se
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
		engine = eng
	default:
		return nil, fmt.Errorf("engine %q is not available in this build", cfg.Engine)
	}
	m.EngineUp(engine.Name(), engine.Up)
	m.EngineDrops(engine.Name(), engine.Dropped)
	go watchEngine(ctx, engine, m, log.With("component", "engine")) // enginewatch.go
	return engine, nil
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
