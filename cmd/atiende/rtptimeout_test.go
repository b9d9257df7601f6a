package main

import (
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// sip.rtp_timeout reaches the engine: a caller whose phone sends no RTP is
// hung up once the timeout has passed (the IVR would keep it for its
// menus), and the engine's reaped counter says so on /metrics.
func TestSilentPhoneIsHungUp(t *testing.T) {
	sippeer.Need(t, "sipp")
	t.Parallel()
	a := startAtiende(t, harnessOptions{RTPTimeout: "2s", NoDemoData: true})
	caller := a.startCaller(t, "+525555550124", nil, 0) // no RTP at all; waits for our BYE
	if err := caller.Wait(30 * time.Second); err != nil {
		t.Fatalf("silent caller: %v\n%s", err, caller.Output())
	}
	if _, ok := a.waitLog(5*time.Second, "no RTP from the peer", "reason=rtp_timeout"); !ok {
		t.Error("no rtp_timeout in the log")
	}
	if v := a.metric(t, "atiende_engine_calls_reaped_total", `engine="sip"`); v != 1 {
		t.Errorf("atiende_engine_calls_reaped_total = %v, want 1", v)
	}
}
