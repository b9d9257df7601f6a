package acd

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
)

var noWrap = agentdesk.QueueConfig{WrapUp: -1, MaxWait: -1, AnnounceInterval: -1}

func qcfg(name string, s agentdesk.Strategy) agentdesk.QueueConfig {
	qc := noWrap
	qc.Name, qc.Strategy = name, s
	return qc
}

// answered runs one call through q and returns who answered it.
func (f *fixture) answered(t *testing.T, id, q string) string {
	t.Helper()
	_, out := f.enqueue(context.Background(), id, q)
	o := wait(t, out)
	if o.err != nil || o.res.Outcome != agentdesk.OutcomeAnswered {
		t.Fatalf("call %s: %+v %v\n%s", id, o.res, o.err, dump(f.rec.events()))
	}
	return o.res.Agent
}

func TestStrategies(t *testing.T) {
	talk := behavior{talk: time.Millisecond}
	tests := []struct {
		strategy agentdesk.Strategy
		calls    []int // CallsTaken before the test, per agent a, b, c
		want     []string
	}{
		// a logged in first: idle longest; each answer makes its agent the least idle.
		{agentdesk.LongestIdle, nil, []string{"a", "b", "c", "a", "b"}},
		{"", nil, []string{"a", "b", "c", "a"}}, // the default
		{agentdesk.RoundRobin, nil, []string{"a", "b", "c", "a", "b"}},
		// b has fewest; then b and c tie at 1 and c is idle longer; then a=2,b=1,c=1...
		{agentdesk.FewestCalls, []int{2, 0, 1}, []string{"b", "c", "b", "a", "c"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.strategy), func(t *testing.T) {
			f := newFixture(t, tickClock())
			f.queue(t, qcfg("q", tt.strategy))
			for i, n := range []string{"a", "b", "c"} {
				ag := agentdesk.Agent{Username: n, Extension: "x" + n, Skills: map[string]int{"q": 0}, State: agentdesk.StateAvailable}
				if tt.calls != nil {
					ag.CallsTaken = tt.calls[i]
				}
				f.agentIn(t, ag, talk)
			}
			for i, want := range tt.want {
				if got := f.answered(t, fmt.Sprint("c", i), "q"); got != want {
					t.Fatalf("call %d answered by %s, want %s", i, got, want)
				}
			}
			checkSeq(t, f.rec.events())
		})
	}
}

func TestRingAllFirstAnswerWins(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", agentdesk.RingAll))
	f.agent(t, "a", map[string]int{"q": 0}, behavior{answerAfter: time.Second})
	f.agent(t, "b", map[string]int{"q": 0}, behavior{answerAfter: 2 * time.Millisecond, talk: 5 * time.Millisecond})
	f.agent(t, "c", map[string]int{"q": 0}, behavior{never: true})
	f.agent(t, "d", map[string]int{"q": 1}, behavior{}) // higher penalty: not rung
	_, out := f.enqueue(context.Background(), "1", "q")
	o := wait(t, out)
	if o.res.Outcome != agentdesk.OutcomeAnswered || o.res.Agent != "b" {
		t.Fatalf("result %+v", o.res)
	}
	evs := f.rec.events()
	offered := map[string]bool{}
	answered := 0
	for _, e := range evs {
		switch e.Kind {
		case agentdesk.CallOffered:
			offered[e.Agent] = true
		case agentdesk.CallAnswered:
			answered++
		case agentdesk.CallOfferEnded:
			if e.Reason != agentdesk.OfferAnsweredElsewhere {
				t.Errorf("offer to %s ended %s", e.Agent, e.Reason)
			}
		}
	}
	if !offered["a"] || !offered["b"] || !offered["c"] || offered["d"] || answered != 1 {
		t.Fatalf("offered %v, answered %d\n%s", offered, answered, dump(evs))
	}
	for _, ag := range f.acd.Agents() {
		if ag.State != agentdesk.StateAvailable {
			t.Errorf("%s is %s after the call", ag.Username, ag.State)
		}
	}
}

func TestSkillsAndPenalties(t *testing.T) {
	f := newFixture(t, tickClock())
	f.queue(t, qcfg("email", agentdesk.LongestIdle))
	long := behavior{talk: time.Hour}
	// x logged in first (idle longest) but y has the lower penalty.
	f.agent(t, "x", map[string]int{"email": 5}, long)
	f.agent(t, "y", map[string]int{"email": 1}, long)
	f.agent(t, "z", map[string]int{"internet": 0}, long)
	f.agent(t, "v", map[string]int{"vip": 0}, long)

	c1, _ := f.enqueue(context.Background(), "1", "email")
	f.rec.waitFor(t, "1 answered by y", is(agentdesk.CallAnswered, "1", "y"))
	c2, _ := f.enqueue(context.Background(), "2", "email")
	f.rec.waitFor(t, "2 answered by x", is(agentdesk.CallAnswered, "2", "x"))
	// A call that needs another skill goes to the agent who has it.
	c3, _ := f.enqueue(context.Background(), "3", "email", func(i *CallInfo) { i.Skill = "vip" })
	f.rec.waitFor(t, "3 answered by v", is(agentdesk.CallAnswered, "3", "v"))
	// z never gets an email call: the next one waits.
	c4, out4 := f.enqueue(context.Background(), "4", "email")
	f.rec.waitFor(t, "4 queued", is(agentdesk.CallQueued, "4", ""))
	c4.end()
	if o := wait(t, out4); o.res.Outcome != agentdesk.OutcomeAbandoned {
		t.Fatalf("call 4: %+v", o.res)
	}
	for _, e := range f.rec.events() {
		if e.Kind == agentdesk.CallOffered && e.Agent == "z" {
			t.Fatalf("z was offered %s", e.CallID)
		}
	}
	for _, c := range []*fakeCall{c1, c2, c3} {
		c.end()
	}
}

func TestUnknownQueue(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", ""))
	_, out := f.enqueue(context.Background(), "2", "nope")
	if o := wait(t, out); o.err == nil {
		t.Fatal("unknown queue accepted")
	}
}

func TestQueueTimeout(t *testing.T) {
	f := newFixture(t, nil)
	qc := qcfg("q", "")
	qc.Timeout = 20 * time.Millisecond
	f.queue(t, qc)
	f.agentIn(t, agentdesk.Agent{Username: "a", Extension: "xa", Skills: map[string]int{"q": 0}, State: agentdesk.StatePaused, PauseReason: "lunch"}, behavior{})
	_, out := f.enqueue(context.Background(), "1", "q")
	if o := wait(t, out); o.res.Outcome != agentdesk.OutcomeTimeout {
		t.Fatalf("got %+v", o.res)
	}
	if s := f.acd.Snapshot(); s.Queues[0].Waiting != 0 || s.Queues[0].Stats.Timeouts != 1 {
		t.Fatalf("snapshot %+v", s.Queues[0])
	}
}
