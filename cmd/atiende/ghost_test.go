package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// A caller whose phone sends no RTP and presses nothing goes through the
// default flow's menu to on_fail (agent), and is then hung up: no ticket,
// and a call record with outcome abandoned_ivr (issue 16, SIP edge 8).
func TestSilentCallerIsAbandonedInIVR(t *testing.T) {
	sippeer.Need(t, "sipp")
	t.Parallel()
	flow := filepath.Join(t.TempDir(), "flow.yaml")
	yaml := bytes.ReplaceAll(ivr.DefaultFlowYAML(), []byte("timeout: 6s"), []byte("timeout: 1s"))
	if err := os.WriteFile(flow, yaml, 0o600); err != nil {
		t.Fatal(err)
	}
	a := startAtiende(t, harnessOptions{FlowFile: flow, NoDemoData: true})
	start := time.Now()
	caller := a.startCaller(t, "+525555550123", nil, 0) // no RTP at all; waits for our BYE
	if err := caller.Wait(90 * time.Second); err != nil {
		t.Fatalf("silent caller: %v\n%s", err, caller.Output())
	}
	if n := a.countTickets(t); n != 0 {
		t.Errorf("a silent caller opened %d tickets, want none", n)
	}
	var got []string
	waitFor(10*time.Second, func() bool {
		recs, err := a.store().IVRCalls(context.Background(), start.Add(-time.Minute), time.Now().Add(time.Minute))
		if err != nil {
			t.Fatalf("ivr calls: %v", err)
		}
		got = got[:0]
		for _, r := range recs {
			got = append(got, r.CallerID+" "+r.Outcome)
		}
		return len(got) > 0
	})
	if len(got) != 1 || got[0] != "+525555550123 abandoned_ivr" {
		t.Errorf("call records without a ticket: %q, want one abandoned_ivr", got)
	}
	// The SIP edge's counters are exported (nothing was refused here).
	for _, name := range []string{"atiende_engine_calls_refused_total", "atiende_engine_calls_reaped_total", "atiende_engine_auth_throttled_total"} {
		if v := a.metric(t, name, `engine="sip"`); v != 0 {
			t.Errorf("%s = %v, want 0 (-1: not exported)", name, v)
		}
	}
}
