package sipengine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// The edge is what every message meets before a handler, diago's or ours,
// sees it: a UDP datagram is screened as it is read (size, syntax, the
// headers RFC 3261 §8.1.1 makes mandatory), every handler is guarded (the
// same header check for TCP, and a recover), and what is refused is counted
// and logged short and rate-limited, so one packet can neither end the
// process nor flood the log.

// Reasons a message is refused at the edge. Their names are the keys of
// EdgeStats.BadMessages and the label values of the metric.
const (
	reasonUnparsable = iota
	reasonTooLarge
	reasonMissingVia
	reasonMissingFrom
	reasonMissingTo
	reasonMissingCallID
	reasonMissingCSeq
	reasonMissingMaxForwards
	numReasons
)

var reasonNames = [numReasons]string{"unparsable", "too_large", "missing_via", "missing_from",
	"missing_to", "missing_call_id", "missing_cseq", "missing_max_forwards"}

// mandatory are the headers every request must carry (RFC 3261 §8.1.1),
// with the reason a request lacking one is refused for.
var mandatory = [...]struct {
	name   string
	reason int
	has    func(*sip.Request) bool
}{
	{"Via", reasonMissingVia, func(r *sip.Request) bool { return r.Via() != nil }},
	{"From", reasonMissingFrom, func(r *sip.Request) bool { return r.From() != nil }},
	{"To", reasonMissingTo, func(r *sip.Request) bool { return r.To() != nil }},
	{"Call-ID", reasonMissingCallID, func(r *sip.Request) bool { return r.CallID() != nil }},
	{"CSeq", reasonMissingCSeq, func(r *sip.Request) bool { return r.CSeq() != nil }},
	{"Max-Forwards", reasonMissingMaxForwards, func(r *sip.Request) bool { return r.MaxForwards() != nil }},
}

// allowedMethods are the methods the engine answers.
const allowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER"

// Limits of the edge's logging.
const (
	edgeLogBytes   = 200 // a message or value is logged up to this many bytes
	edgeLogPerSec  = 10  // edge lines per second, then a count of those suppressed
	maxUDPDatagram = 65535
)

// EdgeStats counts what the engine's edge refused or survived.
type EdgeStats struct {
	// BadMessages counts refused messages by reason: "unparsable",
	// "too_large" (over MaxMessageSize), "missing_via", "missing_from",
	// "missing_to", "missing_call_id", "missing_cseq", "missing_max_forwards".
	BadMessages map[string]uint64
	// Panics counts panics recovered in SIP handlers.
	Panics uint64
}

// edge holds the counters and the bounded logger of the engine's edge.
type edge struct {
	bad    [numReasons]atomic.Uint64
	panics atomic.Uint64
	lim    *lineLimiter
	log    *slog.Logger // bounded: truncated values, rate-limited lines
	parser *sip.Parser  // screens UDP datagrams; accepts up to maxUDPDatagram

	// Calls refused by the per-source cap, reaped after Timer H, and
	// requests refused by the digest throttle (callcap.go, auththrottle.go).
	refused, reaped, throttled atomic.Uint64
	// rtpTimeouts counts calls hung up for RTP silence (rtptimeout.go);
	// they are in reaped too.
	rtpTimeouts atomic.Uint64
	mu          sync.Mutex
	calls       map[string]int // source host -> unauthenticated calls up
}

func newEdge(log *slog.Logger, now func() time.Time) *edge {
	ed := &edge{lim: &lineLimiter{now: now, perSec: edgeLogPerSec}, parser: sip.NewParser()}
	ed.parser.MaxMessageLength = maxUDPDatagram
	ed.log = slog.New(&boundedHandler{next: log.Handler(), lim: ed.lim, parseFailed: func(tooLarge bool) {
		if tooLarge {
			ed.bad[reasonTooLarge].Add(1)
		} else {
			ed.bad[reasonUnparsable].Add(1)
		}
	}})
	return ed
}

// EdgeStats returns the edge's counters so far.
func (e *Engine) EdgeStats() EdgeStats {
	s := EdgeStats{BadMessages: make(map[string]uint64, numReasons), Panics: e.edge.panics.Load()}
	for i, r := range reasonNames {
		s.BadMessages[r] = e.edge.bad[i].Load()
	}
	return s
}

// refused counts and logs (short, rate-limited) a message refused for
// reason; data is the message as received, if known.
func (e *Engine) refused(reason int, transport, source string, data []byte) {
	e.edge.bad[reason].Add(1)
	e.edge.log.Warn("bad SIP message refused", "reason", reasonNames[reason], "transport", transport,
		"source", source, "size", len(data), "data", data)
}

// sipStackOnce widens sipgo's package-wide UDP limits, once per process.
var sipStackOnce sync.Once

// tuneSIPStack lets UDP carry what RFC 3261 allows: datagrams up to 64 KB
// are read whole (sipgo reads 32 KB by default, cutting larger ones), and
// responses larger than 1,300 bytes are sent (sipgo refuses them by
// default, ErrUDPMTUCongestion, and the peer never hears back: a response
// has no TCP to fall back to, it goes where the request came from).
func tuneSIPStack() {
	sipStackOnce.Do(func() {
		sip.TransportBufferReadSize = maxUDPDatagram
		sip.UDPMTUSize = maxUDPDatagram + 200 // sipgo refuses len > UDPMTUSize-200
	})
}

// edgeOptions are the sipgo user-agent options of the edge: the UDP read
// filter, a parser bounded by MaxMessageSize, and bounded library logs.
func (e *Engine) edgeOptions() []sipgo.UserAgentOption {
	p := sip.NewParser()
	p.MaxMessageLength = e.cfg.MaxMessageSize
	return []sipgo.UserAgentOption{
		sipgo.WithUserAgentParser(p),
		sipgo.WithUserAgentTransportLayerOptions(
			sip.WithTransportLayerLogger(e.edge.log),
			sip.WithTransportLayerReadFilter(e.screenUDP)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(e.edge.log)),
	}
}

// screenUDP sees every datagram before sipgo parses it. It refuses, and
// answers when it can, what is too large, unparsable or lacks a mandatory
// header; what passes goes on unchanged. TCP is a stream, not messages:
// it passes here and is checked by guard.
func (e *Engine) screenUDP(info sip.TransportReadProps, data []byte) ([]byte, error) {
	if info.Transport != "UDP" {
		return data, nil
	}
	if len(data) <= 4 && strings.Trim(string(data), "\r\n") == "" {
		return data, nil // keep-alive
	}
	src := addrString(info.RemoteAddr)
	msg, err := e.edge.parser.ParseSIP(data)
	req, _ := msg.(*sip.Request)
	if len(data) > e.cfg.MaxMessageSize {
		e.refused(reasonTooLarge, "UDP", src, data)
		if err == nil && req != nil {
			e.answerUDP(req, info.RemoteAddr, sip.StatusMessageTooLarge, "Message Too Large")
		}
		return nil, nil
	}
	if err != nil {
		e.refused(reasonUnparsable, "UDP", src, data)
		return nil, nil
	}
	if req == nil {
		return data, nil // a response: the transaction layer matches it
	}
	if missing, reason := missingHeaders(req); reason >= 0 {
		e.refused(reason, "UDP", src, data)
		e.answerUDP(req, info.RemoteAddr, sip.StatusBadRequest, "Missing "+missing)
		return nil, nil
	}
	e.noteHold(req) // rtptimeout.go
	return data, nil
}

// answerUDP answers req statelessly to the address it came from, unless
// no response can be built (no Via) or none is allowed (ACK).
func (e *Engine) answerUDP(req *sip.Request, to net.Addr, code int, reason string) {
	if req.Via() == nil || req.IsAck() || e.pc == nil || to == nil {
		return
	}
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	if _, err := e.pc.WriteTo([]byte(res.String()), to); err != nil {
		e.edge.log.Warn("bad SIP message: answer failed", "code", code, "source", to.String(), "error", err)
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// missingHeaders names the mandatory headers req lacks ("From, To") and
// the reason of the first; reason is -1 if none.
func missingHeaders(req *sip.Request) (names string, reason int) {
	reason = -1
	for _, m := range mandatory {
		if m.has(req) {
			continue
		}
		if reason < 0 {
			reason, names = m.reason, m.name
		} else {
			names += ", " + m.name
		}
	}
	return names, reason
}

// guard wraps every SIP handler: a request lacking a mandatory header is
// refused before next sees it (400 naming the header; an ACK, which gets
// no response, is dropped), and a panic in next is logged, counted and
// answered 500 instead of ending the process.
func (e *Engine) guard(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		defer e.recoverHandler(req, tx)
		if missing, reason := missingHeaders(req); reason >= 0 {
			e.refused(reason, req.Transport(), req.Source(), []byte(req.StartLine()))
			if !req.IsAck() && tx != nil {
				_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Missing "+missing, nil))
			}
			return
		}
		next(req, tx)
	}
}

// recoverHandler is deferred by guard.
func (e *Engine) recoverHandler(req *sip.Request, tx sip.ServerTransaction) {
	r := recover()
	if r == nil {
		return
	}
	e.edge.panics.Add(1)
	// Logged whole (the stack is what a fix needs) but rate-limited.
	if ok, _ := e.edge.lim.allow(); ok {
		stack := debug.Stack()
		e.log.Error("SIP handler panicked", "method", req.Method.String(), "source", req.Source(),
			"panic", truncate(fmt.Sprint(r)), "stack", string(stack[:min(len(stack), 8<<10)]))
	}
	if tx != nil && !req.IsAck() {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil))
	}
}

// noRoute answers a method the engine does not handle.
func (e *Engine) noRoute(req *sip.Request, tx sip.ServerTransaction) {
	if req.IsAck() {
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowedMethods))
	_ = tx.Respond(res)
}

// dialled is the number a request is for: the user of its Request-URI,
// never its To header (RFC 3261 §16: To is the caller's label, not a route).
func dialled(req *sip.Request) string { return req.Recipient.User }

// lineLimiter lets at most perSec lines through per second and counts the
// others, to be reported once the next second opens.
type lineLimiter struct {
	now    func() time.Time
	perSec int

	mu         sync.Mutex
	second     int64
	n          int
	suppressed int
}

// allow reports whether a line may be logged now, and how many were
// suppressed in the seconds before (to be reported once).
func (l *lineLimiter) allow() (ok bool, suppressed int) {
	sec := l.now().Unix()
	l.mu.Lock()
	defer l.mu.Unlock()
	if sec != l.second {
		l.second, l.n = sec, 0
		suppressed, l.suppressed = l.suppressed, 0
	}
	if l.n >= l.perSec {
		l.suppressed++
		return false, suppressed
	}
	l.n++
	return true, suppressed
}

// reportSuppressed logs, each second and once more when ctx ends, how
// many edge lines were suppressed, so a burst is summed up even when no
// line follows it.
func (e *Engine) reportSuppressed(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		if n := e.edge.lim.flush(); n > 0 {
			e.log.Warn("SIP edge log lines suppressed", "suppressed", n)
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// flush returns, and forgets, the count of lines suppressed and not yet
// reported.
func (l *lineLimiter) flush() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.suppressed
	l.suppressed = 0
	return s
}

// boundedHandler is the slog handler of the edge and of sipgo's transport
// and transaction layers, which log what the network sent: warnings and
// errors are rate-limited, and every value is cut to edgeLogBytes.
type boundedHandler struct {
	next slog.Handler
	lim  *lineLimiter
	// parseFailed is told of sipgo's "failed to parse" (a TCP stream that
	// is not SIP, or a message over MaxMessageSize): the only sign sipgo
	// gives of a message it dropped before any handler.
	parseFailed func(tooLarge bool)
}

func (h *boundedHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *boundedHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "failed to parse" && h.parseFailed != nil {
		tooLarge := false
		r.Attrs(func(a slog.Attr) bool {
			if err, ok := a.Value.Any().(error); ok && errors.Is(err, sip.ErrMessageTooLarge) {
				tooLarge = true
			}
			return true
		})
		h.parseFailed(tooLarge)
	}
	if r.Level >= slog.LevelWarn {
		ok, suppressed := h.lim.allow()
		if suppressed > 0 {
			s := slog.NewRecord(r.Time, slog.LevelWarn, "SIP edge log lines suppressed", r.PC)
			s.AddAttrs(slog.Int("suppressed", suppressed))
			_ = h.next.Handle(ctx, s)
		}
		if !ok {
			return nil
		}
	}
	out := slog.NewRecord(r.Time, r.Level, truncate(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(shorten(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *boundedHandler) WithAttrs(as []slog.Attr) slog.Handler {
	short := make([]slog.Attr, len(as))
	for i, a := range as {
		short[i] = shorten(a)
	}
	return &boundedHandler{next: h.next.WithAttrs(short), lim: h.lim, parseFailed: h.parseFailed}
}

func (h *boundedHandler) WithGroup(name string) slog.Handler {
	return &boundedHandler{next: h.next.WithGroup(name), lim: h.lim, parseFailed: h.parseFailed}
}

// shorten cuts a's value to edgeLogBytes when printed.
func shorten(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, truncate(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, x := range g {
			out[i] = shorten(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case []byte:
			return slog.String(a.Key, truncate(string(x)))
		case error:
			return slog.String(a.Key, truncate(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, truncate(x.String()))
		}
		return slog.String(a.Key, truncate(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// truncate keeps the first edgeLogBytes of s, as valid UTF-8, and says how
// much it left out.
func truncate(s string) string {
	if len(s) <= edgeLogBytes {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ToValidUTF8(s[:edgeLogBytes], "\uFFFD") + fmt.Sprintf("…(%d bytes)", len(s))
}
