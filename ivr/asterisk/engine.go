package asterisk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/atiende/atiende/ivr"
)

var _ ivr.Engine = (*Engine)(nil)

// Engine is the Asterisk engine. Serve owns the event websocket: before
// Serve and while the websocket is down, Up is false and Dial fails with
// ivr.ErrEngineDown (Asterisk itself declines calls to the app with 603).
type Engine struct {
	cfg  Config
	log  *slog.Logger
	rest *rest

	up      atomic.Bool
	dropped atomic.Uint64
	// duplicates counts events Asterisk sent twice (see recentFrames).
	duplicates atomic.Uint64
	// unused counts events decoded and not acted on (see usedEvents).
	unused    atomic.Uint64
	filterOff sync.Once
	downAt    atomic.Int64 // unix ns when the websocket went down; 0 while up
	queue     chan item    // events and state changes, applied in order by dispatch

	mu        sync.Mutex
	serving   bool
	serveCtx  context.Context
	handler   ivr.Handler
	handlers  sync.WaitGroup
	calls     map[string]*call        // by channel id, in Stasis
	dials     map[string]*dialAttempt // by channel id, originated, not answered yet
	playbacks map[string]*playback
	bridges   map[string]*bridge
	exts      map[string]ivr.ExtensionStatus
	// subscribed are the endpoints ("PJSIP/1001") the app gets events of.
	subscribed map[string]bool
	// details: extension -> the contact URI whose user agent was read.
	details map[string]string
	// awaitUA: extension -> the registration whose user agent is being
	// read (ext.go); it is announced with it, in one status.
	awaitUA  map[string]awaitUA
	watchers map[chan ivr.ExtensionStatus]struct{}
}

// item is one thing for the dispatcher: an event from Asterisk, or a
// function to run in order with the events (resync results).
type item struct {
	ev ari.Event
	fn func()
}

// New returns an engine for cfg; it connects when Serve runs.
func New(cfg Config, log *slog.Logger) (*Engine, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{
		cfg:        cfg,
		log:        log.With("engine", "asterisk", "app", cfg.App),
		rest:       newREST(cfg),
		queue:      make(chan item, cfg.EventBuffer),
		calls:      map[string]*call{},
		dials:      map[string]*dialAttempt{},
		playbacks:  map[string]*playback{},
		bridges:    map[string]*bridge{},
		exts:       map[string]ivr.ExtensionStatus{},
		subscribed: map[string]bool{},
		details:    map[string]string{},
		awaitUA:    map[string]awaitUA{},
		watchers:   map[chan ivr.ExtensionStatus]struct{}{},
	}, nil
}

// Name is "asterisk".
func (e *Engine) Name() string { return "asterisk" }

// Up reports whether the event websocket is connected and resynchronised.
func (e *Engine) Up() bool { return e.up.Load() }

// Dropped counts what the engine had to drop: DTMF keys a call's reader
// did not take in time, extension changes a slow watcher missed, events
// for a dial attempt that stopped listening, and undecodable frames.
// Events from Asterisk are never dropped: the websocket reader waits when
// the dispatcher is behind.
func (e *Engine) Dropped() uint64 { return e.dropped.Load() }

// UnusedEvents is how many events Asterisk sent that the engine does not
// act on: 0 when Asterisk applies the app's event filter.
func (e *Engine) UnusedEvents() uint64 { return e.unused.Load() }

// Serve connects to Asterisk, hands every call to the help-desk numbers to
// h, and blocks until ctx is done; then it waits for the handlers (their
// contexts are cancelled and their calls hung up).
func (e *Engine) Serve(ctx context.Context, h ivr.Handler) error {
	e.mu.Lock()
	if e.serving {
		e.mu.Unlock()
		return errors.New("asterisk: Serve called twice")
	}
	e.serving, e.serveCtx, e.handler = true, ctx, h
	e.mu.Unlock()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.dispatch(ctx)
	}()
	e.connectLoop(ctx)
	e.up.Store(false)
	wg.Wait()
	e.handlers.Wait()
	return nil
}

// enqueue hands an item to the dispatcher, waiting while it is behind.
func (e *Engine) enqueue(ctx context.Context, it item) bool {
	select {
	case e.queue <- it:
		return true
	case <-ctx.Done():
		return false
	}
}

func (e *Engine) dispatch(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case it := <-e.queue:
			if it.fn != nil {
				it.fn()
				continue
			}
			e.handle(it.ev)
		}
	}
}

// handle applies one event. It never blocks on a call's reader.
func (e *Engine) handle(ev ari.Event) {
	switch ev := ev.(type) {
	case *ari.StasisStart:
		e.stasisStart(ev)
	case *ari.StasisEnd:
		e.channelGone(ev.Channel.ID, ev, "left the app")
	case *ari.ChannelHangupRequest:
		e.channelGone(ev.Channel.ID, ev, "hang-up requested")
	case *ari.ChannelDestroyed:
		e.channelGone(ev.Channel.ID, ev, "destroyed: "+ev.CauseTxt)
	case *ari.ChannelDtmfReceived:
		if c := e.call(ev.Channel.ID); c != nil {
			c.key(ev.Digit)
		}
	case *ari.Dial:
		e.toDial(ev.Peer.ID, ev)
	case *ari.ChannelStateChange:
		e.toDial(ev.Channel.ID, ev)
	case *ari.PlaybackFinished:
		e.mu.Lock()
		p := e.playbacks[ev.Playback.ID]
		e.mu.Unlock()
		if p != nil {
			p.finish(ev.Playback.State)
		}
	case *ari.ChannelLeftBridge:
		e.bridgeLeft(ev.Bridge.ID, ev.Channel.ID)
	case *ari.BridgeDestroyed:
		e.bridgeLeft(ev.Bridge.ID, "")
	case *ari.EndpointStateChange:
		e.endpointState(ev.Endpoint)
	case *ari.ContactStatusChange:
		e.contactStatus(ev)
	default:
		e.unused.Add(1)
	}
}

func (e *Engine) call(id string) *call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[id]
}

// channelGone ends the call or the dial attempt of channel id.
func (e *Engine) channelGone(id string, ev ari.Event, why string) {
	e.toDial(id, ev)
	if c := e.call(id); c != nil {
		c.end(why)
	}
}

func (e *Engine) toDial(id string, ev ari.Event) {
	e.mu.Lock()
	d := e.dials[id]
	e.mu.Unlock()
	if d == nil {
		return
	}
	select {
	case d.events <- ev:
	default:
		e.dropped.Add(1)
		e.log.Warn("dial attempt event dropped", "channel", id, "event", ev.GetType())
	}
}

func (e *Engine) stasisStart(ev *ari.StasisStart) {
	ch := ev.Channel
	e.mu.Lock()
	_, known := e.calls[ch.ID]
	d := e.dials[ch.ID]
	h, sctx := e.handler, e.serveCtx
	e.mu.Unlock()
	switch {
	case d != nil:
		// The agent answered. The call is registered here, in event order,
		// so that its StasisEnd cannot be missed.
		c := e.newCall(ch, d.target)
		e.mu.Lock()
		delete(e.dials, ch.ID)
		e.calls[ch.ID] = c
		e.mu.Unlock()
		d.answered <- c // buffered 1; one StasisStart per attempt
		return
	case known:
		return
	case len(ev.Args) > 0 && ev.Args[0] == dialArg:
		// A leg we originated but no longer wait for (restart, or the dial
		// gave up just before the answer).
		e.hangupLater(ch.ID, "normal", "answered after its dial attempt ended")
		return
	}
	exten := ""
	if ch.Dialplan != nil {
		exten = ch.Dialplan.Exten
	}
	if h == nil || sctx.Err() != nil {
		e.hangupLater(ch.ID, "congestion", "not serving")
		return
	}
	if len(ev.Args) > 0 && ev.Args[0] == internalArg {
		e.internalStart(sctx, ch, ev.Args[1:])
		return
	}
	if !e.cfg.isHelpDeskNumber(exten) {
		e.hangupLater(ch.ID, "rejected", "not a help-desk number: "+exten)
		return
	}
	c := e.newCall(ch, exten)
	e.mu.Lock()
	e.calls[ch.ID] = c
	e.handlers.Add(1)
	e.mu.Unlock()
	c.log.Info("call in", "from", c.from.Number, "to", exten)
	go e.runHandler(sctx, h, c)
}

func (e *Engine) runHandler(sctx context.Context, h ivr.Handler, c *call) {
	defer e.handlers.Done()
	ctx, cancel := context.WithCancel(sctx)
	defer cancel()
	go func() {
		select {
		case <-c.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	h.HandleCall(ctx, c)
	// A call lasts exactly as long as its handler.
	hctx, hcancel := context.WithTimeout(context.WithoutCancel(sctx), e.cfg.RequestTimeout)
	defer hcancel()
	if err := c.Hangup(hctx, ivr.CauseNormal); err != nil {
		c.log.Warn("hang-up after handler", "error", err)
	}
}

// hangupLater hangs up a channel we do not handle, off the dispatcher.
func (e *Engine) hangupLater(id, reason, why string) {
	e.log.Info("hanging up channel", "channel", id, "reason", why)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), e.cfg.RequestTimeout)
		defer cancel()
		err := e.rest.do(ctx, "DELETE", "/channels/"+pathEsc(id), reasonQuery(reason), nil)
		if err != nil && statusOf(err) != 404 {
			e.log.Warn("hang-up failed", "channel", id, "error", err)
		}
	}()
}

func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
