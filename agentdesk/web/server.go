package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets"
)

// Config tunes the server. Zero fields take the defaults below.
type Config struct {
	// AllowedOrigins lists extra origins (scheme://host[:port]) whose
	// state-changing requests are accepted, besides the server's own host.
	AllowedOrigins []string
	// SecureCookies marks the session cookie Secure (serve under TLS).
	SecureCookies bool
	// SessionTTL is how long a login lasts. Default 12h.
	SessionTTL time.Duration
	// MaxBodyBytes caps request bodies (413 beyond). Default 1 MiB.
	MaxBodyBytes int64
	// MaxImportBytes caps a contacts CSV import. Default 32 MiB.
	MaxImportBytes int64
	// LoginAttempts failed logins to one account from one client address
	// within LoginWindow lock that pair (429) until the window passes.
	// Defaults 5 and 15m. An attempt counts from the moment it is taken
	// in, so parallel requests cannot get more passwords checked.
	LoginAttempts int
	LoginWindow   time.Duration
	// LoginAccountAttempts is the ceiling of failed logins to one account
	// from all addresses together, and LoginSourceAttempts to all accounts
	// from one address, within LoginWindow. Both default to 50: the real
	// user from another address still logs in while one address guesses,
	// and an office behind one NAT address is not locked out by one typo.
	LoginAccountAttempts int
	LoginSourceAttempts  int
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For names the client. From any other peer the header is
	// ignored. Default none.
	TrustedProxies []netip.Prefix
	// Profiling serves Go's profiler to admins at /debug/pprof/ (pprof.go).
	// Off by default.
	Profiling bool
}

// Defaults.
const (
	DefaultSessionTTL    = 12 * time.Hour
	DefaultMaxBodyBytes  = 1 << 20
	DefaultMaxImport     = 32 << 20
	DefaultLoginAttempts = 5
	DefaultLoginWindow   = 15 * time.Minute
	// DefaultLoginCeiling is the default of LoginAccountAttempts and
	// LoginSourceAttempts.
	DefaultLoginCeiling = 50
)

// maxConcurrentLogins bounds password checks in flight (argon2id uses 19 MiB
// and a core for tens of milliseconds each).
const maxConcurrentLogins = 4

func (c Config) withDefaults() Config {
	if c.SessionTTL <= 0 {
		c.SessionTTL = DefaultSessionTTL
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxImportBytes <= 0 {
		c.MaxImportBytes = DefaultMaxImport
	}
	if c.LoginAttempts <= 0 {
		c.LoginAttempts = DefaultLoginAttempts
	}
	if c.LoginWindow <= 0 {
		c.LoginWindow = DefaultLoginWindow
	}
	if c.LoginAccountAttempts <= 0 {
		c.LoginAccountAttempts = DefaultLoginCeiling
	}
	if c.LoginSourceAttempts <= 0 {
		c.LoginSourceAttempts = DefaultLoginCeiling
	}
	return c
}

// Deps are the collaborators the server is given; it creates none itself.
type Deps struct {
	Store   tickets.Store          // required
	Catalog tickets.CatalogSource  // required; read per request: an edit replaces it
	Phones  tickets.PhonePlan      // zero value: Mexico
	Matrix  tickets.PriorityMatrix // zero value: tickets.DefaultMatrix
	Clock   func() time.Time       // nil: time.Now
	Log     *slog.Logger           // nil: discard
	Agents  AgentControl           // nil: no /agents routes
	// AgentExtensions moves an agent to another phone extension; nil: a
	// state request naming an extension other than the desk's is refused.
	AgentExtensions AgentExtensionSetter
	// AgentSync brings the desk's agent in line with a user an admin
	// changed; nil: the agent is logged out instead (see syncAgent).
	AgentSync AgentSyncer
	Ready     func(context.Context) error // nil: only the database is checked by /readyz
	// Wallboard gives the wallboard's day history; nil: no
	// /wallboard/day route.
	Wallboard WallboardSource
	// Maintenance schedules planned maintenance windows; nil: no
	// /maintenance routes.
	Maintenance MaintenanceDesk
	// Extensions feeds the network page; nil: no /extensions routes.
	Extensions ExtensionSource
	// Announcements manages the IVR's recorded announcements (admin page);
	// nil: no /announcements routes.
	Announcements *Announcements
	// Queues shows and tunes the desk's queues (admin page); nil: no
	// /queues routes.
	Queues QueueAdmin
	// CatalogEditor edits the catalog (admin page); nil: the catalog is
	// read-only (no PUT/POST /catalog routes).
	CatalogEditor CatalogEditor
	// ExtensionHolds enforces one logged-in agent per extension in the
	// store; nil: only the desk's own view is checked.
	ExtensionHolds tickets.ExtensionHolds
	// Surveys aggregates satisfaction scores (wallboard panel, weekly
	// report); nil: no /surveys routes and no survey figures in the report.
	Surveys tickets.SurveyStatsStore
	// Reports gives the weekly fault report its rows; nil: no
	// /reports/weekly routes.
	Reports tickets.ReportStore
	// TicketStats counts open tickets and watches their SLA for the
	// wallboard; nil: no /tickets/stats route.
	TicketStats TicketStatsStore
}

// AgentControl is what the server needs from the agent desk
// (agentdesk/acd.Agents).
// Errors should carry tickets error codes (EINVALID for an unknown state,
// ENOTFOUND for an unknown agent) so they map to the right HTTP status.
type AgentControl interface {
	// Agents returns every agent known to the desk.
	Agents(ctx context.Context) ([]AgentStatus, error)
	// SetAgentState sets an agent's presence (e.g. available, paused,
	// wrap_up, logged_out); reason explains a pause.
	SetAgentState(ctx context.Context, username, state, reason string) error
}

// AgentStatus is one agent as the desk sees it.
type AgentStatus = agentdesk.AgentStatus

// Server serves the API. Create it with New.
type Server struct {
	cfg      Config
	store    tickets.Store
	catalog  tickets.CatalogSource
	catEdit  CatalogEditor
	phones   tickets.PhonePlan
	matrix   tickets.PriorityMatrix
	now      func() time.Time
	log      *slog.Logger
	agents   AgentControl
	setExt   AgentExtensionSetter
	agSync   AgentSyncer
	ready    func(context.Context) error
	maint    MaintenanceDesk
	exts     ExtensionSource
	wall     WallboardSource
	ann      *Announcements
	queues   QueueAdmin
	holds    tickets.ExtensionHolds
	surveys  tickets.SurveyStatsStore
	reports  tickets.ReportStore
	stats    TicketStatsStore
	throttle *throttle
	routes   []route
	mux      *http.ServeMux
	origins  map[string]bool

	hashSem chan struct{} // bounds concurrent password checks
	// checkPassword is tickets.CheckPassword; tests count the guesses
	// evaluated through it.
	checkPassword func(hash, pw string) (bool, error)
	dummyOnce     sync.Once
	dummy         string // see dummyHash
}

// New checks cfg and d and builds the server with its routes.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Store == nil {
		return nil, errors.New("web: Deps.Store is required")
	}
	if d.Catalog == nil || d.Catalog.Current() == nil {
		return nil, errors.New("web: Deps.Catalog is required")
	}
	if d.Matrix == (tickets.PriorityMatrix{}) {
		d.Matrix = tickets.DefaultMatrix
	}
	if err := d.Matrix.Validate(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	for _, p := range cfg.TrustedProxies {
		if !p.IsValid() {
			return nil, errors.New("web: Config.TrustedProxies holds an invalid prefix")
		}
	}
	s := &Server{
		cfg: cfg, store: d.Store, catalog: d.Catalog, catEdit: d.CatalogEditor, phones: d.Phones, matrix: d.Matrix,
		now: d.Clock, log: d.Log, agents: d.Agents, ready: d.Ready, maint: d.Maintenance, exts: d.Extensions, queues: d.Queues,
		throttle: newThrottle(cfg.LoginWindow),
		mux:      http.NewServeMux(),
		origins:  map[string]bool{},
		hashSem:  make(chan struct{}, maxConcurrentLogins),

		checkPassword: tickets.CheckPassword,
	}
	s.ann = d.Announcements
	s.holds = d.ExtensionHolds
	s.wall = d.Wallboard
	s.surveys = d.Surveys
	s.reports = d.Reports
	s.setExt, s.agSync = d.AgentExtensions, d.AgentSync
	s.stats = d.TicketStats
	for _, o := range cfg.AllowedOrigins {
		s.origins[strings.TrimRight(o, "/")] = true
	}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	return s, nil
}

// Handler returns the server's root handler: security headers, request
// logging, panic recovery, then the routes.
func (s *Server) Handler() http.Handler {
	return s.secure(s.logged(http.HandlerFunc(s.serveMux)))
}

// serveMux dispatches to the routes, and answers what the mux would refuse
// (unknown path, wrong method) in JSON like every other error.
func (s *Server) serveMux(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &discardWriter{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if allow := rec.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	switch rec.status {
	case http.StatusMethodNotAllowed:
		writeJSONError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, "method "+r.Method+" is not allowed on "+r.URL.Path)
	case http.StatusMovedPermanently, http.StatusPermanentRedirect, http.StatusTemporaryRedirect:
		// The mux cleans paths ("//a" -> "/a") with a redirect; keep it.
		if loc := rec.header.Get("Location"); loc != "" {
			w.Header().Set("Location", loc)
		}
		w.WriteHeader(rec.status)
	default:
		writeJSONError(w, http.StatusNotFound, tickets.ENOTFOUND, "no such endpoint: "+r.Method+" "+r.URL.Path)
	}
}

// discardWriter records what the mux's fallback handlers would answer.
type discardWriter struct {
	header http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(b), nil
}
func (d *discardWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}
