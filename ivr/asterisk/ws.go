package asterisk

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash/fnv"
	"net/http"
	"strings"
	"time"

	"github.com/CyCoreSystems/ari/v6"
	"github.com/gorilla/websocket"
)

// Keepalive of the event websocket: a silent dead TCP connection is found
// within wsReadTimeout.
const (
	wsPingEvery   = 20 * time.Second
	wsReadTimeout = 60 * time.Second
)

var errReplaced = errors.New("asterisk: application replaced by another connection")

// connectLoop keeps the event websocket up until ctx is done, with
// exponential backoff between attempts, capped at ReconnectMax.
// ApplicationReplaced (another Atiende took the app) backs off up to
// ReplacedMax: two instances must not take the app from each other in a
// tight loop.
func (e *Engine) connectLoop(ctx context.Context) {
	wait := e.cfg.ReconnectMin
	var warned time.Time // an outage is logged once a minute, not at every attempt
	for ctx.Err() == nil {
		start := time.Now()
		err := e.runConn(ctx)
		e.up.Store(false)
		if ctx.Err() != nil {
			return
		}
		e.downAt.CompareAndSwap(0, time.Now().UnixNano())
		if down := time.Since(time.Unix(0, e.downAt.Load())); down > e.cfg.ResumeWindow {
			e.abandonAll(ctx, "ARI unreachable for "+down.Round(time.Second).String())
		}
		limit := e.cfg.ReconnectMax
		if errors.Is(err, errReplaced) {
			limit = e.cfg.ReplacedMax
		} else if time.Since(start) > e.cfg.ReconnectMax {
			wait = e.cfg.ReconnectMin // it was up long enough: start over
			warned = time.Time{}
		} else {
			wait = min(wait, limit)
		}
		switch {
		case errors.Is(err, errReplaced):
			e.log.Error("another client took the Stasis app; backing off", "error", err, "retry_in", wait)
		case time.Since(warned) > time.Minute:
			warned = time.Now()
			e.log.Warn("ARI websocket down; reconnecting", "error", err, "retry_in", wait)
		default:
			e.log.Debug("ARI websocket still down", "error", err, "retry_in", wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, limit)
	}
}

// runConn runs one websocket connection until it fails or ctx is done.
func (e *Engine) runConn(ctx context.Context) error {
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(e.cfg.User+":"+e.cfg.Password)))
	dctx, cancel := context.WithTimeout(ctx, e.cfg.RequestTimeout)
	conn, resp, err := websocket.DefaultDialer.DialContext(dctx, e.cfg.wsURL(), h)
	cancel()
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return errors.New("websocket handshake: " + resp.Status)
		}
		return err
	}
	defer conn.Close()
	e.log.Info("ARI websocket connected")

	cctx, ccancel := context.WithCancel(ctx)
	defer ccancel()
	go func() { // unblock the reader when we stop
		<-cctx.Done()
		conn.Close()
	}()
	go e.keepalive(cctx, conn)
	go func() {
		if err := e.resync(cctx); err != nil {
			e.log.Warn("resync after connect failed; dropping the connection", "error", err)
			ccancel()
			return
		}
		if cctx.Err() == nil {
			e.downAt.Store(0)
			e.up.Store(true)
			e.log.Info("engine up")
		}
	}()
	return e.read(cctx, conn)
}

func (e *Engine) keepalive(ctx context.Context, conn *websocket.Conn) {
	t := time.NewTicker(wsPingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(e.cfg.RequestTimeout)); err != nil {
				return
			}
		}
	}
}

func (e *Engine) read(ctx context.Context, conn *websocket.Conn) error {
	var seen recentFrames
	_ = conn.SetReadDeadline(time.Now().Add(wsReadTimeout))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(wsReadTimeout)) })
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		_ = conn.SetReadDeadline(time.Now().Add(wsReadTimeout))
		if seen.repeat(data, e.isSubscribed) {
			// The same event again through the endpoint's subscription:
			// one key press on an agent's phone is one key.
			e.duplicates.Add(1)
			continue
		}
		ev, err := ari.DecodeEvent(data)
		if err != nil {
			var typed struct{ Type string }
			if json.Unmarshal(data, &typed) == nil && typed.Type != "" && strings.HasPrefix(err.Error(), "unhandled type") {
				e.log.Debug("ARI event type not used", "type", typed.Type)
				e.unused.Add(1)
				continue // newer than the library; none we act on
			}
			e.dropped.Add(1)
			e.log.Warn("undecodable ARI event", "error", err)
			continue
		}
		if _, ok := ev.(*ari.ApplicationReplaced); ok {
			// Asterisk keeps the socket open but sends nothing more.
			return errReplaced
		}
		if !e.enqueue(ctx, item{ev: ev}) {
			return ctx.Err()
		}
	}
}

// recentFrames remembers the last frames of a connection. Asterisk sends
// the events of a channel of a subscribed endpoint (an agent's phone)
// twice, byte for byte (same timestamp): once for the app's channel, once
// for the endpoint. The second copy of such a frame is dropped, once: any
// other repeat is a distinct event (callers' channels, whose endpoint, the
// trunk, is not subscribed, are never touched).
type recentFrames struct {
	hash [64]uint64
	data [64][]byte
	next int
}

// repeat reports whether frame is the second copy of a recent frame of a
// channel of an endpoint for which extEndpoint is true.
func (r *recentFrames) repeat(frame []byte, extEndpoint func(string) bool) bool {
	h := fnv.New64a()
	h.Write(frame)
	sum := h.Sum64()
	for i := range r.hash {
		if r.data[i] != nil && r.hash[i] == sum && bytes.Equal(r.data[i], frame) && ofEndpoint(frame, extEndpoint) {
			r.data[i] = nil // a third copy is an event of its own
			return true
		}
	}
	r.hash[r.next], r.data[r.next] = sum, frame
	r.next = (r.next + 1) % len(r.hash)
	return false
}

// ofEndpoint reports whether frame names a PJSIP channel of an endpoint
// for which is is true ("name":"PJSIP/1001-00000002").
func ofEndpoint(frame []byte, is func(string) bool) bool {
	const key = `"name":"PJSIP/`
	for rest := frame; ; {
		i := bytes.Index(rest, []byte(key))
		if i < 0 {
			return false
		}
		rest = rest[i+len(key):]
		end := bytes.IndexAny(rest, `-"`)
		if end > 0 && rest[end] == '-' && is(string(rest[:end])) {
			return true
		}
	}
}

// abandonAll ends every call and dial attempt: Asterisk has been gone too
// long for them to be resumed.
func (e *Engine) abandonAll(ctx context.Context, why string) {
	e.enqueue(ctx, item{fn: func() {
		e.mu.Lock()
		calls := make([]*call, 0, len(e.calls))
		for _, c := range e.calls {
			calls = append(calls, c)
		}
		dials := make([]string, 0, len(e.dials))
		for id := range e.dials {
			dials = append(dials, id)
		}
		e.mu.Unlock()
		if len(calls)+len(dials) > 0 {
			e.log.Error("abandoning calls", "reason", why, "calls", len(calls), "dials", len(dials))
		}
		for _, c := range calls {
			c.end(why)
		}
		for _, id := range dials {
			e.toDial(id, &ari.ChannelDestroyed{Cause: 19, CauseTxt: why})
		}
	}})
}
