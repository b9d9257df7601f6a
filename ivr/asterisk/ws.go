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
// exponential backoff between attempts. ApplicationReplaced (another
// Atiende took the app) backs off too: two instances must not take the app
// from each other in a tight loop.
func (e *Engine) connectLoop(ctx context.Context) {
	wait := e.cfg.ReconnectMin
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
		if time.Since(start) > e.cfg.ReconnectMax && !errors.Is(err, errReplaced) {
			wait = e.cfg.ReconnectMin // it was up long enough: start over
		}
		if errors.Is(err, errReplaced) {
			e.log.Error("another client took the Stasis app; backing off", "error", err, "retry_in", wait)
		} else {
			e.log.Warn("ARI websocket down; reconnecting", "error", err, "retry_in", wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, e.cfg.ReconnectMax)
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
		if seen.repeat(data) {
			// The same event again through another subscription of the
			// app (an endpoint's channel): one key press is one key.
			e.duplicates.Add(1)
			continue
		}
		ev, err := ari.DecodeEvent(data)
		if err != nil {
			var typed struct{ Type string }
			if json.Unmarshal(data, &typed) == nil && typed.Type != "" && strings.HasPrefix(err.Error(), "unhandled type") {
				e.log.Debug("ARI event type not used", "type", typed.Type)
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
// an event once per subscription of the app it matches: a channel in the
// app that belongs to a subscribed endpoint has each event twice, byte for
// byte (same timestamp). Distinct events differ at least in their
// timestamp or content, so an exact repeat is a duplicate.
type recentFrames struct {
	hash [64]uint64
	data [64][]byte
	next int
}

func (r *recentFrames) repeat(frame []byte) bool {
	h := fnv.New64a()
	h.Write(frame)
	sum := h.Sum64()
	for i := range r.hash {
		if r.hash[i] == sum && bytes.Equal(r.data[i], frame) {
			return true
		}
	}
	r.hash[r.next], r.data[r.next] = sum, frame
	r.next = (r.next + 1) % len(r.hash)
	return false
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
