// Package sipengine is Atiende's embedded telephony engine on sipgo and
// diago: a registrar for extensions, the help-desk numbers answered by an
// ivr.Handler, extension-to-extension routing, and media (PCMU/PCMA, RFC 4733
// and SIP INFO DTMF, WAV prompts, bridging).
package sipengine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
)

var _ ivr.Engine = (*Engine)(nil)

// Engine is the embedded SIP engine. Create it with New and run Serve.
type Engine struct {
	cfg  Config
	log  *slog.Logger
	now  func() time.Time
	reg  *registrar
	auth *digestServer
	lim  *limiter
	edge *edge

	ready   chan struct{}
	started atomic.Bool
	up      atomic.Bool
	addr    *net.UDPAddr
	pc      net.PacketConn // the UDP socket, for the edge's stateless answers

	// Set once before ready is closed.
	ua     *sipgo.UserAgent
	dg     *diago.Diago
	client *sipgo.Client
	srv    *sipgo.Server

	prompts  *promptCache // Config.Prompts encoded per codec (prompt_cache.go)
	calls    sync.Map     // SIP Call-ID -> *call, for INFO DTMF
	wg       sync.WaitGroup
	handlers atomic.Int64 // INVITE handlers running
}

// New checks cfg and returns an engine that is not yet listening.
func New(cfg Config, log *slog.Logger) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("engine", "sip")
	now := time.Now
	e := &Engine{
		cfg:   cfg,
		log:   log,
		now:   now,
		reg:   newRegistrar(cfg.Extensions, log, now),
		auth:  newDigestServer(cfg.Realm, cfg.NonceTTL, now, newAuthThrottle(cfg.AuthFailures, cfg.AuthWindow, cfg.AuthBan, now)),
		lim:   newLimiter(cfg.RateLimit, now),
		edge:  newEdge(log, now),
		ready: make(chan struct{}),
	}
	if cfg.Registrations != nil {
		e.reg.persist = newPersister(cfg.Registrations, log) // registrations.go
	}
	e.prompts = newPromptCache(cfg.Prompts)
	return e, nil
}

// Name is "sip".
func (e *Engine) Name() string { return "sip" }

// Up reports whether Serve is listening.
func (e *Engine) Up() bool { return e.up.Load() }

// Ready is closed once Serve listens; then Addr is valid.
func (e *Engine) Ready() <-chan struct{} { return e.ready }

// Addr is the bound UDP address (TCP uses the same port); nil before Ready.
func (e *Engine) Addr() *net.UDPAddr {
	select {
	case <-e.ready:
		return e.addr
	default:
		return nil
	}
}

// Dropped counts extension status changes not delivered to a slow watcher.
func (e *Engine) Dropped() uint64 { return e.reg.dropped.Load() }

// Extensions lists every configured extension, registered or not.
func (e *Engine) Extensions(ctx context.Context) ([]ivr.ExtensionStatus, error) {
	return e.reg.list(), nil
}

// WatchExtensions delivers status changes until ctx is done. A watcher
// that does not keep up loses changes (counted by Dropped); the channel has
// room for 64.
func (e *Engine) WatchExtensions(ctx context.Context) <-chan ivr.ExtensionStatus {
	return e.reg.watch(ctx)
}

// Serve listens on cfg.Addr (UDP and TCP), hands help-desk calls to h and
// blocks until ctx is done; then it hangs up the calls left and returns.
// An engine serves once.
func (e *Engine) Serve(ctx context.Context, h ivr.Handler) error {
	if !e.started.CompareAndSwap(false, true) {
		return errors.New("sipengine: Serve called twice")
	}
	pc, ln, err := listen(e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("sipengine: listen %s: %w", e.cfg.Addr, err)
	}
	e.addr, e.pc = pc.LocalAddr().(*net.UDPAddr), pc
	if err := e.setup(ctx, h); err != nil {
		pc.Close()
		ln.Close()
		return err
	}
	t0 := time.Now()
	if n, err := e.prompts.warm(); err != nil {
		e.log.Warn("prompts not encoded ahead", "error", err)
	} else if n > 0 {
		e.log.Info("prompts encoded", "files", n, "codecs", "PCMU,PCMA", "took", time.Since(t0).Round(time.Millisecond))
	}
	srv := e.srv
	errc := make(chan error, 2)
	go func() { errc <- srv.ServeUDP(pc) }()
	go func() { errc <- srv.ServeTCP(ln) }()
	e.wg.Go(func() { e.registrarLoop(ctx) })
	e.wg.Go(func() { e.reportSuppressed(ctx) })
	e.up.Store(true)
	close(e.ready)
	e.log.Info("sip engine listening", "addr", e.addr.String(), "help_desk", e.cfg.HelpDeskNumbers, "extensions", len(e.cfg.Extensions))

	select {
	case <-ctx.Done():
		err = nil
	case err = <-errc:
		err = fmt.Errorf("sipengine: serve: %w", err)
	}
	e.up.Store(false)
	e.stop(pc, ln) // edge.go: bounded by StopTimeout
	e.client.Close()
	e.ua.Close()
	e.log.Info("sip engine stopped")
	return err
}

// setup builds the SIP stack on the bound address.
func (e *Engine) setup(ctx context.Context, h ivr.Handler) error {
	host := e.addr.IP.String()
	ext := e.cfg.ExternalHost
	tuneSIPStack()
	ua, err := sipgo.NewUA(append(e.edgeOptions(),
		sipgo.WithUserAgent("atiende"), sipgo.WithUserAgentHostname(host))...)
	if err != nil {
		return fmt.Errorf("sipengine: user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(e.log))
	if err != nil {
		return fmt.Errorf("sipengine: server: %w", err)
	}
	setRTPRange(e.cfg.RTPPortMin, e.cfg.RTPPortMax, e.addr.IP)
	opts := []diago.DiagoOption{
		diago.WithServer(srv),
		diago.WithLogger(e.log),
		diago.WithServerRequestMiddleware(e.guard), // before diago's handlers
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{
			media.CodecAudioUlaw, media.CodecAudioAlaw, media.CodecTelephoneEvent8000,
		}}),
	}
	for _, network := range []string{"udp", "tcp"} {
		opts = append(opts, diago.WithTransport(diago.Transport{
			Transport: network, BindHost: host, BindPort: e.addr.Port,
			ExternalHost: ext, ExternalPort: e.addr.Port,
		}))
	}
	dg := diago.NewDiago(ua, opts...)
	client, err := sipgo.NewClient(ua,
		sipgo.WithClientConnectionAddr(e.addr.String()),
		sipgo.WithClientHostname(cmp.Or(ext, host)),
		sipgo.WithClientPort(e.addr.Port),
		sipgo.WithClientLogger(e.log))
	if err != nil {
		return fmt.Errorf("sipengine: client: %w", err)
	}
	// diago installed its handlers; ours replace REGISTER, OPTIONS and INFO.
	// Every handler is guarded (edge.go).
	srv.OnRegister(e.guard(e.handleRegister))
	srv.OnOptions(e.guard(e.handleOptions))
	srv.OnInfo(e.guard(e.handleInfo))
	srv.OnNoRoute(e.guard(e.noRoute))
	dg.HandleFunc(func(d *diago.DialogServerSession) { e.handleInvite(ctx, h, d) })
	e.ua, e.srv, e.dg, e.client = ua, srv, dg, client
	return nil
}

// listen binds UDP and TCP on the same port; port 0 picks one free for both.
func listen(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	for try := 0; ; try++ {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, err
		}
		p := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		if port != "0" || try >= 20 {
			return nil, nil, err
		}
	}
}

// hangupAll ends the calls still up at shutdown.
func (e *Engine) hangupAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	e.calls.Range(func(_, v any) bool {
		c := v.(*call)
		wg.Go(func() { _ = c.Hangup(ctx, ivr.CauseUnavailable) })
		return true
	})
	wg.Wait()
}

// waitHandlers waits, at most d, for running call handlers to return.
func (e *Engine) waitHandlers(d time.Duration) {
	deadline := time.Now().Add(d)
	for e.handlers.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := e.handlers.Load(); n > 0 {
		e.log.Warn("handlers still running at shutdown", "count", n)
	}
}

// rtpRangeMu serialises setRTPRange.
var rtpRangeMu sync.Mutex

// setRTPRange sets diago's RTP port range, which diago keeps in package
// variables and reads, unguarded, whenever a call's media starts. They are
// written only when they change: engines in one process with the same
// range (tests start several Atiendes, on one range) then never write
// while another engine's call reads them. Engines with different ranges in
// one process still race, and one process runs one engine in production.
//
// diago (v0.31.0, media.createListeners) also keeps an offset into the
// range where it looks for the next call's ports, and does not check it
// against a new range: after a wider range, the offset can lie past the
// end of a narrower one. Its port loop then does not run at all and
// reports success with no RTP or RTCP socket: the call is answered with
// m=audio 0, and the nil connection crashes the whole process in diago's
// RTCP reader (media/rtp_session.go:491, MonitorBackground) or in our
// media reader. A media session opened here, once, when the range changes
// brings the offset back: a stale one yields no socket and is reset to
// within the range (diago stores (offset+2) mod the range's size); a valid
// one yields two ports, closed at once.
func setRTPRange(lo, hi int, ip net.IP) {
	rtpRangeMu.Lock()
	defer rtpRangeMu.Unlock()
	if media.RTPPortStart == lo && media.RTPPortEnd == hi {
		return
	}
	media.RTPPortStart, media.RTPPortEnd = lo, hi
	if lo <= 0 || hi <= lo {
		return // no range: diago takes ports from the system
	}
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	for range 2 {
		s, err := media.NewMediaSession(ip, 0)
		if err != nil {
			return // the port loop ran: the offset was within the range
		}
		port := s.Laddr.Port
		_ = s.Close()
		if port != 0 {
			return
		}
	}
}
