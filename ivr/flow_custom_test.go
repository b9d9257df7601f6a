package ivr_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
)

func allNodes(t *testing.T) *ivr.Flow {
	t.Helper()
	f, err := ivr.LoadFlow("testdata/all-nodes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestTransferToKeyedExtension(t *testing.T) {
	h := newHarness(t, allNodes(t))
	h.svc.Hours = true
	c := h.call()
	expect(t, c, "es/main-menu")
	c.Press("1")
	expect(t, c, "es/enter-ticket")
	c.Press("1002")
	expect(t, c, "digits:es:1002", "es/transfer")
	handled(t, c)
	if !slices.Equal(h.svc.Transfers(), []string{"1002"}) {
		t.Errorf("transfers %v", h.svc.Transfers())
	}
}

func TestConditionVarAndCollectTooShort(t *testing.T) {
	h := newHarness(t, allNodes(t))
	h.svc.Hours = true
	c := h.call()
	c.Press("1")
	expect(t, c, "es/enter-ticket")
	c.Press("10") // min_digits 4, one try: invalid, then closed
	expect(t, c, "es/invalid", "es/goodbye")
	handled(t, c)

	c = h.call()
	c.Press("11000")
	handled(t, c)
	if !slices.Equal(h.svc.Transfers(), []string{"1000"}) {
		t.Errorf("transfers %v", h.svc.Transfers())
	}
}

func TestOutsideBusinessHours(t *testing.T) {
	h := newHarness(t, allNodes(t))
	c := h.call()
	expect(t, c, "es/welcome", "es/goodbye")
	handled(t, c)
	if slices.Contains(c.Sounds(), "es/main-menu") {
		t.Errorf("menu played after hours: %v", c.Sounds())
	}
}

func TestKnownCallerOpenTicketOfferTimesOut(t *testing.T) {
	h := newHarness(t, allNodes(t))
	h.svc.Hours = true
	h.svc.Callers[callerNumber] = ivr.CallerInfo{Known: true, Name: "Ana", Language: "en"}
	h.svc.Open[ivrtest.OpenKey(callerNumber, "internet_failure")] = &ivr.TicketRef{Number: "55", Service: "internet_failure"}
	c := h.call()
	expect(t, c, "en/main-menu")
	c.Press("3")
	expect(t, c, "en/existing-offer")
	handled(t, c) // no key: a new ticket, not spoken (say_number false)
	created, enq := h.svc.Created(), h.svc.Enqueued()
	if len(created) != 1 || created[0].Vars["source"] != "ivr" || created[0].Caller.Name != "Ana" || created[0].Language != "en" {
		t.Fatalf("created %+v", created)
	}
	if len(enq) != 1 || enq[0].TicketNumber != "100001" || slices.Contains(c.Sounds(), "en/your-ticket-number") {
		t.Errorf("enqueued %+v, played %v", enq, c.Sounds())
	}
}

func TestLoopingFlowEnds(t *testing.T) {
	f, err := ivr.ParseFlow("loop.yaml", []byte(`
start: a
nodes:
  a: {type: play, prompts: [welcome], next: b}
  b: {type: set, vars: {x: "1"}, next: a}
`))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, f)
	h.runner.MaxSteps = 20
	c := h.call()
	handled(t, c)
	if n := len(c.Played()); n != 10 {
		t.Errorf("played %d prompts, want 10", n)
	}
}

// An engine that closes DTMF at hang-up must not make the runner spin.
type closingCall struct {
	*ivrtest.Call
	dtmf chan rune
}

func (c closingCall) DTMF() <-chan rune { return c.dtmf }

func TestClosedDTMFChannel(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	c := closingCall{ivrtest.NewCall("c1", ivr.Party{Number: "1"}, "6000"), make(chan rune)}
	done := make(chan struct{})
	go func() { defer close(done); h.runner.HandleCall(context.Background(), c) }()
	if err := c.Expect("es/main-menu", wait); err != nil {
		t.Fatal(err)
	}
	close(c.dtmf)
	c.CallerHangup()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("runner did not return")
	}
}

func TestMaxIVRTime(t *testing.T) {
	f := fastFlow(t)
	f.Nodes["main"].Timeout = time.Hour
	h := newHarness(t, f)
	h.runner.MaxIVR = 100 * time.Millisecond
	c := h.call()
	handled(t, c)
	if created := h.svc.Created(); len(created) != 0 {
		t.Errorf("created %d", len(created))
	}
}

// Stopping the engine ends calls in the IVR at once, hanging them up.
func TestShutdownEndsCallsInTheIVR(t *testing.T) {
	f := fastFlow(t)
	f.Nodes["main"].Timeout = time.Hour
	eng := ivrtest.NewEngine()
	r := ivr.NewFlowRunner(f, ivrtest.NewServices(), testLogger())
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- eng.Serve(ctx, r) }()
	c := eng.Call(ivr.Party{Number: "1"}, "6000")
	if err := c.WaitPlayed("es/main-menu", wait); err != nil {
		t.Fatal(err)
	}
	cancel()
	handled(t, c)
	if by, _ := c.HungUp(); by != "atiende" {
		t.Errorf("hung up by %q", by)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v", err)
	}
}
