package acd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// TestRingFailures: the first agent's phone fails in some way, the call goes
// to the second, and the first is paused or not as the failure says.
func TestRingFailures(t *testing.T) {
	tests := []struct {
		name      string
		first     behavior
		reason    string
		state     agentdesk.AgentState
		pause     string
		autoPause bool
	}{
		{"ring no answer", behavior{never: true}, agentdesk.OfferNoAnswer, agentdesk.StatePaused, agentdesk.ReasonRingNoAnswer, true},
		{"unreachable", behavior{err: ivr.ErrUnreachable}, agentdesk.OfferUnreachable, agentdesk.StatePaused, agentdesk.ReasonUnreachable, true},
		{"busy", behavior{err: ivr.ErrBusy}, agentdesk.OfferBusy, agentdesk.StateAvailable, "", true},
		{"declined", behavior{err: ivr.ErrDeclined}, agentdesk.OfferDeclined, agentdesk.StateAvailable, "", true},
		{"no answer without auto-pause", behavior{never: true}, agentdesk.OfferNoAnswer, agentdesk.StateAvailable, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tickClock())
			qc := qcfg("q", agentdesk.LongestIdle)
			qc.RingTimeout = 20 * time.Millisecond
			qc.AutoPause = &tt.autoPause
			f.queue(t, qc)
			f.agent(t, "a", map[string]int{"q": 0}, tt.first) // idle longest: rung first
			f.agent(t, "b", map[string]int{"q": 0}, behavior{answerAfter: time.Millisecond, talk: 2 * time.Millisecond})
			_, out := f.enqueue(context.Background(), "1", "q")
			o := wait(t, out)
			if o.res.Outcome != agentdesk.OutcomeAnswered || o.res.Agent != "b" {
				t.Fatalf("result %+v\n%s", o.res, dump(f.rec.events()))
			}
			ended := f.rec.waitFor(t, "offer to a ended", is(agentdesk.CallOfferEnded, "1", "a"))
			if ended.Reason != tt.reason || ended.TicketNumber != "T-1" {
				t.Fatalf("offer ended %+v", ended)
			}
			after := f.rec.waitFor(t, "a's next state", func(e agentdesk.Event) bool {
				return e.Kind == agentdesk.AgentStateChanged && e.Agent == "a" && e.Seq > ended.Seq
			})
			if after.State != tt.state || after.PauseReason != tt.pause || after.CallID != "1" {
				t.Fatalf("a went to %s (%q) for %q, want %s (%q)", after.State, after.PauseReason, after.CallID, tt.state, tt.pause)
			}
			// b is offered only after a's offer ended.
			offerB := f.rec.waitFor(t, "offer to b", is(agentdesk.CallOffered, "1", "b"))
			if offerB.Seq < ended.Seq {
				t.Fatalf("b offered (seq %d) while a still rang (ended at %d)", offerB.Seq, ended.Seq)
			}
			checkSeq(t, f.rec.events())
		})
	}
}

func TestAbandonWhileWaiting(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", ""))
	f.agentIn(t, agentdesk.Agent{Username: "a", Extension: "xa", Skills: map[string]int{"q": 0}, State: agentdesk.StatePaused, PauseReason: "lunch"}, behavior{})
	c, out := f.enqueue(context.Background(), "1", "q")
	f.rec.waitFor(t, "queued", is(agentdesk.CallQueued, "1", ""))
	if s := f.acd.Snapshot(); s.Queues[0].Waiting != 1 || s.Queues[0].Calls[0].TicketNumber != "T-1" {
		t.Fatalf("snapshot %+v", s.Queues[0])
	}
	c.end()
	o := wait(t, out)
	if o.res.Outcome != agentdesk.OutcomeAbandoned || o.err != nil || o.res.EndedAt.IsZero() {
		t.Fatalf("got %+v %v", o.res, o.err)
	}
	ab := f.rec.waitFor(t, "abandoned", is(agentdesk.CallAbandoned, "1", ""))
	if ab.Agent != "" || ab.TicketNumber != "T-1" || ab.EnteredQueueAt.IsZero() || ab.EndedAt.IsZero() {
		t.Fatalf("abandon event %+v", ab)
	}
	s := f.acd.Snapshot()
	if s.Queues[0].Waiting != 0 || s.Queues[0].Stats.Abandoned != 1 {
		t.Fatalf("snapshot %+v", s.Queues[0])
	}
}

func TestAbandonWhileRinging(t *testing.T) {
	f := newFixture(t, nil)
	qc := qcfg("q", "")
	qc.RingTimeout = 10 * time.Second
	f.queue(t, qc)
	f.agent(t, "a", map[string]int{"q": 0}, behavior{never: true})
	c, out := f.enqueue(context.Background(), "1", "q")
	f.rec.waitFor(t, "offered", is(agentdesk.CallOffered, "1", "a"))
	f.eng.waitRinging(t, "xa")
	c.end()
	o := wait(t, out)
	if o.res.Outcome != agentdesk.OutcomeAbandoned || o.res.OfferedAt.IsZero() {
		t.Fatalf("got %+v", o.res)
	}
	ended := f.rec.waitFor(t, "offer ended", is(agentdesk.CallOfferEnded, "1", "a"))
	if ended.Reason != agentdesk.OfferAbandoned {
		t.Fatalf("offer ended %s", ended.Reason)
	}
	ab := f.rec.waitFor(t, "abandoned", is(agentdesk.CallAbandoned, "1", ""))
	if ab.Agent != "a" || ab.OfferedAt.IsZero() {
		t.Fatalf("abandon event %+v", ab)
	}
	// The ring was cancelled through Dial's ctx, and a is not paused.
	d := f.eng.dialsTo("xa")
	if len(d) != 1 || !errors.Is(d[0].err, context.Canceled) {
		t.Fatalf("dials %+v", d)
	}
	if ag := f.acd.Agents()[0]; ag.State != agentdesk.StateAvailable {
		t.Fatalf("a is %s", ag.State)
	}
}

func TestPauseWhileOnCallAppliesAfter(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", ""))
	f.agent(t, "a", map[string]int{"q": 0}, behavior{})
	c, out := f.enqueue(context.Background(), "1", "q")
	f.rec.waitFor(t, "answered", is(agentdesk.CallAnswered, "1", "a"))
	if err := f.acd.SetAgentState("a", agentdesk.StatePaused, "break"); err != nil {
		t.Fatal(err)
	}
	if err := f.acd.SetAgentState("a", agentdesk.StateOnCall, ""); !errors.Is(err, agentdesk.ErrBadState) {
		t.Fatalf("on_call from the API: %v", err)
	}
	if err := f.acd.SetAgentState("zz", agentdesk.StatePaused, ""); !errors.Is(err, agentdesk.ErrUnknownAgent) {
		t.Fatalf("unknown agent: %v", err)
	}
	if ag := f.acd.Agents()[0]; ag.State != agentdesk.StateOnCall || ag.CallID != "1" {
		t.Fatalf("a is %s on %q", ag.State, ag.CallID)
	}
	c.end()
	wait(t, out)
	if ag := f.acd.Agents()[0]; ag.State != agentdesk.StatePaused || ag.PauseReason != "break" || ag.CallsTaken != 1 {
		t.Fatalf("a after the call: %+v", ag)
	}
}
