package main

// Screen-pop latency in a real browser: from the INVITE reaching the
// agent's phone to the pop painted in the agent's console.
//
//	CI=true go test ./cmd/atiende/ -run '^$' -bench BenchmarkScreenPop -benchtime 20x
//
// One iteration is one call (about 6 s: the IVR's prompt before the caller
// keys 0, the ring, a short talk and the wrap-up), so give -benchtime as a
// count; the default 1s makes a single call.

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/metrics/benchload"
	"github.com/chromedp/chromedp"
)

// BenchmarkScreenPop: ana's console is open in Chromium and her phone is a
// sipp UAS that logs, with its own clock reading, when each INVITE arrives
// (then rings 300 ms and answers). A MutationObserver in the page records
// performance.timeOrigin + performance.now() when the pop shows a new
// ticket as ringing, and again at the next animation frame (painted).
// Callers key 0 (to an agent) one after the other. Both clocks are this
// machine's wall clock.
//
// Metrics: pop-p50-ms / pop-p99-ms / pop-max-ms (INVITE at the phone to
// the frame after the pop's DOM change), dom-p50-ms (to the DOM change),
// and nproc.
func BenchmarkScreenPop(b *testing.B) {
	defer benchload.Report(b)
	sippeer.Need(b, "sipp")
	ctx := browsertest.Browser(b)
	// The call-path benchmark's flow: no keypad survey after the agent hangs
	// up (the sipp caller waits for Atiende's BYE). The pop is unaffected.
	a := startAtiende(b, harnessOptions{Queues: "  ring_timeout: 10s\n  wrap_up: 1s\n", FlowFile: benchFlow(b)})
	phone := a.brStartPhone(b, "1001", "demo1001", 300*time.Millisecond, 300*time.Millisecond, false)
	sup := a.login(b, "supervisora", brPassword)

	brLogin(b, ctx, a.Base, "ana", "/agent.html")
	brEval[bool](b, ctx, brPopWatch)
	brStep(b, ctx, "go available", chromedp.Click(chromedp.ID("btn-available")))
	brWaitJS(b, ctx, 5*time.Second, "ana available", `document.getElementById("my-state").classList.contains("agent-available")`)

	n := 0
	for b.Loop() {
		caller := a.startCaller(b, fmt.Sprintf("+5255%08d", 30000000+n), keys(1500*time.Millisecond, 0, "0"), 0)
		n++
		if err := caller.Wait(40 * time.Second); err != nil {
			b.Fatalf("call %d: %v\n%s", n, err, caller.Output())
		}
		if !waitFor(10*time.Second, func() bool { return sup.agents()["ana"].State == "available" }) {
			b.Fatalf("call %d: ana not available again: %+v", n, sup.agents()["ana"])
		}
	}

	var invites []float64
	for _, e := range phone.events(b) {
		if e.Tag == "I" {
			invites = append(invites, brMillis(e.At))
		}
	}
	var pops []brPop
	for _, p := range brEval[[]brPop](b, ctx, `window.__pops`) {
		if strings.Contains(p.Phase, "phase-ringing") {
			pops = append(pops, p)
		}
	}
	if len(invites) != n || len(pops) != n {
		b.Fatalf("%d calls, %d INVITEs at the phone, %d pops", n, len(invites), len(pops))
	}
	var painted, dom []float64
	for i := range n {
		painted = append(painted, pops[i].Painted-invites[i])
		dom = append(dom, pops[i].At-invites[i])
	}
	b.Logf("INVITE -> pop painted (ms), in call order: %.1f", painted)
	sort.Float64s(painted)
	sort.Float64s(dom)
	b.ReportMetric(brPercentile(painted, 50), "pop-p50-ms")
	b.ReportMetric(brPercentile(painted, 99), "pop-p99-ms")
	b.ReportMetric(painted[len(painted)-1], "pop-max-ms")
	b.ReportMetric(brPercentile(dom, 50), "dom-p50-ms")
	b.ReportMetric(float64(runtime.NumCPU()), "nproc")
	browsertest.Screenshot(b, ctx, "last-pop")
}

// brPercentile is the nearest-rank percentile of sorted values.
func brPercentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
