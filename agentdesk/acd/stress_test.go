package acd

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// TestNeverTwoOffers runs 50 callers against 10 agents in four queues (one
// ring_all) with phones that answer, ring out, are busy, unreachable or
// decline, and callers who hang up at random; then replays the events and
// checks that no agent ever had two calls and no call two agents (outside
// ring_all), and that every call left the queue exactly once.
func TestNeverTwoOffers(t *testing.T) {
	if testing.Short() {
		t.Skip("stress")
	}
	const calls, agents = 50, 10
	f := &fixture{eng: newFakeEngine(), rec: newRecorder()}
	f.acd = New(Config{RetryAfter: 3 * time.Millisecond}, f.eng, f.rec, nil, testLogger())
	defer f.acd.Close()
	off := false
	queues := []agentdesk.Strategy{agentdesk.LongestIdle, agentdesk.RingAll, agentdesk.RoundRobin, agentdesk.FewestCalls}
	for _, s := range queues {
		f.queue(t, agentdesk.QueueConfig{Name: string(s), Strategy: s, RingTimeout: 10 * time.Millisecond,
			WrapUp: time.Millisecond, MaxWait: -1, AnnounceInterval: 5 * time.Millisecond, AutoPause: &off})
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range agents {
		skills := map[string]int{}
		for _, s := range queues {
			if rnd.IntN(3) > 0 {
				skills[string(s)] = rnd.IntN(3)
			}
		}
		skills[string(queues[i%len(queues)])] = 0
		name := fmt.Sprintf("ag%02d", i)
		f.agent(t, name, skills, behavior{})
		f.eng.script("x"+name, func(n int) behavior { return phoneMood(name, n) })
	}

	var wg sync.WaitGroup
	results := make([]outcome, calls)
	for i := range calls {
		q := string(queues[rnd.IntN(len(queues))])
		hangAfter := time.Duration(-1)
		if rnd.IntN(5) == 0 {
			hangAfter = time.Duration(rnd.IntN(30)) * time.Millisecond
		}
		c := newFakeCall(fmt.Sprint("c", i), fmt.Sprint(1000+i), "")
		wg.Go(func() {
			if hangAfter >= 0 {
				time.AfterFunc(hangAfter, c.end)
			}
			r, err := f.acd.Enqueue(context.Background(), c, CallInfo{Queue: q, TicketNumber: "T" + c.id})
			results[i] = outcome{r, err}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("callers still queued; events:\n%s", dump(f.rec.events()))
	}

	evs := f.rec.events()
	checkSeq(t, evs)
	checkExclusive(t, evs, map[string]bool{string(agentdesk.RingAll): true})
	count := map[agentdesk.Outcome]int{}
	for i, o := range results {
		if o.err != nil {
			t.Errorf("call %d: %v", i, o.err)
		}
		count[o.res.Outcome]++
	}
	t.Logf("%d events, outcomes %v", len(evs), count)
	if count[agentdesk.OutcomeAnswered] == 0 {
		t.Error("nobody answered")
	}
	f.eng.mu.Lock()
	for ext, n := range f.eng.maxRinging {
		if n > 1 {
			t.Errorf("phone %s rang %d times at once", ext, n)
		}
	}
	f.eng.mu.Unlock()
	for _, q := range f.acd.Snapshot().Queues {
		if q.Waiting != 0 {
			t.Errorf("queue %s still has %d calls", q.Name, q.Waiting)
		}
	}
}

// phoneMood is a deterministic mix of what a phone does on its n-th ring.
func phoneMood(name string, n int) behavior {
	h := fnv.New64a()
	fmt.Fprint(h, name, n)
	r := rand.New(rand.NewPCG(h.Sum64(), 7))
	switch p := r.IntN(100); {
	case p < 8:
		return behavior{never: true}
	case p < 14:
		return behavior{err: ivr.ErrBusy}
	case p < 18:
		return behavior{err: ivr.ErrUnreachable}
	case p < 22:
		return behavior{err: ivr.ErrDeclined}
	}
	return behavior{answerAfter: time.Duration(r.IntN(2000)) * time.Microsecond, talk: time.Duration(1+r.IntN(4)) * time.Millisecond}
}

// checkExclusive replays events in Seq order.
func checkExclusive(t *testing.T, evs []agentdesk.Event, parallel map[string]bool) {
	t.Helper()
	busy := map[string]string{}           // agent -> call offered or connected
	live := map[string]map[string]bool{}  // call -> agents being offered it
	state := map[string]agentdesk.Event{} // agent -> last agent_state
	answered, left := map[string]int{}, map[string]int{}
	fail := func(e agentdesk.Event, format string, args ...any) {
		t.Errorf("seq %d %s call=%s agent=%s: %s", e.Seq, e.Kind, e.CallID, e.Agent, fmt.Sprintf(format, args...))
	}
	for _, e := range evs {
		switch e.Kind {
		case agentdesk.AgentStateChanged:
			if e.State == agentdesk.StateRinging && state[e.Agent].State != agentdesk.StateAvailable {
				fail(e, "rung while %s", state[e.Agent].State)
			}
			state[e.Agent] = e
		case agentdesk.CallOffered:
			if s := state[e.Agent]; s.State != agentdesk.StateRinging || s.CallID != e.CallID {
				fail(e, "offered while %s for %q", s.State, s.CallID)
			}
			if c, ok := busy[e.Agent]; ok {
				fail(e, "agent already has %s", c)
			}
			busy[e.Agent] = e.CallID
			if live[e.CallID] == nil {
				live[e.CallID] = map[string]bool{}
			}
			if len(live[e.CallID]) > 0 && !parallel[e.Queue] {
				fail(e, "call already offered to %v", live[e.CallID])
			}
			live[e.CallID][e.Agent] = true
		case agentdesk.CallOfferEnded:
			if busy[e.Agent] != e.CallID || !live[e.CallID][e.Agent] {
				fail(e, "ended an offer that was not live")
			}
			delete(busy, e.Agent)
			delete(live[e.CallID], e.Agent)
		case agentdesk.CallAnswered:
			if busy[e.Agent] != e.CallID || !live[e.CallID][e.Agent] {
				fail(e, "answered without a live offer")
			}
			if answered[e.CallID]++; answered[e.CallID] > 1 {
				fail(e, "answered twice")
			}
			delete(live[e.CallID], e.Agent)
		case agentdesk.CallEnded, agentdesk.CallAbandoned, agentdesk.CallbackRequested:
			if e.Kind == agentdesk.CallEnded && e.Outcome == agentdesk.OutcomeAnswered {
				if busy[e.Agent] != e.CallID {
					fail(e, "ended a call the agent did not have")
				}
				delete(busy, e.Agent)
			}
			if len(live[e.CallID]) > 0 {
				fail(e, "left the queue while offered to %v", live[e.CallID])
			}
			if left[e.CallID]++; left[e.CallID] > 1 {
				fail(e, "left the queue twice")
			}
		}
	}
	if len(busy) > 0 {
		t.Errorf("agents still busy at the end: %v", busy)
	}
	for c, n := range answered {
		if left[c] != 1 {
			t.Errorf("call %s answered %d times but left %d times", c, n, left[c])
		}
	}
}
