package acd

import (
	"context"
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
