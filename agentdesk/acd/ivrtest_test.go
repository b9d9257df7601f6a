package acd

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
)

// TestWithIvrtest runs the ACD behind the shared scripted engine, as the IVR
// will: an inbound call handled by Enqueue, a silent phone, then one that
// answers.
func TestWithIvrtest(t *testing.T) {
	eng := ivrtest.NewEngine()
	eng.SetPlayDuration(time.Millisecond)
	rec := newRecorder()
	a := New(Config{}, eng, rec, nil, testLogger())
	defer a.Close()
	if err := a.AddQueue(agentdesk.QueueConfig{Name: "internet", RingTimeout: 20 * time.Millisecond, WrapUp: -1}); err != nil {
		t.Fatal(err)
	}
	eng.AddPhone("1001", ivrtest.NeverAnswer, 0)
	p := eng.AddPhone("1002", ivrtest.Answers, 2*time.Millisecond)
	for _, ag := range []agentdesk.Agent{
		{Username: "ana", Extension: "1001", Skills: map[string]int{"internet": 0}, State: agentdesk.StateAvailable},
		{Username: "beto", Extension: "1002", Skills: map[string]int{"internet": 1}, State: agentdesk.StateAvailable},
	} {
		if err := a.AddAgent(ag); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results := make(chan Result, 1)
	go eng.Serve(ctx, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		r, _ := a.Enqueue(ctx, c, CallInfo{Queue: "internet", TicketNumber: "INC-7"})
		results <- r
	}))
	caller := eng.Call(ivr.Party{Number: "5551234", DisplayName: "María"}, "6000")
	agentCall, err := p.WaitAnswered(5 * time.Second)
	if err != nil {
		t.Fatalf("beto never answered: %v\n%s", err, dump(rec.events()))
	}
	if err := caller.WaitBridged(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	agentCall.CallerHangup() // beto hangs up
	var r Result
	select {
	case r = <-results:
	case <-time.After(5 * time.Second):
		t.Fatal("Enqueue did not return")
	}
	if r.Outcome != agentdesk.OutcomeAnswered || r.Agent != "beto" {
		t.Fatalf("result %+v", r)
	}
	pop := rec.waitFor(t, "pop for beto", is(agentdesk.CallOffered, caller.ID(), "beto"))
	if pop.CallerName != "María" || pop.CallerNumber != "5551234" || pop.TicketNumber != "INC-7" {
		t.Fatalf("pop %+v", pop)
	}
	rec.waitFor(t, "ana paused", func(e agentdesk.Event) bool {
		return e.Kind == agentdesk.AgentStateChanged && e.Agent == "ana" && e.PauseReason == agentdesk.ReasonRingNoAnswer
	})
	if err := caller.WaitHungUp(5 * time.Second); err != nil {
		t.Fatal(err)
	}
}
