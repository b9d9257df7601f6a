package asterisk

import (
	"context"
	"fmt"
	"time"

	"github.com/CyCoreSystems/ari/v6"
)

// resyncGrace is how long a channel found in the app, but unknown, may wait
// for its StasisStart (queued behind the resync) before it is hung up.
const resyncGrace = time.Second

// resync runs after every (re)connect: it subscribes to the extensions'
// endpoint events, refreshes extension status and reconciles the calls
// with the channels still in the app. Asterisk replays nothing that
// happened meanwhile.
func (e *Engine) resync(ctx context.Context) error {
	if err := e.setEventFilter(ctx); err != nil {
		return err
	}
	var app ari.ApplicationData
	if err := e.rest.do(ctx, "GET", "/applications/"+pathEsc(e.cfg.App), nil, &app); err != nil {
		return fmt.Errorf("get app: %w", err)
	}
	if err := e.resetSubscriptions(ctx, app.EndpointIDs); err != nil {
		return err
	}
	if _, err := e.Extensions(ctx); err != nil { // subscribes to each extension
		return err
	}
	// The app's channels after the extensions: a call that came in
	// meanwhile is either in this list or its StasisStart is queued.
	if err := e.rest.do(ctx, "GET", "/applications/"+pathEsc(e.cfg.App), nil, &app); err != nil {
		return fmt.Errorf("list app channels: %w", err)
	}
	var chans []ari.ChannelData
	if err := e.rest.do(ctx, "GET", "/channels", nil, &chans); err != nil {
		return fmt.Errorf("list channels: %w", err)
	}
	inApp := map[string]bool{}
	for _, id := range app.ChannelIDs {
		inApp[id] = true
	}
	byID := map[string]ari.ChannelData{}
	for _, ch := range chans {
		byID[ch.ID] = ch
	}
	gone := e.gonePlaybacks(ctx)
	done := make(chan struct{})
	ok := e.enqueue(ctx, item{fn: func() {
		defer close(done)
		e.applyResync(inApp, byID, gone)
	}})
	if !ok {
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gonePlaybacks are the playbacks we wait for that Asterisk no longer has:
// their PlaybackFinished was lost.
func (e *Engine) gonePlaybacks(ctx context.Context) []string {
	e.mu.Lock()
	ids := make([]string, 0, len(e.playbacks))
	for id := range e.playbacks {
		ids = append(ids, id)
	}
	e.mu.Unlock()
	var gone []string
	for _, id := range ids {
		if err := e.rest.do(ctx, "GET", "/playbacks/"+pathEsc(id), nil, nil); statusOf(err) == 404 {
			gone = append(gone, id)
		}
	}
	return gone
}

// applyResync runs on the dispatcher, in order with the events.
func (e *Engine) applyResync(inApp map[string]bool, chans map[string]ari.ChannelData, gonePB []string) {
	e.mu.Lock()
	var lost []*call
	resumed := 0
	for id, c := range e.calls {
		if inApp[id] {
			resumed++
		} else {
			lost = append(lost, c)
		}
	}
	type pending struct {
		id string
		d  *dialAttempt
	}
	var dials []pending
	for id, d := range e.dials {
		dials = append(dials, pending{id, d})
	}
	var unknown []string
	for id := range inApp {
		if e.calls[id] == nil && e.dials[id] == nil {
			unknown = append(unknown, id)
		}
	}
	pbs := make([]*playback, 0, len(gonePB))
	for _, id := range gonePB {
		if p := e.playbacks[id]; p != nil {
			pbs = append(pbs, p)
		}
	}
	e.mu.Unlock()

	e.log.Info("resynchronised with Asterisk", "calls_resumed", resumed, "calls_lost", len(lost),
		"dials_pending", len(dials), "unknown_channels", len(unknown))
	for _, c := range lost {
		c.end("gone while the ARI websocket was down")
	}
	for _, p := range pbs {
		p.finish("done")
	}
	for _, pd := range dials {
		ch, exists := chans[pd.id]
		switch {
		case !exists:
			e.toDial(pd.id, &ari.ChannelDestroyed{Cause: 19, CauseTxt: "gone while the ARI websocket was down"})
		case inApp[pd.id] && ch.State == "Up":
			e.stasisStart(&ari.StasisStart{Args: []string{dialArg}, Channel: ch})
		}
	}
	if len(unknown) > 0 {
		time.AfterFunc(resyncGrace, func() {
			e.enqueue(e.serveCtx, item{fn: func() { e.hangUnknown(unknown) }})
		})
	}
}

func (e *Engine) hangUnknown(ids []string) {
	for _, id := range ids {
		e.mu.Lock()
		known := e.calls[id] != nil || e.dials[id] != nil
		e.mu.Unlock()
		if !known {
			e.hangupLater(id, "normal", "channel in the app that this Atiende does not handle (after reconnect)")
		}
	}
}
