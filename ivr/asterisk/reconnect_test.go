package asterisk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk"
	"github.com/atiende/atiende/ivr/asterisk/aritest"
)

// Transcript 05: the websocket goes away and comes back; Asterisk replays
// nothing, so the engine reconciles with GET /applications and /channels.
func TestReconnectResumesAndHangsUp(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	// A waits in the queue on hold, B idles, C is bridged to agent 1001.
	idA, a := r.inbound("+15551230001", "6000")
	_ = a.Answer(ctx)
	hctx, unhold := context.WithCancel(ctx)
	held := async(func() error { return a.Play(hctx, ivr.Prompt{Sound: "es/moh"}) })
	waitFor(t, "A on hold", func() bool { return r.srv.Channel(idA).MOH })
	idB, b := r.inbound("+15551230002", "6000")
	_ = b.Answer(ctx)
	r.srv.Register("1001")
	r.srv.SetAgent("1001", aritest.Agent{Answer: true})
	_, c := r.inbound("+15551230003", "6000")
	agent, err := r.eng.Dial(ctx, "1001", ivr.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bridged := async(func() error { return c.Bridge(ctx, agent) })
	waitFor(t, "bridged", func() bool { return r.srv.Channel(agent.ID()).Bridge != "" })

	r.srv.SetDown(true)
	waitFor(t, "engine down", func() bool { return !r.eng.Up() })
	if _, err := r.eng.Dial(ctx, "1001", ivr.DialOptions{}); !errors.Is(err, ivr.ErrEngineDown) {
		t.Fatalf("Dial while down = %v", err)
	}
	if _, err := r.srv.Inbound("+15551230009", "", "6000"); !errors.Is(err, aritest.ErrDeclined) {
		t.Fatalf("inbound while down = %v, want 603", err)
	}
	r.srv.RemoteHangup(idB)                            // its events are lost
	stray := r.srv.InboundLost("+15551230008", "6000") // in the app, never announced
	time.Sleep(100 * time.Millisecond)
	r.srv.SetDown(false)
	waitFor(t, "engine up again", r.eng.Up)

	waitFor(t, "B found gone", func() bool { return isDone(b) })
	waitFor(t, "stray channel hung up", func() bool { return !r.srv.Channel(stray).Exists })
	if isDone(a) || isDone(c) || isDone(agent) {
		t.Fatal("live calls were ended by the reconnect")
	}
	select {
	case err := <-bridged:
		t.Fatalf("the bridge ended on reconnect: %v", err)
	default:
	}
	// A is still controllable on the new connection.
	unhold()
	if err := result(t, held, 5*time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("hold = %v", err)
	}
	if err := a.Play(ctx, ivr.Prompt{Sound: "es/welcome"}); err != nil {
		t.Fatalf("Play after reconnect: %v", err)
	}
	r.srv.RemoteHangup(agent.ID())
	if err := result(t, bridged, 5*time.Second); err != nil {
		t.Fatalf("Bridge = %v", err)
	}
}

// A dial whose outcome was lost while disconnected still ends.
func TestDialOutcomeLostWhileDown(t *testing.T) {
	r := newRig(t)
	r.srv.Register("1002")
	r.srv.SetAgent("1002", aritest.Agent{})
	dialed := async(func() error {
		_, err := r.eng.Dial(ctxT(t), "1002", ivr.DialOptions{Timeout: time.Second})
		return err
	})
	waitFor(t, "ringing", func() bool { return len(r.srv.Channels()) == 1 })
	r.srv.SetDown(true)
	time.Sleep(1500 * time.Millisecond) // the ring timeout passes unseen
	r.srv.SetDown(false)
	if err := result(t, dialed, 8*time.Second); !errors.Is(err, ivr.ErrNoAnswer) {
		t.Fatalf("Dial = %v, want ErrNoAnswer", err)
	}
}

// Transcript 05: a second connection for the app gets it; the first one
// receives ApplicationReplaced and must back off, not fight.
func TestApplicationReplaced(t *testing.T) {
	r := newRig(t, func(_ *aritest.Options, c *asterisk.Config) {
		c.ReconnectMin, c.ReconnectMax = 300*time.Millisecond, 2*time.Second
	})
	first := r.eng
	opens := r.srv.WebsocketOpens()
	second := r.start(asterisk.Config{URL: r.srv.URL, User: "atiende", Password: "secret", App: "atiende",
		ReconnectMin: 300 * time.Millisecond, ReconnectMax: 2 * time.Second},
		ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) { <-ctx.Done() }))
	stopSecond := r.stop
	waitFor(t, "first engine down", func() bool { return !first.Up() })
	if !second.Up() {
		t.Fatal("second engine not up")
	}
	time.Sleep(1500 * time.Millisecond)
	if n := r.srv.WebsocketOpens() - opens; n > 6 {
		t.Fatalf("%d websocket opens in 1.5 s: the engines fight", n)
	}
	stopSecond()
	waitFor(t, "first engine takes the app back", first.Up)
	_, c := r.inbound("+15551230001", "6000")
	if err := c.Answer(ctxT(t)); err != nil {
		t.Fatalf("Answer after takeover: %v", err)
	}
}

// Asterisk gone for longer than the resume window: calls end rather than
// wait forever, and their channels are hung up when Asterisk is back.
func TestResumeWindowEndsCalls(t *testing.T) {
	r := newRig(t, func(_ *aritest.Options, c *asterisk.Config) { c.ResumeWindow = 300 * time.Millisecond })
	ctx := ctxT(t)
	id, c := r.inbound("+15551230001", "6000")
	held := async(func() error { return c.Play(ctx, ivr.Prompt{Sound: "es/moh"}) })
	waitFor(t, "on hold", func() bool { return r.srv.Channel(id).MOH })
	r.srv.SetDown(true)
	if err := result(t, held, 5*time.Second); !errors.Is(err, ivr.ErrHungUp) {
		t.Fatalf("hold = %v, want ErrHungUp", err)
	}
	r.srv.SetDown(false)
	waitFor(t, "engine up", r.eng.Up)
	waitFor(t, "abandoned channel hung up", func() bool { return !r.srv.Channel(id).Exists })
}
