package sipengine

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo/sip"
)

// RouteLibraryLogs sends the logs sipgo and diago write on their own
// package-level loggers (the transaction layer's, the RTP and RTCP
// sessions') to log, so that every line is in Atiende's format; without it
// they go to slog.Default, as plain text. The libraries keep the logger
// process-wide: call it once, at start. Some messages are demoted to debug
// (see libNoise).
//
// The libraries' loggers are set once per process, to a handler that
// forwards to the logger given last: the libraries read theirs, unguarded,
// whenever they start a client or a media session, so setting them again
// would race with another engine of the process (tests run several).
func RouteLibraryLogs(log *slog.Logger) {
	if log == nil {
		return
	}
	var h slog.Handler = libHandler{next: log.Handler()}
	libTarget.Store(&h)
	libOnce.Do(func() {
		sip.SetDefaultLogger(slog.New(libSwitch{}).With("lib", "sipgo"))
		media.SetDefaultLogger(slog.New(libSwitch{}).With("lib", "diago"))
	})
}

var (
	libOnce   sync.Once
	libTarget atomic.Pointer[slog.Handler] // where the libraries' lines go now
)

// libSwitch is the libraries' handler: it forwards to libTarget, with the
// attributes the libraries added (groups are flattened).
type libSwitch struct{ attrs []slog.Attr }

func (s libSwitch) target() slog.Handler {
	h := slog.Default().Handler()
	if p := libTarget.Load(); p != nil {
		h = *p
	}
	if len(s.attrs) > 0 {
		h = h.WithAttrs(s.attrs)
	}
	return h
}

func (s libSwitch) Enabled(ctx context.Context, l slog.Level) bool {
	return s.target().Enabled(ctx, l)
}
func (s libSwitch) Handle(ctx context.Context, r slog.Record) error { return s.target().Handle(ctx, r) }
func (s libSwitch) WithAttrs(as []slog.Attr) slog.Handler {
	return libSwitch{attrs: append(append([]slog.Attr(nil), s.attrs...), as...)}
}
func (s libSwitch) WithGroup(string) slog.Handler { return s }

// libNoise are library messages that say nothing is wrong, logged at debug:
var libNoise = map[string]bool{
	// A final response retransmitted by a peer over UDP after its
	// transaction ended (RFC 3261 §17.1.1.2): expected, and harmless.
	"TransactionLayer: Unhandled sip response. Possible retransmissions. Set UnhandledResponseHandler": true,
	// A peer repeating an RTP packet: RFC 4733 end-of-event packets are
	// sent three times, and sipp's DTMF pcaps repeat sequence numbers.
	// The reader keeps the packet; there is nothing to act on.
	"sequence duplicate": true,
	// diago v0.31.0 (media/rtp_session.go calcRTT) computes a reception
	// report's round trip as now - LSR - DLSR in uint32 units of 1/65536 s.
	// On loopback or a LAN the true round trip (~0.1 ms) is below the
	// resolution of the peer's DLSR (baresip's libre, rtp/sess.c
	// calc_dlsr, counts it in whole milliseconds of tmr_jiffies), so the
	// difference comes out a fraction of a millisecond negative; diago
	// flags it as skew and the uint32 wraps to 0xFFFF seconds:
	// "rtt=18h12m15s". libre's own RTT clamps such a value to 0. Nothing is
	// wrong with the clocks, and nothing in Atiende reads that RTT.
	"Internal RTCP clock skew detected": true,
}

// libHandler passes records to next, demoting libNoise to debug.
type libHandler struct{ next slog.Handler }

func (h libHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, slog.LevelDebug) || h.next.Enabled(ctx, l)
}

func (h libHandler) Handle(ctx context.Context, r slog.Record) error {
	if libNoise[r.Message] && r.Level > slog.LevelDebug {
		r.Level = slog.LevelDebug
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h libHandler) WithAttrs(as []slog.Attr) slog.Handler { return libHandler{h.next.WithAttrs(as)} }
func (h libHandler) WithGroup(g string) slog.Handler       { return libHandler{h.next.WithGroup(g)} }
