package ivr_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
)

const wait = 3 * time.Second

// fastFlow is the default flow with timeouts short enough for tests yet long
// enough for a loaded machine; timeout tests shorten them further.
func fastFlow(t testing.TB) *ivr.Flow {
	t.Helper()
	f, err := ivr.ParseFlow("default.yaml", ivr.DefaultFlowYAML())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range f.Nodes {
		switch n.Type {
		case ivr.NodeMenu, ivr.NodeOfferExisting, ivr.NodeAnnounceIncident, ivr.NodeSurvey:
			n.Timeout = 2 * time.Second
		case ivr.NodeCollect:
			n.FirstDigitTimeout, n.InterDigitTimeout = 2*time.Second, 2*time.Second
		}
	}
	return f
}

// testLogger logs to stderr with -v and discards otherwise: a logger writing
// to t.Log would race with the end of the test.
func testLogger() *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type harness struct {
	eng    *ivrtest.Engine
	svc    *ivrtest.Services
	runner *ivr.FlowRunner
}

// newHarness serves flow on a fake engine until the test ends.
func newHarness(t *testing.T, flow *ivr.Flow) *harness {
	t.Helper()
	h := &harness{eng: ivrtest.NewEngine(), svc: ivrtest.NewServices()}
	h.runner = ivr.NewFlowRunner(flow, h.svc, testLogger())
	h.runner.Surveys = h.svc
	h.runner.Now = func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.eng.Serve(ctx, h.runner)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("calls still running after the test")
		}
	})
	return h
}

const callerNumber = "+525512345678"

func (h *harness) call() *ivrtest.Call {
	return h.eng.Call(ivr.Party{Number: callerNumber, DisplayName: "Ana"}, "6000")
}

// expect checks prompts are played in this order.
func expect(t *testing.T, c *ivrtest.Call, prompts ...string) {
	t.Helper()
	for _, p := range prompts {
		if err := c.Expect(p, wait); err != nil {
			t.Fatal(err)
		}
	}
}

func handled(t *testing.T, c *ivrtest.Call) {
	t.Helper()
	if err := c.WaitHandled(wait); err != nil {
		t.Fatal(err)
	}
}
