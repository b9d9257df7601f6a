package acd

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// hookRec records the calls of a CallInfo.OnAnswer and what was true at
// each: call_answered already published, caller not yet bridged, and the
// ACD's lock free (Snapshot returns).
type hookRec struct {
	mu     sync.Mutex
	agents []string
	seen   []string // problems found inside the hook
	called chan struct{}
}

func newHookRec() *hookRec { return &hookRec{called: make(chan struct{}, 16)} }

func (h *hookRec) hook(f *fixture, callID string, c func() *fakeCall) func(*CallInfo) {
	return func(info *CallInfo) {
		info.OnAnswer = func(agent string) {
			var problems []string
			answered := false
			for _, e := range f.rec.events() {
				answered = answered || (e.Kind == agentdesk.CallAnswered && e.CallID == callID && e.Agent == agent)
			}
			if !answered {
				problems = append(problems, "call_answered not published yet")
			}
			if cc := c(); cc != nil && cc.wasBridged() {
				problems = append(problems, "caller already bridged")
			}
			done := make(chan struct{})
			go func() { _ = f.acd.Snapshot(); close(done) }()
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				problems = append(problems, "ACD lock held")
			}
			h.mu.Lock()
			h.agents = append(h.agents, agent)
			h.seen = append(h.seen, problems...)
			h.mu.Unlock()
			h.called <- struct{}{}
		}
	}
}

func (h *hookRec) wait(t *testing.T) {
	t.Helper()
	select {
	case <-h.called:
	case <-time.After(5 * time.Second):
		t.Fatal("OnAnswer was not called")
	}
}

func (h *hookRec) check(t *testing.T, want ...string) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.seen) != 0 {
		t.Errorf("inside OnAnswer: %v", h.seen)
	}
	if len(h.agents) != len(want) {
		t.Fatalf("OnAnswer called with %v, want %v", h.agents, want)
	}
	for i := range want {
		if h.agents[i] != want[i] {
			t.Fatalf("OnAnswer called with %v, want %v", h.agents, want)
		}
	}
}

// OnAnswer tells the queuer who answered, once, as soon as the agent
// answers: after call_answered, before the bridge, without the ACD's lock.
// Agents who lose a ring_all race or never answer do not count.
func TestOnAnswerCalledOnceAtAnswer(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", agentdesk.RingAll))
	f.agent(t, "a", map[string]int{"q": 0}, behavior{answerAfter: time.Millisecond}) // talks until hung up
	f.agent(t, "b", map[string]int{"q": 0}, behavior{never: true})
	h := newHookRec()
	var mu sync.Mutex
	var caller *fakeCall
	c, out := f.enqueue(context.Background(), "1", "q", h.hook(f, "1", func() *fakeCall {
		mu.Lock()
		defer mu.Unlock()
		return caller
	}))
	mu.Lock()
	caller = c
	mu.Unlock()
	h.wait(t)
	f.eng.lastCall(t, "xa").end() // the agent hangs up
	if o := wait(t, out); o.err != nil || o.res.Outcome != agentdesk.OutcomeAnswered || o.res.Agent != "a" {
		t.Fatalf("result %+v %v", o.res, o.err)
	}
	if !c.wasBridged() {
		t.Error("the caller was never bridged")
	}
	h.check(t, "a")
}

// A caller who hangs up while the agent's phone rings: no OnAnswer.
func TestOnAnswerNotCalledWhenAbandoned(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", ""))
	f.agent(t, "a", map[string]int{"q": 0}, behavior{never: true})
	h := newHookRec()
	c, out := f.enqueue(context.Background(), "1", "q", h.hook(f, "1", func() *fakeCall { return nil }))
	f.eng.waitRinging(t, "xa")
	c.end()
	if o := wait(t, out); o.res.Outcome != agentdesk.OutcomeAbandoned {
		t.Fatalf("result %+v %v", o.res, o.err)
	}
	f.rec.waitFor(t, "offer ended", is(agentdesk.CallOfferEnded, "1", "a"))
	h.check(t)
}

// A callback calls OnAnswer when the called-back caller answers, long
// after Enqueue returned.
func TestOnAnswerOfCallback(t *testing.T) {
	f := newFixture(t, nil)
	qc := qcfg("q", "")
	qc.MaxWait = 20 * time.Millisecond
	f.queue(t, qc)
	f.agentIn(t, agentdesk.Agent{Username: "a", Extension: "xa", Skills: map[string]int{"q": 0}, State: agentdesk.StatePaused}, behavior{})
	f.eng.phone("551", behavior{answerAfter: time.Millisecond})
	h := newHookRec()
	c1, out1 := f.enqueue(context.Background(), "1", "q", h.hook(f, "1", func() *fakeCall { return nil }))
	waitHeard(t, c1, []ivr.Prompt{{Sound: "es/callback-offer"}})
	c1.press('1')
	if o := wait(t, out1); o.res.Outcome != agentdesk.OutcomeCallback {
		t.Fatalf("result %+v %v", o.res, o.err)
	}
	h.check(t)
	if err := f.acd.SetAgentState("a", agentdesk.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	h.wait(t)
	f.eng.lastCall(t, "xa").end()
	f.rec.waitFor(t, "callback ended", is(agentdesk.CallEnded, "1", "a"))
	h.check(t, "a")
}
