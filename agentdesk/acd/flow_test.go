package acd

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

func TestWrapUpThenAvailable(t *testing.T) {
	f := newFixture(t, nil)
	qc := qcfg("q", "")
	qc.WrapUp = 30 * time.Millisecond
	f.queue(t, qc)
	f.agent(t, "a", map[string]int{"q": 0}, behavior{talk: time.Millisecond})
	_, out := f.enqueue(context.Background(), "1", "q")
	wait(t, out)
	wu := f.rec.waitFor(t, "wrap-up", agentIs("a", agentdesk.StateWrapUp))
	av := f.rec.waitFor(t, "available", func(e agentdesk.Event) bool {
		return e.Kind == agentdesk.AgentStateChanged && e.Agent == "a" && e.State == agentdesk.StateAvailable && e.Seq > wu.Seq
	})
	if av.PrevState != agentdesk.StateWrapUp || av.At.Sub(wu.At) < qc.WrapUp {
		t.Fatalf("wrap-up %v -> available %v (prev %s)", wu.At, av.At, av.PrevState)
	}
	// An agent may end wrap-up early from the API.
	_, out = f.enqueue(context.Background(), "2", "q")
	wait(t, out)
	f.rec.waitFor(t, "wrap-up 2", func(e agentdesk.Event) bool {
		return e.Kind == agentdesk.AgentStateChanged && e.State == agentdesk.StateWrapUp && e.CallID == "2"
	})
	if err := f.acd.SetAgentState("a", agentdesk.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	if ag := f.acd.Agents()[0]; ag.State != agentdesk.StateAvailable {
		t.Fatalf("a is %s", ag.State)
	}
}

// TestOfferedAtOnce: the event right after an agent becomes available is the
// offer of the waiting call to that agent, in the same critical section: no
// polling tick in between.
func TestOfferedAtOnce(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", ""))
	f.agent(t, "a", map[string]int{"q": 0}, behavior{}) // talks until the test hangs up
	_, out1 := f.enqueue(context.Background(), "1", "q")
	f.rec.waitFor(t, "1 answered", is(agentdesk.CallAnswered, "1", "a"))
	_, out2 := f.enqueue(context.Background(), "2", "q")
	f.rec.waitFor(t, "2 queued", is(agentdesk.CallQueued, "2", ""))
	f.eng.lastCall(t, "xa").end() // the agent hangs up call 1
	wait(t, out1)
	f.rec.waitFor(t, "2 answered", is(agentdesk.CallAnswered, "2", "a"))
	assertNextIsOffer(t, f.rec.events(), "a", "2", agentdesk.StateOnCall)

	// The same when the agent comes back from a pause through the API.
	f.eng.lastCall(t, "xa").end()
	wait(t, out2)
	if err := f.acd.SetAgentState("a", agentdesk.StatePaused, "coffee"); err != nil {
		t.Fatal(err)
	}
	_, out3 := f.enqueue(context.Background(), "3", "q")
	f.rec.waitFor(t, "3 queued", is(agentdesk.CallQueued, "3", ""))
	if err := f.acd.SetAgentState("a", agentdesk.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	f.rec.waitFor(t, "3 answered", is(agentdesk.CallAnswered, "3", "a"))
	assertNextIsOffer(t, f.rec.events(), "a", "3", agentdesk.StatePaused)
	f.eng.lastCall(t, "xa").end()
	wait(t, out3)
}

// assertNextIsOffer finds agent's change to available from prev and checks
// the next two events are its ringing for call and the offer.
func assertNextIsOffer(t *testing.T, evs []agentdesk.Event, agent, call string, prev agentdesk.AgentState) {
	t.Helper()
	i := slices.IndexFunc(evs, func(e agentdesk.Event) bool {
		return e.Kind == agentdesk.AgentStateChanged && e.Agent == agent && e.State == agentdesk.StateAvailable && e.PrevState == prev
	})
	if i < 0 || i+2 >= len(evs) {
		t.Fatalf("no available from %s:\n%s", prev, dump(evs))
	}
	r, o := evs[i+1], evs[i+2]
	if r.Kind != agentdesk.AgentStateChanged || r.State != agentdesk.StateRinging || r.CallID != call ||
		o.Kind != agentdesk.CallOffered || o.CallID != call || o.Agent != agent || o.Seq != evs[i].Seq+2 {
		t.Fatalf("after %d, want ringing and offer of %s:\n%s", evs[i].Seq, call, dump(evs))
	}
}

func TestAnnouncements(t *testing.T) {
	f := newFixture(t, nil)
	qc := qcfg("q", "")
	qc.AnnounceInterval = 15 * time.Millisecond
	f.queue(t, qc)
	f.agentIn(t, agentdesk.Agent{Username: "a", Extension: "xa", Skills: map[string]int{"q": 0}, State: agentdesk.StatePaused}, behavior{})
	c1, out1 := f.enqueue(context.Background(), "1", "q")
	f.rec.waitFor(t, "1 queued", is(agentdesk.CallQueued, "1", ""))
	c2, out2 := f.enqueue(context.Background(), "2", "q", func(i *CallInfo) { i.Lang = "en" })
	// Second in line, one agent, 3 min average: 6 minutes.
	want := []ivr.Prompt{
		{Sound: "en/you-are-number"}, {Digits: "2", Lang: "en"}, {Sound: "en/in-line"},
		{Sound: "en/expected-wait"}, {Digits: "6", Lang: "en"}, {Sound: "en/minutes"},
	}
	waitHeard(t, c2, want)
	if p := c2.played(); p[0] != (ivr.Prompt{Sound: "en/moh"}) {
		t.Fatalf("hold music first, got %v", p[0])
	}
	waitHeard(t, c1, []ivr.Prompt{{Sound: "es/you-are-number"}, {Digits: "1", Lang: "es"}})
	c1.end()
	c2.end()
	wait(t, out1)
	wait(t, out2)
}

// waitHeard waits until c has played run, in a row.
func waitHeard(t *testing.T, c *fakeCall, run []ivr.Prompt) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !containsRun(c.played(), run); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s heard %v, want %v", c.id, c.played(), run)
		}
	}
}

func containsRun(ps, run []ivr.Prompt) bool {
	for i := 0; i+len(run) <= len(ps); i++ {
		if slices.Equal(ps[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

func TestEventsCarryTheCall(t *testing.T) {
	f := newFixture(t, tickClock())
	f.queue(t, qcfg("q", ""))
	f.agent(t, "a", map[string]int{"q": 0}, behavior{answerAfter: time.Millisecond, talk: time.Millisecond})
	c, out := f.enqueue(context.Background(), "1", "q", func(i *CallInfo) { i.Priority = 2 })
	o := wait(t, out)
	r := o.res
	// The agent hung up first: the caller is left on the line for the IVR.
	if !c.wasBridged() || c.ended() {
		t.Fatalf("caller bridged %v, hung up %v", c.wasBridged(), c.ended())
	}
	if !(r.QueuedAt.Before(r.OfferedAt) && r.OfferedAt.Before(r.AnsweredAt) && r.AnsweredAt.Before(r.EndedAt)) || r.Agent != "a" {
		t.Fatalf("result %+v", r)
	}
	evs := f.rec.events()
	checkSeq(t, evs)
	pop := f.rec.waitFor(t, "offer", is(agentdesk.CallOffered, "1", "a"))
	if pop.TicketNumber != "T-1" || pop.CallerNumber != "551" || pop.CallerName != "Caller 1" ||
		pop.Queue != "q" || !slices.Equal(pop.IVRPath, []string{"1", "2"}) || pop.Extension != "xa" ||
		pop.AgentName != "Agent a" || pop.Lang != "es" || pop.Priority != 2 || pop.Position != 1 ||
		pop.EnteredQueueAt != r.QueuedAt || pop.OfferedAt != r.OfferedAt || pop.At.IsZero() {
		t.Fatalf("screen-pop event %+v", pop)
	}
	ans := f.rec.waitFor(t, "answer", is(agentdesk.CallAnswered, "1", "a"))
	end := f.rec.waitFor(t, "end", is(agentdesk.CallEnded, "1", "a"))
	if ans.AnsweredAt != r.AnsweredAt || end.EndedAt != r.EndedAt || end.Outcome != agentdesk.OutcomeAnswered || end.TicketNumber != "T-1" {
		t.Fatalf("answer %+v\nend %+v", ans, end)
	}
	st := f.acd.Snapshot().Queues[0].Stats
	if st.Answered != 1 || st.AnsweredInSL != 1 || st.ASA() != r.AnsweredAt.Sub(r.QueuedAt) || st.TotalTalk != r.EndedAt.Sub(r.AnsweredAt) {
		t.Fatalf("stats %+v", st)
	}
}
