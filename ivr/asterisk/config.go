// Package asterisk is the Asterisk engine: it implements ivr.Engine over ARI
// (the Asterisk REST Interface). Calls to the help-desk numbers reach the
// app through the dialplan (Stasis(atiende)); agents are rung by originating
// PJSIP/<extension> into the same app; caller and agent meet in a mixing
// bridge. Models and events are github.com/CyCoreSystems/ari/v6 types; the
// REST calls and the event websocket are this package's own, because every
// call needs a context and a timeout and the engine has to know exactly when
// the websocket drops and comes back (see ws.go).
package asterisk

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/atiende/atiende/ivr"
)

// Config tells the engine how to reach Asterisk.
type Config struct {
	// URL is ARI's base URL, e.g. http://127.0.0.1:8088/ari; /ari is
	// added when missing.
	URL      string
	User     string
	Password string
	// App is the Stasis application name the dialplan sends calls to.
	App string
	// RequestTimeout bounds every ARI request.
	RequestTimeout time.Duration
	// MaxConns is the most REST connections open to Asterisk at once; they
	// are kept alive and reused, and a request waits for a free one. Keep
	// it below http.conf's sessionlimit (Asterisk refuses sessions beyond
	// it), less one for the events websocket.
	MaxConns int
	// RingTimeout is the default ring time of Dial.
	RingTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the websocket reconnect backoff.
	// While the websocket is down Asterisk declines the help desk's calls
	// (603), so the cap is short: calls are taken again within about
	// ReconnectMax of Asterisk coming back, whatever the outage's length.
	// An attempt to a stopped Asterisk is one refused TCP connection.
	ReconnectMin, ReconnectMax time.Duration
	// ReplacedMax caps the backoff after another client took the Stasis
	// app (ApplicationReplaced): two instances must not fight over it.
	ReplacedMax time.Duration
	// EventBuffer is how many decoded events may wait for the dispatcher.
	// The websocket reader blocks (never drops) when it is full.
	EventBuffer int
	// HelpDeskNumbers are the numbers answered; a call to another number
	// that reaches the app is rejected. Empty means every call.
	HelpDeskNumbers []string
	// Trunks are PJSIP endpoints that are not agent extensions; they are
	// left out of Extensions.
	Trunks []string
	// PlayGuard is added to the expected length of every playback: a
	// playback that has not finished by then is stopped (an unknown media
	// scheme never finishes on Asterisk 22).
	PlayGuard time.Duration
	// Prompts are the recordings uploaded on the admin page over the
	// product's prompts (nil: the product's only). They play when SoundsDir
	// is set: Asterisk's sounds folder (astdatadir/sounds, e.g.
	// /var/lib/asterisk/sounds), on this host, where the engine writes them
	// (into atiende-custom/) for Asterisk to read.
	Prompts   *ivr.PromptOverlay
	SoundsDir string
	// MOHClass is the music-on-hold class for "<lang>/moh".
	MOHClass string
	// ResumeWindow is how long calls survive without the websocket: after
	// it, every call and dial attempt is ended (Done closed) so nothing
	// waits forever on an Asterisk that does not come back. Channels that
	// outlive it are hung up at the next resync.
	ResumeWindow time.Duration
	// Internal handles the calls of one extension to another, which the
	// dialplan sends as Stasis(<app>,internal,<exten>,<endpoint>):
	// usually an *ivr.ExtRouter with its rules. Nil rings the extension and
	// bridges, with no rule.
	Internal ivr.Handler
}

// Defaults.
const (
	DefaultApp            = "atiende"
	DefaultRequestTimeout = 5 * time.Second
	DefaultMaxConns       = 50 // half of Asterisk's default sessionlimit (100)
	DefaultRingTimeout    = 20 * time.Second
	DefaultReconnectMin   = 500 * time.Millisecond
	DefaultReconnectMax   = time.Second
	DefaultReplacedMax    = 30 * time.Second
	DefaultEventBuffer    = 1024
	DefaultPlayGuard      = 10 * time.Second
	DefaultResumeWindow   = 2 * time.Minute
)

func (c Config) withDefaults() Config {
	c.URL = normalizeURL(c.URL)
	if c.App == "" {
		c.App = DefaultApp
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.RingTimeout <= 0 {
		c.RingTimeout = DefaultRingTimeout
	}
	if c.ReconnectMin <= 0 {
		c.ReconnectMin = DefaultReconnectMin
	}
	if c.ReconnectMax <= 0 {
		c.ReconnectMax = DefaultReconnectMax
	}
	if c.ReconnectMax < c.ReconnectMin {
		c.ReconnectMax = c.ReconnectMin
	}
	if c.ReplacedMax <= 0 {
		c.ReplacedMax = DefaultReplacedMax
	}
	if c.ReplacedMax < c.ReconnectMax {
		c.ReplacedMax = c.ReconnectMax
	}
	if c.EventBuffer <= 0 {
		c.EventBuffer = DefaultEventBuffer
	}
	if c.PlayGuard <= 0 {
		c.PlayGuard = DefaultPlayGuard
	}
	if c.ResumeWindow <= 0 {
		c.ResumeWindow = DefaultResumeWindow
	}
	if c.MOHClass == "" {
		c.MOHClass = "default"
	}
	if c.Trunks == nil {
		c.Trunks = []string{"trunk"}
	}
	return c
}

// Check reports what is wrong with c.
func (c Config) Check() error {
	var errs []error
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		errs = append(errs, errors.New("url is empty"))
	case err != nil:
		errs = append(errs, fmt.Errorf("url: %w", err))
	case u.Scheme != "http" && u.Scheme != "https":
		errs = append(errs, fmt.Errorf("url %q: scheme must be http or https", c.URL))
	}
	if c.User == "" {
		errs = append(errs, errors.New("user is empty"))
	}
	if c.Password == "" {
		errs = append(errs, errors.New("password is empty"))
	}
	if err := checkSoundsDir(c.SoundsDir); err != nil {
		errs = append(errs, err)
	}
	if strings.ContainsAny(c.App, ",/ ") {
		errs = append(errs, fmt.Errorf("app %q: no commas, slashes or spaces", c.App))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("asterisk: config: %w", err)
	}
	return nil
}

// wsURL is the events websocket of the app.
func (c Config) wsURL() string {
	u, _ := url.Parse(strings.TrimRight(c.URL, "/"))
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	u.Path += "/events"
	u.RawQuery = url.Values{"app": {c.App}}.Encode()
	return u.String()
}

func (c Config) isHelpDeskNumber(exten string) bool {
	return len(c.HelpDeskNumbers) == 0 || slices.Contains(c.HelpDeskNumbers, exten)
}
