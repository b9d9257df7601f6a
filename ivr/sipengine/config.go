package sipengine

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"regexp"
	"time"

	"github.com/atiende/atiende/ivr"
)

// Config configures the embedded SIP engine.
type Config struct {
	// Addr is where SIP listens on UDP and TCP, e.g. "127.0.0.1:5060". Port 0
	// picks a free port (the same one for UDP and TCP); see Engine.Addr.
	Addr string
	// ExternalHost, if set, is the host put in Contact and SDP instead of
	// the listen IP (behind NAT). Empty means the listen IP.
	ExternalHost string
	// HelpDeskNumbers are the numbers answered by the IVR handler.
	HelpDeskNumbers []string
	// Extensions maps an extension number to its SIP password.
	Extensions map[string]string
	// Realm is the digest realm.
	Realm string
	// RTPPortMin and RTPPortMax bound the RTP ports (RTCP uses port+1).
	// Zero for both lets the OS choose. Note: diago keeps the range
	// process-wide, so engines in one process share the last range set.
	RTPPortMin, RTPPortMax int
	// RegisterMinExpiry and RegisterMaxExpiry bound a registration's life.
	RegisterMinExpiry, RegisterMaxExpiry time.Duration
	// QualifyInterval is how often registered contacts get an OPTIONS;
	// QualifyTimeout is how long one may take before the contact is
	// unreachable. QualifyInterval 0 disables qualify.
	QualifyInterval, QualifyTimeout time.Duration
	// RateLimit bounds REGISTER and OPTIONS per source address.
	RateLimit RateLimit
	// NonceTTL is how long a digest challenge may be answered.
	NonceTTL time.Duration
	// RingTimeout is Dial's default ring timeout.
	RingTimeout time.Duration
	// AckTimeout is Timer H (RFC 3261, 64*T1 = 32 s): a call answered with
	// 200 OK and not ACKed within it is torn down and gives back its media.
	AckTimeout time.Duration
	// RTPTimeout hangs up a call whose peer sent no RTP for that long after
	// the answer: a phone gone without a BYE (rtptimeout.go). Silence is
	// noticed within 1.25 times it and the BYE waits at most 2 s, so the
	// default of 20 s frees such a call within 30 s. 0 disables.
	RTPTimeout time.Duration
	// RTPTimeoutHold replaces RTPTimeout while the peer holds the call
	// (a re-INVITE with a=inactive, sendonly or recvonly, over UDP): a
	// phone on hold may stop sending. 0: no limit on hold.
	RTPTimeoutHold time.Duration
	// MaxCallsPerSource bounds the unauthenticated calls (to help-desk
	// numbers) one source address may have at once; more are refused with
	// 486 Busy Here, so that one source cannot take every RTP port.
	MaxCallsPerSource int
	// CongestionRetryAfter is the Retry-After of the 503 that refuses a
	// call when the help desk is at capacity (ivr.CauseCongestion); 0
	// means 10 s.
	CongestionRetryAfter time.Duration
	// AuthFailures is the digest throttle: wrong answers allowed per
	// (account, source) and per source within AuthWindow, whatever the
	// method; then the source (or pair) is refused for AuthBan without
	// the password being checked.
	AuthFailures int
	AuthWindow   time.Duration
	AuthBan      time.Duration
	// StopTimeout bounds the end of Serve once its ctx is done: calls still
	// up are hung up, then ended without waiting for the far end.
	StopTimeout time.Duration
	// MaxMessageSize is the largest SIP message taken, in bytes: a larger
	// UDP datagram is answered 513 Message Too Large, a larger message on
	// TCP closes the connection. At most 65535, the largest datagram.
	MaxMessageSize int
	// Prompts holds "{lang}/{name}.wav" files: 8 kHz mono 16-bit WAV. Nil
	// makes Play fail with ErrPromptNotFound.
	Prompts fs.FS
	// Internal handles the calls of one extension to another (To is the
	// dialled extension): usually an *ivr.ExtRouter with its rules. Nil
	// rings the extension and bridges, with no rule (busy or unavailable
	// to the caller otherwise).
	Internal ivr.Handler
	// Registrations, if set, keeps registrations across restarts (see
	// RegistrationStore); nil keeps them in memory only.
	Registrations RegistrationStore
}

// RateLimit is a token bucket per source address: Rate requests per second
// with Burst, after which the address is ignored for Ban.
type RateLimit struct {
	Rate  float64
	Burst int
	Ban   time.Duration
}

// DefaultConfig returns a working configuration with no extensions.
func DefaultConfig() Config {
	return Config{
		Addr:              "127.0.0.1:5060",
		HelpDeskNumbers:   []string{"6000", "*626"},
		Extensions:        map[string]string{},
		Realm:             "atiende",
		RTPPortMin:        10000,
		RTPPortMax:        20000,
		RegisterMinExpiry: 60 * time.Second,
		RegisterMaxExpiry: time.Hour,
		QualifyInterval:   30 * time.Second,
		QualifyTimeout:    5 * time.Second,
		RateLimit:         RateLimit{Rate: 20, Burst: 40, Ban: 30 * time.Second},
		NonceTTL:          30 * time.Second,
		RingTimeout:       20 * time.Second,
		AckTimeout:        64 * 500 * time.Millisecond,
		MaxCallsPerSource: 10,
		RTPTimeout:        20 * time.Second,
		RTPTimeoutHold:    60 * time.Second,
		AuthFailures:      5,
		AuthWindow:        30 * time.Second,
		AuthBan:           5 * time.Minute,
		StopTimeout:       10 * time.Second,
		MaxMessageSize:    maxUDPDatagram,
	}
}

// minMessageSize is the smallest MaxMessageSize: RFC 3261 §18.1.1 expects
// messages up to 1,300 bytes over UDP, and an INVITE with SDP is near that.
const minMessageSize = 1300

var numberRE = regexp.MustCompile(`^[0-9*#+]{1,32}$`)

// Validate reports every problem in c.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr %q: %w", c.Addr, err)
	}
	if len(c.HelpDeskNumbers) == 0 {
		bad("no help-desk numbers")
	}
	for _, n := range c.HelpDeskNumbers {
		if !numberRE.MatchString(n) {
			bad("help-desk number %q: want digits, * or #", n)
		}
		if _, ok := c.Extensions[n]; ok {
			bad("help-desk number %q is also an extension", n)
		}
	}
	for ext, pw := range c.Extensions {
		if !numberRE.MatchString(ext) {
			bad("extension %q: want digits, * or #", ext)
		}
		if pw == "" {
			bad("extension %q: empty password", ext)
		}
	}
	if c.Realm == "" {
		bad("empty realm")
	}
	if c.RTPPortMin < 0 || c.RTPPortMax > 65535 || c.RTPPortMin > c.RTPPortMax ||
		(c.RTPPortMin > 0 && c.RTPPortMax-c.RTPPortMin < 4) {
		bad("rtp ports %d-%d: want 0-0 or a range of at least 4 ports", c.RTPPortMin, c.RTPPortMax)
	}
	if c.RegisterMinExpiry <= 0 || c.RegisterMaxExpiry < c.RegisterMinExpiry {
		bad("register expiry %v-%v: want 0 < min <= max", c.RegisterMinExpiry, c.RegisterMaxExpiry)
	}
	if c.QualifyInterval < 0 || (c.QualifyInterval > 0 && c.QualifyTimeout <= 0) {
		bad("qualify interval %v timeout %v", c.QualifyInterval, c.QualifyTimeout)
	}
	if c.RateLimit.Rate <= 0 || c.RateLimit.Burst <= 0 || c.RateLimit.Ban < 0 {
		bad("rate limit %+v: want rate > 0 and burst > 0", c.RateLimit)
	}
	if c.NonceTTL <= 0 {
		bad("nonce ttl %v", c.NonceTTL)
	}
	if c.RingTimeout <= 0 {
		bad("ring timeout %v", c.RingTimeout)
	}
	if c.AckTimeout <= 0 {
		bad("ack timeout %v", c.AckTimeout)
	}
	if c.RTPTimeout < 0 || c.RTPTimeoutHold < 0 {
		bad("rtp timeout %v (on hold %v): want 0 (off) or more", c.RTPTimeout, c.RTPTimeoutHold)
	}
	if c.MaxCallsPerSource <= 0 {
		bad("max calls per source %d: want > 0", c.MaxCallsPerSource)
	}
	if c.AuthFailures <= 0 || c.AuthWindow <= 0 || c.AuthBan < 0 {
		bad("auth throttle %d per %v, ban %v: want failures > 0 and window > 0", c.AuthFailures, c.AuthWindow, c.AuthBan)
	}
	if c.StopTimeout <= 0 {
		bad("stop timeout %v", c.StopTimeout)
	}
	if c.MaxMessageSize < minMessageSize || c.MaxMessageSize > maxUDPDatagram {
		bad("max message size %d: want %d to %d bytes", c.MaxMessageSize, minMessageSize, maxUDPDatagram)
	}
	if len(errs) > 0 {
		return fmt.Errorf("sipengine: config: %w", errors.Join(errs...))
	}
	return nil
}

func (c Config) isHelpDesk(number string) bool {
	for _, n := range c.HelpDeskNumbers {
		if n == number {
			return true
		}
	}
	return false
}
