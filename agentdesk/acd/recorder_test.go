package acd

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
)

// recorder is a Publisher that keeps every event and wakes waiters.
type recorder struct {
	mu      sync.Mutex
	evs     []agentdesk.Event
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) Publish(e agentdesk.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, e)
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) events() []agentdesk.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.evs)
}

// waitFor waits until pred holds on the events so far and returns the
// index of the event that matched. Only from the test goroutine.
func (r *recorder) waitFor(t *testing.T, what string, pred func(agentdesk.Event) bool) agentdesk.Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for i := 0; ; {
		r.mu.Lock()
		evs, ch := r.evs, r.changed
		r.mu.Unlock()
		for ; i < len(evs); i++ {
			if pred(evs[i]) {
				return evs[i]
			}
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; events:\n%s", what, dump(evs))
		}
	}
}

func dump(evs []agentdesk.Event) string {
	s := ""
	for _, e := range evs {
		s += fmt.Sprintf("  %d %s call=%s agent=%s state=%s reason=%q outcome=%s\n", e.Seq, e.Kind, e.CallID, e.Agent, e.State, e.Reason+e.PauseReason, e.Outcome)
	}
	return s
}

func is(kind agentdesk.EventKind, call, agent string) func(agentdesk.Event) bool {
	return func(e agentdesk.Event) bool {
		return e.Kind == kind && (call == "" || e.CallID == call) && (agent == "" || e.Agent == agent)
	}
}

func agentIs(agent string, s agentdesk.AgentState) func(agentdesk.Event) bool {
	return func(e agentdesk.Event) bool {
		return e.Kind == agentdesk.AgentStateChanged && e.Agent == agent && e.State == s
	}
}

// tickClock advances a millisecond on every reading: timestamps are
// distinct and ordered without sleeping.
func tickClock() func() time.Time {
	base := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var n atomic.Int64
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// fixture is an ACD over a fake engine and a recorder.
type fixture struct {
	acd *ACD
	eng *fakeEngine
	rec *recorder
}

func newFixture(t *testing.T, clock func() time.Time) *fixture {
	t.Helper()
	f := &fixture{eng: newFakeEngine(), rec: newRecorder()}
	f.acd = New(Config{RetryAfter: 50 * time.Millisecond}, f.eng, f.rec, clock, testLogger())
	t.Cleanup(func() { f.acd.Close() })
	return f
}

func (f *fixture) queue(t *testing.T, qc agentdesk.QueueConfig) {
	t.Helper()
	if err := f.acd.AddQueue(qc); err != nil {
		t.Fatal(err)
	}
}

// agent adds an available agent whose phone is ext with behaviour b.
func (f *fixture) agent(t *testing.T, name string, skills map[string]int, b behavior) {
	t.Helper()
	f.agentIn(t, agentdesk.Agent{Username: name, Name: "Agent " + name, Extension: "x" + name, Skills: skills, State: agentdesk.StateAvailable}, b)
}

func (f *fixture) agentIn(t *testing.T, ag agentdesk.Agent, b behavior) {
	t.Helper()
	f.eng.phone(ag.Extension, b)
	if err := f.acd.AddAgent(ag); err != nil {
		t.Fatal(err)
	}
}

type outcome struct {
	res Result
	err error
}

// enqueue runs Enqueue in a goroutine and returns the caller's call and
// where the result will arrive.
func (f *fixture) enqueue(ctx context.Context, id, queue string, opts ...func(*CallInfo)) (*fakeCall, <-chan outcome) {
	c := newFakeCall(id, "55"+id, "Caller "+id)
	info := CallInfo{Queue: queue, TicketNumber: "T-" + id, IVRPath: []string{"1", "2"}}
	for _, o := range opts {
		o(&info)
	}
	out := make(chan outcome, 1)
	go func() {
		r, err := f.acd.Enqueue(ctx, c, info)
		out <- outcome{r, err}
	}()
	return c, out
}

func wait(t *testing.T, out <-chan outcome) outcome {
	t.Helper()
	select {
	case o := <-out:
		return o
	case <-time.After(5 * time.Second):
		t.Fatal("Enqueue did not return")
		return outcome{}
	}
}

// checkSeq fails unless Seq runs 1, 2, 3 ... in publication order.
func checkSeq(t *testing.T, evs []agentdesk.Event) {
	t.Helper()
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d:\n%s", i, e.Seq, dump(evs))
		}
	}
}
