package metrics

import (
	"strconv"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// Publishers and scrapes at once: run with -race.
func TestConcurrentPublishAndScrape(t *testing.T) {
	clock := &fakeClock{t: at(1000)}
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, Options{Now: clock.Now, Queues: []string{"q"}})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			agent := "agent" + strconv.Itoa(g)
			for i := 0; i < 200; i++ {
				id := agent + "-" + strconv.Itoa(i)
				m.Publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: id, Queue: "q", EnteredQueueAt: at(i)})
				m.Publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: agent, Extension: "10" + strconv.Itoa(g), State: onCall, At: at(i)})
				m.Publish(agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: id, Queue: "q", EnteredQueueAt: at(i), AnsweredAt: at(i + 1)})
				m.Publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: agent, State: avail, At: at(i + 1)})
				m.ExtensionStatus(ivr.ExtensionStatus{Extension: "10" + strconv.Itoa(g), State: ivr.ExtRegistered})
			}
		}()
	}
	errs := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			if _, err := reg.Gather(); err != nil {
				select {
				case errs <- err:
				default:
				}
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if v := value(t, reg, "atiende_queue_calls_total", "queue", "q", "outcome", "answered"); v != 800 {
		t.Errorf("answered %v, want 800", v)
	}
	if v := value(t, reg, "atiende_queue_calls_waiting", "queue", "q"); v != 0 {
		t.Errorf("waiting %v, want 0", v)
	}
}
