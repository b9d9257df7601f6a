package acd

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
)

// When the agent hangs up first, Enqueue returns with the caller still on
// the line (the IVR may offer a survey); when the caller hangs up first,
// the agent's leg is hung up.
func TestAgentHangsUpFirstKeepsCaller(t *testing.T) {
	for _, agentFirst := range []bool{true, false} {
		name := map[bool]string{true: "agent first", false: "caller first"}[agentFirst]
		t.Run(name, func(t *testing.T) {
			eng := ivrtest.NewEngine()
			eng.SetPlayDuration(time.Millisecond)
			a := New(Config{}, eng, newRecorder(), nil, testLogger())
			defer a.Close()
			if err := a.AddQueue(agentdesk.QueueConfig{Name: "q", WrapUp: -1}); err != nil {
				t.Fatal(err)
			}
			p := eng.AddPhone("1001", ivrtest.Answers, time.Millisecond)
			if err := a.AddAgent(agentdesk.Agent{Username: "ana", Extension: "1001", Skills: map[string]int{"q": 0},
				State: agentdesk.StateAvailable}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			type out struct {
				r      Result
				callUp bool
			}
			results := make(chan out, 1)
			go eng.Serve(ctx, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
				r, _ := a.Enqueue(ctx, c, CallInfo{Queue: "q"})
				up := true
				select {
				case <-c.Done():
					up = false
				default:
				}
				results <- out{r, up}
			}))
			caller := eng.Call(ivr.Party{Number: "5551234"}, "6000")
			agentCall, err := p.WaitAnswered(5 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if err := caller.WaitBridged(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			if agentFirst {
				agentCall.CallerHangup()
			} else {
				caller.CallerHangup()
			}
			var o out
			select {
			case o = <-results:
			case <-time.After(5 * time.Second):
				t.Fatal("Enqueue did not return")
			}
			if o.r.Outcome != agentdesk.OutcomeAnswered || o.r.Agent != "ana" {
				t.Fatalf("result %+v", o.r)
			}
			if o.callUp != agentFirst {
				t.Errorf("caller's call up after Enqueue: %v, want %v", o.callUp, agentFirst)
			}
			if !agentFirst {
				if err := agentCall.WaitHungUp(5 * time.Second); err != nil {
					t.Fatal(err)
				}
				if by, _ := agentCall.HungUp(); by != "atiende" {
					t.Errorf("agent leg hung up by %q", by)
				}
			}
		})
	}
}
