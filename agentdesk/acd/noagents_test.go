package acd

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// With nobody logged in, the default is a callback: the caller is told so
// with the ticket number, hung up on, and keeps a place that an agent who
// logs in later serves first.
func TestNoAgentsCallbackKeepsPlace(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", ""))
	f.agentIn(t, agentdesk.Agent{Username: "a", Extension: "xa", Skills: map[string]int{"q": 0}}, behavior{}) // logged out
	f.eng.phone("551", behavior{answerAfter: time.Millisecond})

	c1, out1 := f.enqueue(context.Background(), "1", "q")
	o1 := wait(t, out1)
	if o1.err != nil || o1.res.Outcome != agentdesk.OutcomeCallback || !c1.ended() {
		t.Fatalf("caller 1: %+v %v, hung up %v", o1.res, o1.err, c1.ended())
	}
	waitHeard(t, c1, []ivr.Prompt{{Sound: "es/no-agents"}, {Sound: "es/report-registered"},
		{Digits: "T-1", Lang: "es"}, {Sound: "es/callback-confirmed"}})
	req := f.rec.waitFor(t, "callback requested", is(agentdesk.CallbackRequested, "1", ""))
	if req.Position != 1 || req.TicketNumber != "T-1" {
		t.Fatalf("callback_requested %+v", req)
	}
	q := f.acd.Snapshot().Queues[0]
	if q.Waiting != 1 || q.CallbacksPending != 1 || !q.Calls[0].Callback || q.Stats.NoAgents != 1 {
		t.Fatalf("snapshot %+v", q)
	}
	// A caller in English with no ticket hears the rest in English.
	c2, out2 := f.enqueue(context.Background(), "2", "q", func(i *CallInfo) { i.Lang, i.TicketNumber = "en", "" })
	wait(t, out2)
	if got := c2.played(); len(got) != 2 || got[0].Sound != "en/no-agents" || got[1].Sound != "en/callback-confirmed" {
		t.Fatalf("caller 2 heard %v", got)
	}

	// The agent logs in: caller 1 is first in line, called back.
	if err := f.acd.SetAgentState("a", agentdesk.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	f.rec.waitFor(t, "callback started", is(agentdesk.CallbackStarted, "1", "a"))
	f.rec.waitFor(t, "callback answered", is(agentdesk.CallAnswered, "1", "a"))
	dials := f.eng.allDials()
	if len(dials) < 2 || dials[0].target != "xa" || dials[1].target != "551" {
		t.Fatalf("dials %+v", dials)
	}
	f.eng.lastCall(t, "xa").end()
	f.rec.waitFor(t, "callback ended", is(agentdesk.CallEnded, "1", "a"))
}

// A caller without a number cannot be called back: they wait instead.
func TestNoAgentsCallbackWithoutNumberWaits(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", ""))
	c := newFakeCall("1", "", "")
	out := make(chan outcome, 1)
	go func() {
		r, err := f.acd.Enqueue(context.Background(), c, CallInfo{Queue: "q", TicketNumber: "T-1"})
		out <- outcome{r, err}
	}()
	f.rec.waitFor(t, "queued", is(agentdesk.CallQueued, "1", ""))
	waitHeard(t, c, []ivr.Prompt{{Sound: "es/no-agents"}, {Sound: "es/no-agents-wait"}})
	c.end()
	wait(t, out)
}

// no_agents: wait keeps the caller in line with music and announcements
// until an agent logs in.
func TestNoAgentsWait(t *testing.T) {
	f := newFixture(t, nil)
	qc := qcfg("q", "")
	qc.NoAgents = agentdesk.NoAgentsWait
	f.queue(t, qc)
	f.agentIn(t, agentdesk.Agent{Username: "a", Extension: "xa", Skills: map[string]int{"q": 0}}, behavior{answerAfter: time.Millisecond})
	c, out := f.enqueue(context.Background(), "1", "q")
	f.rec.waitFor(t, "queued", is(agentdesk.CallQueued, "1", ""))
	waitHeard(t, c, []ivr.Prompt{{Sound: "es/no-agents"}, {Sound: "es/no-agents-wait"},
		{Sound: "es/you-are-number"}, {Digits: "1", Lang: "es"}, {Sound: "es/in-line"}})
	waitHeard(t, c, []ivr.Prompt{{Sound: "es/moh"}})
	if err := f.acd.SetAgentState("a", agentdesk.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	f.rec.waitFor(t, "answered", is(agentdesk.CallAnswered, "1", "a"))
	f.eng.lastCall(t, "xa").end()
	if o := wait(t, out); o.res.Outcome != agentdesk.OutcomeAnswered || o.res.Queue != "q" {
		t.Fatalf("got %+v", o.res)
	}
}

// no_agents: overflow sends the caller to another queue, whose agent
// answers; a loop of overflows ends in a callback.
func TestNoAgentsOverflow(t *testing.T) {
	f := newFixture(t, nil)
	qc := qcfg("q", "")
	qc.NoAgents, qc.Overflow = agentdesk.NoAgentsOverflow, "help"
	f.queue(t, qc)
	f.queue(t, qcfg("help", ""))
	f.agent(t, "b", map[string]int{"help": 0}, behavior{answerAfter: time.Millisecond, talk: time.Millisecond})
	_, out := f.enqueue(context.Background(), "1", "q")
	o := wait(t, out)
	if o.err != nil || o.res.Outcome != agentdesk.OutcomeAnswered || o.res.Agent != "b" || o.res.Queue != "help" {
		t.Fatalf("got %+v %v", o.res, o.err)
	}
	f.rec.waitFor(t, "q ends with the overflow", func(e agentdesk.Event) bool {
		return e.Kind == agentdesk.CallEnded && e.Queue == "q" && e.Outcome == agentdesk.OutcomeNoAgents && e.Reason == "overflow to help"
	})

	// r and s overflow to each other, with nobody in either: a callback.
	for _, p := range [][2]string{{"r", "s"}, {"s", "r"}} {
		qc := qcfg(p[0], "")
		qc.NoAgents, qc.Overflow = agentdesk.NoAgentsOverflow, p[1]
		f.queue(t, qc)
	}
	c, out := f.enqueue(context.Background(), "2", "r")
	if o := wait(t, out); o.res.Outcome != agentdesk.OutcomeCallback || o.res.Queue != "s" || !c.ended() {
		t.Fatalf("loop: %+v", o.res)
	}
}

func TestNoAgentsValidate(t *testing.T) {
	for _, qc := range []agentdesk.QueueConfig{
		{Name: "q", NoAgents: "drop"},
		{Name: "q", NoAgents: agentdesk.NoAgentsOverflow},
		{Name: "q", NoAgents: agentdesk.NoAgentsOverflow, Overflow: "q"},
	} {
		if err := qc.Validate(); err == nil {
			t.Errorf("%+v accepted", qc)
		}
	}
}
