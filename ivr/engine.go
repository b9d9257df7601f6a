// Package ivr owns the telephony port (Engine, Call, Handler, extension
// status) and the IVR flow engine. Nothing here knows SIP, diago or ARI: the
// embedded engine (ivr/sipengine) and the Asterisk engine (ivr/asterisk)
// adapt to these types.
package ivr

import (
	"context"
	"errors"
	"time"
)

// Engine is a telephony engine.
type Engine interface {
	// Name is "sip" or "asterisk".
	Name() string
	// Serve answers calls to the help-desk numbers by handing each to h, and
	// blocks until ctx is done. A call lasts exactly as long as h.HandleCall.
	Serve(ctx context.Context, h Handler) error
	// Dial rings target (an extension, or a number/URI the engine can reach)
	// and returns the answered call. It fails with ErrNoAnswer when
	// opts.Timeout passes, ErrBusy, ErrUnreachable (not registered, or no
	// response), ErrDeclined, or ctx's error. The caller must Hangup the
	// returned call.
	Dial(ctx context.Context, target string, opts DialOptions) (Call, error)
	// Extensions is the current status of every known extension.
	Extensions(ctx context.Context) ([]ExtensionStatus, error)
	// WatchExtensions delivers every extension status change until ctx is
	// done. Slow readers do not block the engine: see the engine's docs for
	// how it counts drops.
	WatchExtensions(ctx context.Context) <-chan ExtensionStatus
	// Up reports whether the engine can take calls now.
	Up() bool
}

// Handler handles one inbound call.
type Handler interface {
	HandleCall(ctx context.Context, c Call)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, c Call)

func (f HandlerFunc) HandleCall(ctx context.Context, c Call) { f(ctx, c) }

// DialOptions tune an outbound call.
type DialOptions struct {
	Timeout time.Duration // ring timeout; 0 means the engine's default (20 s)
	// CallerID and CallerName are what the called phone shows.
	CallerID   string
	CallerName string
	// OnRinging, if set, is called once when the far end starts ringing.
	OnRinging func()
}

// Party is one end of a call as the engine knows it.
type Party struct {
	Number      string // user part / caller ID number, as received
	DisplayName string // untrusted text from the network
	UserAgent   string
	Address     string // network address, for logs
}

// Prompt is one thing to play: a named sound (language-qualified, e.g.
// "es/welcome", resolved by the engine from ivr/prompts) or digits to speak.
type Prompt struct {
	Sound  string
	Digits string // spoken one by one in Lang
	Lang   string // "es" or "en"; used with Digits
}

// Call is a live call as the engine exposes it.
type Call interface {
	ID() string
	From() Party
	// To is the number dialled.
	To() string
	Answer(ctx context.Context) error
	// Play plays prompts in order and returns when they end, ctx is done
	// (barge-in: cancel ctx), or the call hangs up.
	Play(ctx context.Context, prompts ...Prompt) error
	// DTMF delivers keys pressed ('0'-'9', '*', '#', 'A'-'D') from answer
	// until hang-up, whatever the transport (RFC 4733, SIP INFO, ARI).
	DTMF() <-chan rune
	// Bridge relays media between this call and other until either hangs up
	// or ctx is done.
	Bridge(ctx context.Context, other Call) error
	// Hangup ends the call with a cause; hanging up twice is not an error.
	Hangup(ctx context.Context, cause HangupCause) error
	// Done is closed when the call has ended, by either side.
	Done() <-chan struct{}
	// InboundMedia tells whether the caller has sent any media since the
	// answer (MediaUnknown when the engine cannot tell).
	InboundMedia() MediaState
}

// HangupCause says why Atiende ended a call.
type HangupCause string

const (
	CauseNormal      HangupCause = "normal"
	CauseBusy        HangupCause = "busy"
	CauseNoAnswer    HangupCause = "no_answer"
	CauseRejected    HangupCause = "rejected" // e.g. a number that is not ours
	CauseUnavailable HangupCause = "unavailable"
)

// Errors of Dial and of calls.
var (
	ErrNoAnswer    = errors.New("ivr: no answer")
	ErrBusy        = errors.New("ivr: busy")
	ErrUnreachable = errors.New("ivr: unreachable")
	ErrDeclined    = errors.New("ivr: declined")
	ErrHungUp      = errors.New("ivr: call hung up")
	ErrEngineDown  = errors.New("ivr: engine down")
)

// ExtState is a phone extension's state.
type ExtState string

const (
	ExtRegistered   ExtState = "registered"
	ExtUnregistered ExtState = "unregistered"
	ExtUnreachable  ExtState = "unreachable" // registered but not answering OPTIONS
)

// ExtStates lists every extension state.
var ExtStates = []ExtState{ExtRegistered, ExtUnregistered, ExtUnreachable}

// ExtReasons are the reasons the engines give for an extension's state
// (ExtensionStatus.Reason). They are codes: the pages translate them.
// "restored" is a registration taken back from the database at start;
// "unknown" is Asterisk's endpoint state when it cannot tell.
var ExtReasons = []string{"registered", "unregistered", "expired", "qualify ok", "qualify timeout", "restored", "unknown"}

// RTTNews reports whether a qualify round trip time is worth announcing
// to WatchExtensions: the first one, or one that moved by more than a
// fifth (qualify measures it every interval; each small change is not
// news, and the history does not record it).
func RTTNews(prev, now time.Duration) bool {
	if prev == 0 || now == 0 {
		return prev != now
	}
	d := now - prev
	return d > prev/5 || -d > prev/5
}

// ExtensionStatus is an extension's state at a moment.
type ExtensionStatus struct {
	Extension string        `json:"extension"`
	State     ExtState      `json:"state"`
	Contact   string        `json:"contact,omitempty"`
	UserAgent string        `json:"user_agent,omitempty"`
	RTT       time.Duration `json:"-"` // written as rtt_ms (MarshalJSON)
	Since     time.Time     `json:"since"`
	Reason    string        `json:"reason,omitempty"` // "expired", "unregistered", "qualify timeout", ...
}
