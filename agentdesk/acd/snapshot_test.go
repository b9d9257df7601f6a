package acd

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
)

func TestSnapshotWhileRinging(t *testing.T) {
	f := newFixture(t, nil)
	qc := qcfg("q", "")
	qc.RingTimeout = 10 * time.Second
	f.queue(t, qc)
	f.agent(t, "a", map[string]int{"q": 0}, behavior{never: true})
	c, out := f.enqueue(context.Background(), "1", "q")
	pop := f.rec.waitFor(t, "offered", is(agentdesk.CallOffered, "1", "a"))
	s := f.acd.Snapshot()
	if s.Seq < pop.Seq || len(s.Queues) != 1 || len(s.Agents) != 1 {
		t.Fatalf("snapshot %+v", s)
	}
	q, ag := s.Queues[0], s.Agents[0]
	if q.Waiting != 1 || !slices.Equal(q.Calls[0].Ringing, []string{"a"}) || !slices.Equal(q.Calls[0].IVRPath, []string{"1", "2"}) ||
		q.Calls[0].TicketNumber != "T-1" || !slices.Equal(q.Agents, []string{"a"}) || q.Stats.Entered != 1 {
		t.Fatalf("queue %+v", q)
	}
	if ag.State != agentdesk.StateRinging || ag.CallID != "1" {
		t.Fatalf("agent %+v", ag)
	}
	c.end()
	wait(t, out)
}

func TestUpdateAgentAndBadInput(t *testing.T) {
	f := newFixture(t, nil)
	f.queue(t, qcfg("q", ""))
	f.queue(t, qcfg("other", ""))
	f.agent(t, "a", map[string]int{"other": 0}, behavior{})
	f.agent(t, "b", map[string]int{"q": 0}, behavior{})
	if err := f.acd.SetAgentState("b", agentdesk.StatePaused, "lunch"); err != nil {
		t.Fatal(err)
	}
	c2, out2 := f.enqueue(context.Background(), "2", "q")
	f.rec.waitFor(t, "2 queued", is(agentdesk.CallQueued, "2", ""))
	// b is logged in (paused) so call 2 waits; giving a the skill offers it.
	if err := f.acd.UpdateAgent(agentdesk.Agent{Username: "a", Extension: "xa", Skills: map[string]int{"q": 0}}); err != nil {
		t.Fatal(err)
	}
	f.rec.waitFor(t, "2 answered by a", is(agentdesk.CallAnswered, "2", "a"))
	c2.end()
	wait(t, out2)

	for _, err := range []error{
		f.acd.AddAgent(agentdesk.Agent{Username: "a", Extension: "xa"}),
		f.acd.AddAgent(agentdesk.Agent{Username: "n"}),
		f.acd.AddAgent(agentdesk.Agent{Username: "r", Extension: "xr", State: agentdesk.StateRinging}),
		f.acd.UpdateAgent(agentdesk.Agent{Username: "zz", Extension: "x"}),
		f.acd.AddQueue(agentdesk.QueueConfig{Name: "bad", Strategy: "random"}),
	} {
		if err == nil {
			t.Error("bad input accepted")
		}
	}
	if err := f.acd.AddAgent(agentdesk.Agent{Username: "a", Extension: "xa"}); !errors.Is(err, agentdesk.ErrAgentExists) {
		t.Errorf("duplicate agent: %v", err)
	}
}
