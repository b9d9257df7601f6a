package acd

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
)

// TestInternalCallBusy: an agent on an internal call (reported by the
// engine's router) gets no queue offer on top of it; the call goes to
// another agent, or waits, and is offered as soon as the internal call ends.
func TestInternalCallBusy(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", agentdesk.LongestIdle))
	f.agent(t, "a", map[string]int{"q": 0}, behavior{}) // idle longest: would be offered first
	f.agent(t, "b", map[string]int{"q": 0}, behavior{})
	f.acd.InternalCallStarted("xa", "1002")
	if !f.acd.OnInternalCall("xa") {
		t.Fatal("xa not on an internal call")
	}
	_, out1 := f.enqueue(context.Background(), "1", "q")
	f.rec.waitFor(t, "1 answered by b", is(agentdesk.CallAnswered, "1", "b"))
	_, out2 := f.enqueue(context.Background(), "2", "q")
	f.rec.waitFor(t, "2 queued", is(agentdesk.CallQueued, "2", ""))
	time.Sleep(50 * time.Millisecond) // an offer would be immediate (TestOfferedAtOnce)
	for _, e := range f.rec.events() {
		if e.Kind == agentdesk.CallOffered && e.Agent == "a" {
			t.Fatalf("a offered call %s while on an internal call\n%s", e.CallID, dump(f.rec.events()))
		}
	}
	if s := f.acd.Snapshot(); s.Queues[0].Waiting != 1 {
		t.Fatalf("waiting = %d, want 1", s.Queues[0].Waiting)
	}
	// Two internal calls at once: both must end.
	f.acd.InternalCallStarted("xa", "1003")
	f.acd.InternalCallEnded("xa", "1002")
	time.Sleep(20 * time.Millisecond)
	for _, e := range f.rec.events() {
		if e.Kind == agentdesk.CallOffered && e.Agent == "a" {
			t.Fatalf("a offered while still on its second internal call")
		}
	}
	f.acd.InternalCallEnded("xa", "1003")
	f.rec.waitFor(t, "2 answered by a", is(agentdesk.CallAnswered, "2", "a"))
	f.eng.lastCall(t, "xa").end()
	f.eng.lastCall(t, "xb").end()
	wait(t, out1)
	wait(t, out2)
}

// TestInternalCallShown: the desk's pages learn of an agent's internal
// call (the ACD treats the agent as busy, so the wallboard must not show
// them free): an agent_internal_call event names the other extension, the
// snapshot carries it with the agent's state unchanged, and both clear
// when the last internal call ends.
func TestInternalCallShown(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", agentdesk.LongestIdle))
	f.agent(t, "a", map[string]int{"q": 0}, behavior{})
	f.agent(t, "b", map[string]int{"q": 0}, behavior{})
	agentOf := func(s agentdesk.Snapshot, name string) agentdesk.Agent {
		t.Helper()
		for _, ag := range s.Agents {
			if ag.Username == name {
				return ag
			}
		}
		t.Fatalf("no agent %s in the snapshot", name)
		return agentdesk.Agent{}
	}
	internal := func(peers ...string) func(agentdesk.Event) bool {
		return func(e agentdesk.Event) bool {
			if e.Kind != agentdesk.AgentInternalCall || e.Agent != "a" {
				return false
			}
			if len(peers) == 0 {
				return e.InternalCall == nil
			}
			return e.InternalCall != nil && slices.Equal(e.InternalCall.Peers, peers)
		}
	}

	f.acd.InternalCallStarted("xa", "xb")
	e := f.rec.waitFor(t, "a on an internal call with xb", internal("xb"))
	if e.State != agentdesk.StateAvailable || e.Extension != "xa" || e.InternalCall.Since.IsZero() {
		t.Errorf("event %+v: want state available, extension xa and a start time", e)
	}
	s := f.acd.Snapshot()
	a, b := agentOf(s, "a"), agentOf(s, "b")
	if a.State != agentdesk.StateAvailable || a.InternalCall == nil || !slices.Equal(a.InternalCall.Peers, []string{"xb"}) {
		t.Fatalf("snapshot agent a = %+v, want available on an internal call with xb", a)
	}
	if a.Free() {
		t.Error("a on an internal call counts as free")
	}
	if b.InternalCall != nil || !b.Free() {
		t.Errorf("snapshot agent b = %+v, want free with no internal call", b)
	}
	for _, ag := range f.acd.Agents() {
		if ag.Username == "a" && ag.InternalCall == nil {
			t.Error("Agents() does not show a's internal call")
		}
	}

	// A second call (to the help desk) and the first one ends: still busy.
	f.acd.InternalCallStarted("xa", "")
	f.rec.waitFor(t, "a on two calls", internal("xb", ""))
	f.acd.InternalCallEnded("xa", "xb")
	f.rec.waitFor(t, "a on the help-desk call", internal(""))
	if a := agentOf(f.acd.Snapshot(), "a"); a.InternalCall == nil || a.Free() {
		t.Fatalf("snapshot agent a = %+v, want still on an internal call", a)
	}
	f.acd.InternalCallEnded("xa", "")
	f.rec.waitFor(t, "a free again", internal())
	if a := agentOf(f.acd.Snapshot(), "a"); a.InternalCall != nil || !a.Free() {
		t.Fatalf("snapshot agent a = %+v, want free with no internal call", a)
	}
	// Events carry consecutive Seqs, so a wallboard that missed one reloads.
	evs := f.rec.events()
	for i := 1; i < len(evs); i++ {
		if evs[i].Seq != evs[i-1].Seq+1 {
			t.Fatalf("event %d has seq %d after %d", i, evs[i].Seq, evs[i-1].Seq)
		}
	}
}
