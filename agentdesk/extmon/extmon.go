// Package extmon watches the phone extensions the telephony engine reports:
// it records every status change, and when an extension that has worked
// stays down (unregistered or unreachable) longer than Config.DownAfter it
// opens one ticket for network staff, then notes the recovery on it. The
// ticket is never closed here: network staff validate with the user.
//
// A short outage (flapping) opens nothing. The outage, its deadline and the
// ticket opened for it survive a restart: they are rebuilt from the Store.
// An extension never seen registered (a configured but unused one) is not
// down: it has never been up.
package extmon

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
)

// Config tunes the monitor. Zero fields take the defaults.
type Config struct {
	// DownAfter is how long an extension may stay down before a ticket is
	// opened. Default 5m.
	DownAfter time.Duration
	// Service is the catalog service of the ticket. Default
	// "extension_failure" (Telephone extension failure).
	Service string
	// Queue is the support group that works the ticket, and Level the
	// escalation level it starts at. Default: the service's in
	// Deps.Catalog (tickets.Service.NewTicketDefaults); without a catalog
	// that has the service, "telephony" and 1, extension_failure's.
	Queue string
	Level int
	// Impact and Urgency classify the ticket; default medium and high.
	Impact, Urgency tickets.Level3
	// Matrix turns impact and urgency into a priority; zero: the default.
	Matrix tickets.PriorityMatrix
	// Actor is who the ticket history says opened and noted it. Default
	// "monitor".
	Actor string
	// StartGrace delays tickets for extensions found down when the monitor
	// starts although the store last saw them registered: an engine that
	// restarted with the process (the embedded SIP engine) knows no
	// registration until each phone registers again. Set it to the longest
	// registration interval of the phones. Default 0.
	StartGrace time.Duration
	// Resync is how often the engine's list is compared with what the
	// monitor knows, to catch changes a busy watch dropped. Default 30s.
	Resync time.Duration
	// Retry is the wait before trying again to open or note a ticket after
	// an error. Default 30s.
	Retry time.Duration
	// OwnerTTL is how long an owner looked up is reused. Default 5m.
	OwnerTTL time.Duration
	// Zone is the time zone of the times written in tickets. Default UTC.
	Zone *time.Location
}

// Defaults.
const (
	DefaultDownAfter = 5 * time.Minute
	DefaultService   = "extension_failure"
	DefaultQueue     = "telephony"
	DefaultActor     = "monitor"
	DefaultResync    = 30 * time.Second
	DefaultRetry     = 30 * time.Second
	DefaultOwnerTTL  = 5 * time.Minute
)

func (c Config) withDefaults() Config {
	if c.DownAfter <= 0 {
		c.DownAfter = DefaultDownAfter
	}
	if c.Service == "" {
		c.Service = DefaultService
	}
	if c.Impact == "" {
		c.Impact = tickets.Medium
	}
	if c.Urgency == "" {
		c.Urgency = tickets.High
	}
	if c.Matrix == (tickets.PriorityMatrix{}) {
		c.Matrix = tickets.DefaultMatrix
	}
	if c.Actor == "" {
		c.Actor = DefaultActor
	}
	if c.Resync <= 0 {
		c.Resync = DefaultResync
	}
	if c.Retry <= 0 {
		c.Retry = DefaultRetry
	}
	if c.OwnerTTL <= 0 {
		c.OwnerTTL = DefaultOwnerTTL
	}
	if c.Zone == nil {
		c.Zone = time.UTC
	}
	return c
}

// Store keeps the history of statuses and the link from an extension's
// outage to its ticket. tickets/postgres implements it.
type Store interface {
	// RecordExtension appends st to the history and makes it the current
	// status.
	RecordExtension(ctx context.Context, st ivr.ExtensionStatus) error
	// ExtensionStates returns the current status of every recorded extension.
	ExtensionStates(ctx context.Context) ([]ivr.ExtensionStatus, error)
	// ExtensionHistory returns an extension's statuses, newest first.
	ExtensionHistory(ctx context.Context, ext string, limit int) ([]ivr.ExtensionStatus, error)
	// SetExtensionTicket links ext's outage to ticket number.
	SetExtensionTicket(ctx context.Context, ext, number string) error
	// ExtensionTickets maps each linked extension to its ticket number.
	ExtensionTickets(ctx context.Context) (map[string]string, error)
}

// Tickets is the part of tickets.Store the monitor uses. Pass the store
// that applies SLAs, so the ticket gets its due times.
type Tickets interface {
	CreateTicket(ctx context.Context, t *tickets.Ticket, actor string) error
	ListTickets(ctx context.Context, f tickets.Filter) ([]*tickets.Ticket, int, error)
	Ticket(ctx context.Context, number string) (*tickets.Ticket, error)
	AddNote(ctx context.Context, number string, n *tickets.Note) error
}

// OwnerFunc returns who uses ext (Name empty, or an ENOTFOUND error, when
// nobody is known). See DirectoryOwner.
type OwnerFunc func(ctx context.Context, ext string) (tickets.Caller, error)

// Deps are the monitor's collaborators.
type Deps struct {
	Engine  ivr.Engine // required
	Store   Store      // required
	Tickets Tickets    // required
	Owner   OwnerFunc  // nil: owners unknown
	// OnChange, if set, is called with every change the monitor records
	// and when a ticket is linked, from the monitor's goroutine: it must
	// not block (feed a hub or metrics).
	OnChange func(Extension)
	// OnCalls, if set, is called with an extension's internal calls each
	// time they change, from the engine's goroutine: it must not block.
	OnCalls func(ivr.ExtensionCalls)
	// Catalog gives the ticket's service its queue and level (unless
	// Config sets them); nil: extension_failure's defaults.
	Catalog tickets.CatalogSource
	Clock   func() time.Time // nil: time.Now
	Log     *slog.Logger     // nil: discard
}

// Extension is an extension as the network page shows it.
type Extension struct {
	ivr.ExtensionStatus
	Owner string `json:"owner,omitempty"`
	// Ticket is the ticket opened for the extension's last long outage,
	// while the monitor knows it; it may be resolved or closed since.
	Ticket string `json:"ticket,omitempty"`
	// DownSince is when the current outage began (nil when registered).
	DownSince *time.Time `json:"down_since,omitempty"`
	// Calls are the internal calls the extension is on: the other
	// extension of each ("" for a queue or the help-desk menu).
	Calls []string `json:"calls,omitempty"`
	// CallsSince is when the oldest of them began.
	CallsSince *time.Time `json:"calls_since,omitempty"`
}

// Down reports whether s counts as down.
func Down(s ivr.ExtState) bool { return s == ivr.ExtUnregistered || s == ivr.ExtUnreachable }

// New checks the dependencies and returns a monitor; Run starts it.
func New(cfg Config, d Deps) (*Monitor, error) {
	if d.Engine == nil || d.Store == nil || d.Tickets == nil {
		return nil, errors.New("extmon: Deps.Engine, Store and Tickets are required")
	}
	cfg = cfg.withDefaults()
	if err := cfg.Matrix.Validate(); err != nil {
		return nil, err
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Monitor{cfg: cfg, d: d, exts: map[string]*ext{}, owners: map[string]owner{},
		due: make(chan due), done: make(chan struct{})}, nil
}
