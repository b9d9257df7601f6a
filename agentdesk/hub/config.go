package hub

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// Config tunes the hub. Zero fields take the defaults below.
type Config struct {
	// AllowedOrigins lists extra origins (scheme://host[:port]) allowed to
	// open the websocket, besides the request's own host.
	AllowedOrigins []string
	// SendBuffer is how many messages may wait for one client; a client
	// that lets it fill is dropped (it reconnects and resumes). Default 256.
	SendBuffer int
	// InputBuffer is how many published events and extension changes may
	// wait for the hub's loop; beyond, Publish drops and counts. Default 8192.
	InputBuffer int
	// RingSize is how many events are kept for resuming clients. Default 4096.
	RingSize int
	// PingInterval between pings; PongWait is how long a client may stay
	// silent (no pong, no message) before it is dropped. Defaults 25s, 60s.
	PingInterval time.Duration
	PongWait     time.Duration
	// WriteTimeout bounds one write to a client. Default 10s.
	WriteTimeout time.Duration
	// MaxClients refuses upgrades beyond this many connections (503).
	// Default 10000.
	MaxClients int
	// RefreshInterval: while events keep coming, supervisors get a fresh
	// snapshot at most this often so their counters (service level, ASA)
	// are the ACD's own. Default 2s; negative turns it off.
	RefreshInterval time.Duration
}

// Defaults.
const (
	DefaultSendBuffer      = 256
	DefaultInputBuffer     = 8192
	DefaultRingSize        = 4096
	DefaultPingInterval    = 25 * time.Second
	DefaultPongWait        = 60 * time.Second
	DefaultWriteTimeout    = 10 * time.Second
	DefaultMaxClients      = 10000
	DefaultRefreshInterval = 2 * time.Second
	maxClientMessage       = 4096
	extensionsTimeout      = 5 * time.Second
)

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.SendBuffer, DefaultSendBuffer)
	def(&c.InputBuffer, DefaultInputBuffer)
	def(&c.RingSize, DefaultRingSize)
	def(&c.MaxClients, DefaultMaxClients)
	defd(&c.PingInterval, DefaultPingInterval)
	defd(&c.PongWait, DefaultPongWait)
	defd(&c.WriteTimeout, DefaultWriteTimeout)
	defd(&c.RefreshInterval, DefaultRefreshInterval)
	if c.PongWait <= c.PingInterval {
		c.PongWait = 2 * c.PingInterval
	}
	return c
}

// Principal is who opened a connection, as the web server's session says.
// Role is a tickets.Role value: "agent", "technician", "supervisor",
// "network" or "admin".
type Principal struct {
	Username  string `json:"username"`
	Role      string `json:"role"`
	Extension string `json:"extension,omitempty"`
	Lang      string `json:"lang,omitempty"`
}

// Deps are the hub's collaborators.
type Deps struct {
	// Authenticate returns the principal behind the request's session
	// cookie or token; an error answers 401. Required.
	Authenticate func(r *http.Request) (Principal, error)
	// Snapshot returns the desk now (the ACD's Snapshot). Required.
	Snapshot func() agentdesk.Snapshot
	// Extensions lists every extension's status for network staff and
	// supervisors when they connect. Nil: they get only changes.
	Extensions func(ctx context.Context) ([]ivr.ExtensionStatus, error)
	Log        *slog.Logger // nil: discard
	// ScreenPop, if set, is given the time from a call's offer to an agent
	// (the call_offered event's At) to that agent's console saying it
	// painted the pop (a "popped" message), once per offer. It is called
	// from the hub's loop and must not block.
	ScreenPop func(time.Duration)
	// ClientsChanged, if set, is given the number of open connections
	// each time it changes, from the hub's loop; it must not block.
	ClientsChanged func(n int)
}
