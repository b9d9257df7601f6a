package asterisk_test

import (
	"context"
	"errors"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk/aritest"
)

// Transcript 02: originate PJSIP/1001 into the app, StasisStart with the
// app args, both channels in a mixing bridge, the agent hangs up.
func TestDialAgentAndBridge(t *testing.T) {
	for _, first := range []bool{false, true} {
		name := map[bool]string{false: "response first", true: "events first"}[first]
		t.Run(name, func(t *testing.T) {
			r := newRig(t)
			ctx := ctxT(t)
			r.srv.Register("1001")
			r.srv.SetAgent("1001", aritest.Agent{Answer: true, Delay: 50 * time.Millisecond, EventsFirst: first})
			if first {
				r.srv.SetAgent("1001", aritest.Agent{Answer: true, EventsFirst: true})
			}
			callerID, caller := r.inbound("+15551230001", "6000")
			_ = caller.Answer(ctx)
			var rang atomic.Int32
			agent, err := r.eng.Dial(ctx, "1001", ivr.DialOptions{
				Timeout: 5 * time.Second, CallerID: "6000", CallerName: "Atiende",
				OnRinging: func() { rang.Add(1) },
			})
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			var q url.Values
			for _, req := range r.srv.Find("POST /channels") {
				if req.Path == "/channels" {
					q = req.Query
				}
			}
			if q.Get("endpoint") != "PJSIP/1001" || q.Get("app") != "atiende" || q.Get("channelId") != agent.ID() ||
				q.Get("timeout") != "5" || q.Get("callerId") != `"Atiende" <6000>` {
				t.Fatalf("originate query %v (agent %s)", q, agent.ID())
			}
			if rang.Load() != 1 {
				t.Fatalf("OnRinging called %d times", rang.Load())
			}
			bridged := async(func() error { return caller.Bridge(ctx, agent) })
			waitFor(t, "both in one bridge", func() bool {
				a, b := r.srv.Channel(callerID), r.srv.Channel(agent.ID())
				return a.Bridge != "" && a.Bridge == b.Bridge
			})
			r.srv.RemoteHangup(agent.ID())
			if err := result(t, bridged, 5*time.Second); err != nil {
				t.Fatalf("Bridge = %v", err)
			}
			if !isDone(agent) {
				t.Fatal("agent call not done")
			}
			waitFor(t, "bridge destroyed", func() bool { return r.srv.Bridges() == 0 })
			if isDone(caller) {
				t.Fatal("the caller must stay for the ACD to decide")
			}
		})
	}
}

// Transcript 06: the failures of an originate.
func TestDialFailures(t *testing.T) {
	r := newRig(t)
	r.srv.Register("1002") // rings, never answers
	r.srv.SetAgent("1002", aritest.Agent{})
	r.srv.Register("1004")
	r.srv.SetAgent("1004", aritest.Agent{Busy: true})
	cases := []struct {
		target  string
		timeout time.Duration
		want    error
	}{
		{"1003", 0, ivr.ErrUnreachable}, // exists, not registered: 500 Allocation failed
		{"9999", 0, ivr.ErrUnreachable}, // no such endpoint
		{"FOO/1", 0, ivr.ErrUnreachable},
		{"1004", 0, ivr.ErrBusy},               // 486: Dial BUSY
		{"1002", time.Second, ivr.ErrNoAnswer}, // ChannelDestroyed 19, no final Dial
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			start := time.Now()
			c, err := r.eng.Dial(ctxT(t), tc.target, ivr.DialOptions{Timeout: tc.timeout})
			if !errors.Is(err, tc.want) || c != nil {
				t.Fatalf("Dial = %v, %v; want %v", c, err, tc.want)
			}
			if d := time.Since(start); d > tc.timeout+4*time.Second {
				t.Fatalf("took %s", d)
			}
		})
	}
	if n := len(r.srv.Channels()); n != 0 {
		t.Fatalf("channels left: %v", r.srv.Channels())
	}
}

func TestDialCancelledWhileRinging(t *testing.T) {
	r := newRig(t)
	r.srv.Register("1002")
	r.srv.SetAgent("1002", aritest.Agent{})
	ctx, cancel := context.WithCancel(ctxT(t))
	dialed := async(func() error {
		_, err := r.eng.Dial(ctx, "1002", ivr.DialOptions{Timeout: 10 * time.Second, OnRinging: cancel})
		return err
	})
	if err := result(t, dialed, 5*time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("Dial = %v", err)
	}
	waitFor(t, "ringing leg hung up", func() bool { return len(r.srv.Channels()) == 0 })
}
