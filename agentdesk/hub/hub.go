// Package hub fans desk events out to browsers over websockets at /ws: agent
// consoles (screen-pops), supervisor wallboards and the network page.
//
// One goroutine owns the clients and delivers every message in order;
// each client has a bounded queue and its own writer, so a slow or stalled
// browser is dropped rather than slowing the others. Events are kept in a
// ring: a page that reconnects with ?since=<last seq> gets what it missed,
// or a fresh snapshot (with the calls ringing or talking now) when the gap
// is older than the ring. What each role sees is filtered here, on the
// server: see view.go.
package hub

import (
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
	"github.com/gorilla/websocket"
)

var _ agentdesk.Publisher = (*Hub)(nil)

// Hub is the websocket fan-out. Create it with New; Close stops it.
type Hub struct {
	cfg      Config
	d        Deps
	log      *slog.Logger
	upgrader websocket.Upgrader
	origins  map[string]bool

	in    chan input
	reg   chan *registration
	unreg chan *client
	kick  chan kick
	quit  chan struct{}
	done  chan struct{}
	once  sync.Once

	// Owned by the loop.
	clients map[*client]struct{}
	ring    *ring
	lastSeq uint64
	active  map[string]agentdesk.Event // agent username -> ringing/talking call
	// offered: when each (agent, call) offer was made, until its pop is
	// acknowledged or the call ends (screen-pop time).
	offered map[popKey]time.Time
	revoked map[string]time.Time // username -> when their sessions ended
	dirty   bool                 // events since the last refresh
	resync  bool                 // a gap was seen: snapshot everyone

	nclients  atomic.Int64
	stats     counters
	snapCache struct {
		s  agentdesk.Snapshot
		at time.Time
		ok bool
	}
}

type counters struct {
	published, inputDropped, delivered, slowDropped, resumes, snapshots atomic.Uint64
	lastSeq                                                             atomic.Uint64
}

// Stats are the hub's counters since New.
type Stats struct {
	Clients      int    `json:"clients"`
	Published    uint64 `json:"published"`     // events and extension changes accepted
	InputDropped uint64 `json:"input_dropped"` // lost because the hub's input was full
	Delivered    uint64 `json:"delivered"`     // messages queued to clients
	SlowDropped  uint64 `json:"slow_dropped"`  // clients dropped for not keeping up
	Resumes      uint64 `json:"resumes"`       // reconnects served from the ring
	Snapshots    uint64 `json:"snapshots"`     // snapshots sent
	LastSeq      uint64 `json:"last_seq"`      // Seq of the newest desk event the hub has taken in
}

type input struct {
	ev  *agentdesk.Event
	ext *ivr.ExtensionStatus
	act *ivr.ExtensionCalls
	pop *popAck
}

type popKey struct{ agent, callID string }

// popAck: agent's console painted the pop of callID at at.
type popAck struct {
	popKey
	at time.Time
}

type registration struct {
	c      *client
	since  uint64
	authAt time.Time // when the request was authenticated
	ok     chan bool
}

// kick closes the sockets of one user, or of everyone when all is set.
type kick struct {
	username string
	all      bool
	at       time.Time
}

// New starts a hub. It panics without Deps.Authenticate or Deps.Snapshot,
// which are wiring mistakes.
func New(cfg Config, d Deps) *Hub {
	if d.Authenticate == nil || d.Snapshot == nil {
		panic("hub: Deps.Authenticate and Deps.Snapshot are required")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	h := &Hub{
		cfg: cfg, d: d, log: d.Log,
		origins: map[string]bool{},
		in:      make(chan input, cfg.InputBuffer),
		reg:     make(chan *registration),
		unreg:   make(chan *client, 64),
		kick:    make(chan kick, 64),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
		clients: map[*client]struct{}{},
		ring:    newRing(cfg.RingSize),
		active:  map[string]agentdesk.Event{},
		revoked: map[string]time.Time{},
		offered: map[popKey]time.Time{},
	}
	for _, o := range cfg.AllowedOrigins {
		h.origins[trimOrigin(o)] = true
	}
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   1024,
		WriteBufferSize:  4096,
		WriteBufferPool:  &sync.Pool{},
		// ServeHTTP has already checked the origin against the allowlist.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	go h.loop()
	return h
}

// Publish queues an event for delivery; it never blocks (a full input is
// dropped and counted, and clients then resync from a snapshot).
func (h *Hub) Publish(e agentdesk.Event) {
	select {
	case h.in <- input{ev: &e}:
		h.stats.published.Add(1)
	default:
		h.stats.inputDropped.Add(1)
	}
}

// ExtensionChanged queues an extension status change for network staff
// and supervisors; it never blocks.
func (h *Hub) ExtensionChanged(st ivr.ExtensionStatus) {
	select {
	case h.in <- input{ext: &st}:
		h.stats.published.Add(1)
	default:
		h.stats.inputDropped.Add(1)
	}
}

// ExtensionCalls queues a change of an extension's internal calls for
// network staff and supervisors; it never blocks.
func (h *Hub) ExtensionCalls(a ivr.ExtensionCalls) {
	select {
	case h.in <- input{act: &a}:
		h.stats.published.Add(1)
	default:
		h.stats.inputDropped.Add(1)
	}
}

// CloseUser closes every websocket of username (their sessions have
// ended: logout, a password reset, disabled), with close code
// CloseSessionEnded so that pages go back to the login. A socket whose
// request was authenticated before this call and that is not registered
// yet is refused when it registers. It does not wait for the sockets to
// close.
func (h *Hub) CloseUser(username string) {
	select {
	case h.kick <- kick{username: username, at: time.Now()}:
	case <-h.done:
	}
}

// CloseAll closes every websocket with CloseSessionEnded; pages reconnect
// and authenticate again. For when revocations may have been missed.
func (h *Hub) CloseAll() {
	select {
	case h.kick <- kick{all: true, at: time.Now()}:
	case <-h.done:
	}
}

// popped queues an agent console's acknowledgement that it painted the
// pop of callID; it never blocks (a full input drops it: one observation
// fewer).
func (h *Hub) popped(agent, callID string, at time.Time) {
	select {
	case h.in <- input{pop: &popAck{popKey{agent, callID}, at}}:
	default:
	}
}

// Clients is the number of open connections.
func (h *Hub) Clients() int { return int(h.nclients.Load()) }

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	return Stats{
		Clients: h.Clients(), Published: h.stats.published.Load(), InputDropped: h.stats.inputDropped.Load(),
		Delivered: h.stats.delivered.Load(), SlowDropped: h.stats.slowDropped.Load(),
		Resumes: h.stats.resumes.Load(), Snapshots: h.stats.snapshots.Load(), LastSeq: h.stats.lastSeq.Load(),
	}
}

// Close disconnects every client and stops the hub. Publish after Close
// is harmless.
func (h *Hub) Close() error {
	h.once.Do(func() { close(h.quit) })
	<-h.done
	return nil
}
