package main

import (
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// Past calls.max_concurrent a new call is refused at once with 503 and
// Retry-After, before any prompt or query; the calls in progress go on to
// their normal end; the shedding shows on /metrics.
func TestOverloadShedsNewCalls(t *testing.T) {
	sippeer.Need(t, "sipp")
	a := startAtiende(t, harnessOptions{Extra: "calls:\n  max_concurrent: 2\n  retry_after: 7s\n"})
	if v := a.metric(t, "atiende_ivr_calls_limit"); v != 2 {
		t.Fatalf("atiende_ivr_calls_limit = %v, want 2", v)
	}
	// Two callers stay in the IVR for 6 s (they listen to the menu and
	// hang up): the help desk is at its limit.
	var first []*sippeer.Sipp
	for _, phone := range []string{mariaPhone, luciaPhone} {
		first = append(first, a.startCaller(t, phone, nil, 6*time.Second))
	}
	if !waitFor(15*time.Second, func() bool { return a.metric(t, "atiende_ivr_calls_active") == 2 }) {
		t.Fatalf("the two calls are not up: active %v", a.metric(t, "atiende_ivr_calls_active"))
	}

	// The third is refused: 503 with Retry-After (the scenario fails
	// without either).
	start := time.Now()
	third := sippeer.StartSipp(t, sippeer.SippOptions{Scenario: "testdata/sipp/caller_congested.xml", Remote: a.SIPAddr,
		Timeout: 20 * time.Second, Keys: []string{"caller=" + josePhone}, Args: []string{"-s", "6000", "-m", "1"}})
	if err := third.Wait(20 * time.Second); err != nil {
		t.Fatalf("third caller: %v\n%s", err, third.Output())
	}
	t.Logf("third caller refused within %v (sipp start included)", time.Since(start).Round(time.Millisecond))
	if v := a.metric(t, "atiende_ivr_calls_shed_total"); v != 1 {
		t.Errorf("atiende_ivr_calls_shed_total = %v, want 1", v)
	}
	if line, ok := a.findLog("hangup", "cause=congestion"); !ok {
		t.Errorf("no congestion hang-up logged")
	} else if strings.Contains(line, mariaPhone) || strings.Contains(line, luciaPhone) {
		t.Errorf("a call in progress was refused: %s", line)
	}

	// The first two end as they meant to: sipp exits 0 only if every
	// message of the call went as scripted (200, ACK, BYE, 200).
	for i, c := range first {
		if err := c.Wait(30 * time.Second); err != nil {
			t.Fatalf("caller %d: %v\n%s", i+1, err, c.Output())
		}
	}
	if !waitFor(10*time.Second, func() bool { return a.metric(t, "atiende_ivr_calls_active") == 0 }) {
		t.Errorf("calls still counted active after they ended: %v", a.metric(t, "atiende_ivr_calls_active"))
	}
	// Capacity is back: a new call is taken.
	again := a.startCaller(t, josePhone, nil, 2*time.Second)
	if err := again.Wait(30 * time.Second); err != nil {
		t.Fatalf("caller after the others ended: %v\n%s", err, again.Output())
	}
	if v := a.metric(t, "atiende_ivr_calls_shed_total"); v != 1 {
		t.Errorf("atiende_ivr_calls_shed_total = %v after capacity came back, want 1", v)
	}
}
