package acd

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

func TestCallbackKeepsPlace(t *testing.T) {
	f := newFixture(t, nil)
	qc := qcfg("q", "")
	qc.MaxWait = 20 * time.Millisecond
	f.queue(t, qc)
	// a talks until the test hangs up; 551 is caller 1, called back.
	f.agentIn(t, agentdesk.Agent{Username: "a", Extension: "xa", Skills: map[string]int{"q": 0}, State: agentdesk.StatePaused}, behavior{})
	f.eng.phone("551", behavior{answerAfter: time.Millisecond})

	c1, out1 := f.enqueue(context.Background(), "1", "q")
	f.rec.waitFor(t, "1 queued", is(agentdesk.CallQueued, "1", ""))
	c2, out2 := f.enqueue(context.Background(), "2", "q")
	f.rec.waitFor(t, "2 queued", is(agentdesk.CallQueued, "2", ""))

	waitHeard(t, c1, []ivr.Prompt{{Sound: "es/callback-offer"}})
	c1.press('1')
	o1 := wait(t, out1)
	if o1.res.Outcome != agentdesk.OutcomeCallback || o1.res.EndedAt.IsZero() || !c1.ended() {
		t.Fatalf("caller 1: %+v, hung up %v", o1.res, c1.ended())
	}
	req := f.rec.waitFor(t, "callback requested", is(agentdesk.CallbackRequested, "1", ""))
	if req.TicketNumber != "T-1" || req.Position != 1 || req.Outcome != agentdesk.OutcomeCallback {
		t.Fatalf("callback_requested %+v", req)
	}
	q := f.acd.Snapshot().Queues[0]
	if q.Waiting != 2 || q.CallbacksPending != 1 || !q.Calls[0].Callback || q.Calls[0].CallID != "1" {
		t.Fatalf("snapshot %+v", q)
	}

	// The agent comes back: the callback is first in line, so the agent is
	// rung, then caller 1's number, then they are bridged.
	if err := f.acd.SetAgentState("a", agentdesk.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	started := f.rec.waitFor(t, "callback started", is(agentdesk.CallbackStarted, "1", "a"))
	f.rec.waitFor(t, "callback answered", is(agentdesk.CallAnswered, "1", "a"))
	f.eng.lastCall(t, "xa").end()
	ended := f.rec.waitFor(t, "callback ended", is(agentdesk.CallEnded, "1", "a"))
	if !started.Callback || ended.Outcome != agentdesk.OutcomeAnswered || ended.AnsweredAt.IsZero() {
		t.Fatalf("started %+v\nended %+v", started, ended)
	}
	var order []string
	for _, d := range f.eng.allDials() {
		order = append(order, d.target)
	}
	if len(order) < 2 || order[0] != "xa" || order[1] != "551" {
		t.Fatalf("dial order %v", order)
	}
	f.rec.waitFor(t, "then caller 2", is(agentdesk.CallAnswered, "2", "a"))
	f.eng.lastCall(t, "xa").end()
	o2 := wait(t, out2)
	if o2.res.Outcome != agentdesk.OutcomeAnswered {
		t.Fatalf("caller 2: %+v", o2.res)
	}
	_ = c2
	st := f.acd.Snapshot().Queues[0].Stats
	if st.Callbacks != 1 || st.CallbacksDone != 1 || st.Answered != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestCallbackCallerDoesNotAnswer(t *testing.T) {
	f := newFixture(t, nil)
	f.acd.cfg.CallbackTimeout = 10 * time.Millisecond
	qc := qcfg("q", "")
	qc.MaxWait = 5 * time.Millisecond
	f.queue(t, qc)
	f.agentIn(t, agentdesk.Agent{Username: "a", Extension: "xa", Skills: map[string]int{"q": 0}, State: agentdesk.StatePaused}, behavior{})
	f.eng.phone("551", behavior{never: true})
	c1, out1 := f.enqueue(context.Background(), "1", "q")
	waitHeard(t, c1, []ivr.Prompt{{Sound: "es/callback-offer"}})
	c1.press('1')
	wait(t, out1)
	if err := f.acd.SetAgentState("a", agentdesk.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	ev := f.rec.waitFor(t, "callback failed", is(agentdesk.CallEnded, "1", "a"))
	if ev.Outcome != agentdesk.OutcomeCallbackFailed {
		t.Fatalf("ended %+v", ev)
	}
	f.rec.waitFor(t, "a available again", func(e agentdesk.Event) bool {
		return e.Kind == agentdesk.AgentStateChanged && e.Agent == "a" && e.State == agentdesk.StateAvailable && e.Seq > ev.Seq
	})
	if q := f.acd.Snapshot().Queues[0]; q.Waiting != 0 {
		t.Fatalf("snapshot %+v", q)
	}
}
