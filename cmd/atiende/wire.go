package main

// The components runServe builds, each from its dependencies.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/agentdesk/extmon"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/agentdesk/web"
	"github.com/atiende/atiende/agentdesk/web/static"
	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/metrics"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// relay hands what a component reports to the listeners added to it, in
// order. The hub is built last (it authenticates through the web server):
// what the desk and the extension monitor report reaches it through relays.
type relay[T any] struct {
	mu    sync.RWMutex
	sinks []func(T)
}

func (r *relay[T]) add(f func(T)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sinks = append(r.sinks, f)
}

func (r *relay[T]) send(v T) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, f := range r.sinks {
		f(v)
	}
}

// loadFlow is the IVR flow of flow_file (or the default), with every
// prompt it plays in both languages, and the cache of the recordings
// uploaded on the admin page over those prompts, kept fresh.
func loadFlow(ctx context.Context, cfg Config, db *postgres.DB, changes *postgres.Changes,
	log *slog.Logger) (*ivr.Flow, *ivr.AnnouncementCache, error) {
	flow := ivr.DefaultFlow()
	if cfg.FlowFile != "" {
		var err error
		if flow, err = ivr.LoadFlow(cfg.FlowFile); err != nil {
			return nil, nil, fmt.Errorf("flow_file: %w", err)
		}
	}
	if err := flow.CheckPrompts(prompts.FS, "es", "en"); err != nil {
		return nil, nil, fmt.Errorf("flow: %w", err)
	}
	ann := ivr.NewAnnouncementCache(db, flow, prompts.FS, log.With("component", "announcements"))
	if err := ann.Reload(ctx); err != nil {
		return nil, nil, err
	}
	changes.Watch(ctx, postgres.TopicAnnouncements, ann.Reload)
	return flow, ann, nil
}

// newMetrics builds the collectors on a fresh registry; their queue and
// service labels are the catalog's in force at start.
func newMetrics(db *postgres.DB, catalog *tickets.Catalog, sla *escalation.SLA) (*prometheus.Registry, *metrics.Metrics) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var services []string
	for _, s := range catalog.Services {
		services = append(services, s.Code)
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
	return reg, m
}

// onSurveys counts every survey score and shows it on the wallboards, and
// again when a low one's follow-up is opened.
func onSurveys(answers *desk.Surveys, m *metrics.Metrics, pub agentdesk.Publisher) {
	event := func(a tickets.SurveyAnswer) {
		pub.Publish(agentdesk.Event{Kind: agentdesk.SurveyScored, At: a.AnsweredAt, TicketNumber: a.TicketNumber,
			Agent: a.Agent, Queue: a.Queue, Lang: a.Language, Reason: a.Channel, Score: a.Score, FollowUp: a.FollowUp})
	}
	answers.OnAnswer = func(a tickets.SurveyAnswer) { m.SurveyScore(a.Score, a.Channel); event(a) }
	answers.OnFollowUp = event
}

// deskParts are what the web server needs of the desk's administration.
type deskParts struct {
	queues  *acd.QueueAdmin
	agents  *acd.Agents
	catalog *tickets.CatalogEditor
}

// newDesk gives d one queue per catalog group (tuned by the file, then by
// the admin page) and an agent for every enabled user with an extension,
// puts the agents and the day's counters back as they were before a
// restart (restart.go), and keeps the queues in step with the admin page
// and the catalog.
func newDesk(ctx context.Context, cfg Config, db *postgres.DB, d *acd.ACD, keep *presence, changes *postgres.Changes,
	live *tickets.LiveCatalog, log *slog.Logger) (deskParts, error) {
	fileConfig := func(g string) agentdesk.QueueConfig { return queueConfigFor(g, cfg.Queues) }
	for _, g := range live.Current().Groups() {
		if err := d.AddQueue(fileConfig(g)); err != nil {
			return deskParts{}, fmt.Errorf("queue %s: %w", g, err)
		}
	}
	agents, err := acd.NewAgents(ctx, d, db)
	if err != nil {
		return deskParts{}, err
	}
	queues, err := acd.NewQueueAdmin(ctx, d, db, fileConfig, log.With("component", "queues"))
	if err != nil {
		return deskParts{}, err
	}
	if err := keep.restore(ctx, d, agents); err != nil {
		log.Warn("agents start logged out", "error", err)
	}
	if err := restoreQueueStats(ctx, db, d, time.Now(), log.With("component", "acd")); err != nil {
		log.Warn("queue counters start at zero", "error", err)
	}
	changes.Watch(ctx, postgres.TopicQueueSettings, queues.Reload)
	catEdit := newCatalogEditor(live, db, queues, log.With("component", "catalog")) // catalog.go
	changes.Watch(ctx, postgres.TopicCatalog, catEdit.Refresh)
	return deskParts{queues: queues, agents: agents, catalog: catEdit}, nil
}

// newIntake turns calls into tickets and queued calls. A call asks
// nothing of the database about major incidents and maintenance: a cache
// answers.
func newIntake(ctx context.Context, cfg Config, db *postgres.DB, changes *postgres.Changes, esc *escalationParts,
	live *tickets.LiveCatalog, d *acd.ACD, engine ivr.Engine, pub agentdesk.Publisher, m *metrics.Metrics, log *slog.Logger) (*intake.Service, error) {
	callCache, err := postgres.NewCallCache(ctx, db, changes)
	if err != nil {
		return nil, err
	}
	return intake.New(intake.Deps{Store: esc.store, Catalog: live, Phones: cfg.phonePlan(), Matrix: priorityMatrix(cfg),
		Queue: d, Engine: engine, Publish: pub, Maintenance: callCache, Incidents: callCache, OpenTickets: db,
		Surveys: esc.answers, IVRCalls: db, ObserveIVR: m.ObserveIVR, Log: log.With("component", "intake")}), nil
}

// newMenu is the help-desk call: the IVR flow over intake, for at most
// calls.max_concurrent calls at once (a new call past it is refused before
// answer).
func newMenu(cfg Config, flow *ivr.Flow, svc *intake.Service, ann *ivr.AnnouncementCache, m *metrics.Metrics,
	reg *prometheus.Registry, log *slog.Logger) ivr.Handler {
	runner := ivr.NewFlowRunner(flow, svc, log.With("component", "ivr"))
	runner.Notices = announcementNotices(cfg, ann)
	runner.Abandoned = svc // calls that end in the IVR without a ticket
	runner.Surveys = svc   // keypad surveys after the agent hung up first
	admission := ivr.NewAdmission(cfg.CallLimit())
	metrics.RegisterAdmission(reg, func() metrics.AdmissionCounts { return metrics.AdmissionCounts(admission.Counts()) })
	return admission.Handler(runner)
}

func runMonitor(ctx context.Context, mon *extmon.Monitor, log *slog.Logger) {
	if err := mon.Run(ctx); err != nil {
		log.Error("extension monitor stopped", "error", err)
	}
}

// newWeb builds the web server and its JSON API over the stores and the
// desk.
func newWeb(cfg Config, db *postgres.DB, esc *escalationParts, live *tickets.LiveCatalog, dp deskParts,
	ann *ivr.AnnouncementCache, mon *extmon.Monitor, d *acd.ACD, engine ivr.Engine, log *slog.Logger) (*web.Server, error) {
	proxies, err := cfg.HTTP.TrustedProxyPrefixes()
	if err != nil {
		return nil, fmt.Errorf("http.trusted_proxies: %w", err)
	}
	return web.New(web.Config{AllowedOrigins: cfg.HTTP.AllowedOrigins, SecureCookies: cfg.HTTP.SecureCookies,
		SessionTTL: time.Duration(cfg.HTTP.SessionTTL), TrustedProxies: proxies, Profiling: cfg.HTTP.Pprof},
		web.Deps{Store: esc.store, Catalog: live, CatalogEditor: dp.catalog, Phones: cfg.phonePlan(), Matrix: priorityMatrix(cfg),
			Log: log.With("component", "web"), Queues: dp.queues, Agents: dp.agents, AgentExtensions: dp.agents, AgentSync: dp.agents,
			Announcements: announcementsWeb(cfg, ann, db), Extensions: extensionSource{mon},
			Maintenance: esc.maintenance, Ready: func(context.Context) error {
				if !engine.Up() {
					return fmt.Errorf("telephony engine %s is down", engine.Name())
				}
				return nil
			},
			Wallboard:      wallboardSource{db: db, desk: d}, // wallboard.go
			ExtensionHolds: db, Surveys: db, Reports: db, TicketStats: db})
}

// newHub is the websocket fan-out to the consoles and wallboards; it
// authenticates through api's sessions.
func newHub(cfg Config, api *web.Server, d *acd.ACD, engine ivr.Engine, m *metrics.Metrics, log *slog.Logger) *hub.Hub {
	return hub.New(hub.Config{AllowedOrigins: cfg.HTTP.AllowedOrigins}, hub.Deps{
		Authenticate: func(r *http.Request) (hub.Principal, error) {
			u, err := api.Authenticate(r)
			if err != nil {
				return hub.Principal{}, err
			}
			return hub.Principal{Username: u.Username, Role: string(u.Role), Extension: u.Extension, Lang: u.Language}, nil
		},
		Snapshot: d.Snapshot, Extensions: engine.Extensions, Log: log.With("component", "hub"),
		ScreenPop: m.ScreenPop, ClientsChanged: m.WebsocketClients,
	})
}

// newHTTPServer serves the metrics, the survey pages, the websocket, the
// API and the UI.
func newHTTPServer(cfg Config, log *slog.Logger, reg *prometheus.Registry, api *web.Server, surveys http.Handler, consoles *hub.Hub) *http.Server {
	root := http.NewServeMux()
	root.Handle("GET /metrics", metrics.Handler(reg))
	root.Handle("/survey/", api.Wrap(surveys))
	root.Handle("GET /ws", api.Wrap(consoles))
	root.Handle("/api/", api.Handler())
	root.Handle("/healthz", api.Handler())
	root.Handle("/readyz", api.Handler())
	if cfg.HTTP.Pprof {
		root.Handle("/debug/pprof/", api.Handler()) // admins only (web/pprof.go)
	}
	root.Handle("/", api.Wrap(http.FileServerFS(static.FS)))
	return &http.Server{Handler: root, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}
