package main

// Benchmarks of the whole call path with real peers (`make bench`): sipp
// callers press keys in the IVR, Atiende writes the ticket to PostgreSQL,
// queues the call and rings agent phones (one sipp UAS answering for every
// registered extension, media echoed), bridges, and the agent hangs up.
//
// Each sub-benchmark is one timed run (b.N is ignored beyond the first
// iteration: a run lasts tens of seconds). Sizes come from the environment:
//
//	ATIENDE_BENCH_CPS      calls per second offered (Throughput; default 50)
//	ATIENDE_BENCH_SECONDS  how long callers arrive (default 30)
//	ATIENDE_BENCH_IVR      concurrent callers listening in the IVR (default 500)
//	ATIENDE_BENCH_BACKLOG_CPS  arrival rate for Backlog (default 12; 20 agents
//	                       with 2 s calls serve at most 10/s)

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/metrics/benchload"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func BenchmarkCallPath(b *testing.B) {
	sippeer.Need(b, "sipp")
	b.Run("VsBare", benchVsBare)
	b.Run("Throughput", benchThroughput)
	b.Run("IVRConcurrency", benchIVRConcurrency)
	b.Run("Backlog", benchBacklog)
}

// benchFlow is the default flow without the two fixed prompts between the
// last key and the queue (the ticket number read out, "transferring you"),
// so that the key-to-agent latency measures Atiende, not prompt lengths, and
// without the keypad survey after the agent hangs up (the sipp callers wait
// for Atiende's BYE; the survey has its own tests).
func benchFlow(b testing.TB) string {
	raw, err := os.ReadFile("../../ivr/flows/default.yaml")
	if err != nil {
		b.Fatal(err)
	}
	s := string(raw)
	for _, r := range [][2]string{
		{"say_number: true", "say_number: false"},
		{"    type: enqueue\n    prompts: [transfer]\n", "    type: enqueue\n"},
		{"    answered: survey\n", ""},
	} {
		if !strings.Contains(s, r[0]) {
			b.Fatalf("default flow changed: %q not found", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	path := filepath.Join(b.TempDir(), "bench-flow.yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// callGauge follows Atiende's log: calls in progress and calls in the IVR
// (answered, not yet queued or gone).
type callGauge struct {
	mu                 sync.Mutex
	inIVR, inCall      int
	peakIVR, peakCalls int
	started, enqueued  int
	queued             map[string]bool
	watch              func(inIVR int) // called under mu when inIVR rises
}

func newCallGauge() *callGauge { return &callGauge{queued: map[string]bool{}} }

func callID(line []byte) string {
	s := string(line)
	i := strings.Index(s, " call_id=")
	if i < 0 {
		return ""
	}
	s = s[i+len(" call_id="):]
	if j := strings.IndexByte(s, ' '); j >= 0 {
		s = s[:j]
	}
	return s
}

func (g *callGauge) line(p []byte) {
	s := string(p)
	var kind int
	switch {
	case strings.Contains(s, `msg="ivr call" `):
		kind = 1
	case strings.Contains(s, `msg="ivr enqueue" `):
		kind = 2
	case strings.Contains(s, `msg="ivr call ended" `):
		kind = 3
	default:
		return
	}
	id := callID(p)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch kind {
	case 1:
		g.started++
		g.inIVR++
		g.inCall++
		g.peakIVR = max(g.peakIVR, g.inIVR)
		g.peakCalls = max(g.peakCalls, g.inCall)
		if g.watch != nil {
			g.watch(g.inIVR)
		}
	case 2:
		g.enqueued++
		g.queued[id] = true
		g.inIVR--
	case 3:
		if !g.queued[id] {
			g.inIVR--
		}
		delete(g.queued, id)
		g.inCall--
	}
}

func (g *callGauge) snapshot() (inIVR, inCall, peakIVR, peakCalls, started int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inIVR, g.inCall, g.peakIVR, g.peakCalls, g.started
}

// benchDesk is Atiende with n agents (users agent<ext>, skills network and
// general) whose phones are one sipp UAS that answers at once and hangs up
// after talk.
type benchDesk struct {
	a      *atiende
	gauge  *callGauge
	uas    *sippeer.Sipp
	uasLog string
	exts   []string
}

func startBenchDesk(b *testing.B, n int, talk time.Duration, queues string) *benchDesk {
	b.Helper()
	exts := map[string]string{}
	var list []string
	for i := range n {
		ext := strconv.Itoa(1001 + i)
		exts[ext] = "bench" + ext
		list = append(list, ext)
	}
	d := &benchDesk{gauge: newCallGauge(), exts: list}
	d.a = startAtiende(b, harnessOptions{Extensions: exts, Queues: queues, FlowFile: benchFlow(b), NoDemoData: true,
		KeepLogs: keepLogs(), OnLog: d.gauge.line})
	// The agents are users with extensions, created through the API as
	// admin; setting their state loads them into the desk.
	admin := d.a.login(b, "admin", adminPassword)
	for _, ext := range list {
		user := map[string]any{"username": "agent" + ext, "name": "Bench agent " + ext, "role": "agent",
			"extension": ext, "skills": []string{"network", "general"}, "password": "bench-password-" + ext}
		if code := admin.do("POST", "/api/v1/users", user, nil); code != 201 && code != 200 {
			b.Fatalf("create user agent%s: %d", ext, code)
		}
	}
	if os.Getenv("ATIENDE_BENCH_KEEP") != "" {
		logDir := benchDir(b)
		b.Cleanup(func() { _ = os.WriteFile(filepath.Join(logDir, "atiende.log"), []byte(d.a.Logs.String()), 0o600) })
	}

	dir := benchDir(b)
	d.uasLog = filepath.Join(dir, "agents.log")
	uasPort := sippeer.FreePort(b)
	d.uas = sippeer.StartSipp(b, sippeer.SippOptions{
		Scenario: "testdata/sipp/bench_agent_uas.xml", Remote: d.a.SIPAddr, Port: uasPort, Timeout: 30 * time.Minute,
		Args: []string{"-rtp_echo", "-d", strconv.Itoa(int(talk.Milliseconds())), "-l", "10000",
			"-trace_logs", "-log_file", d.uasLog},
	})
	inf := "SEQUENTIAL\n"
	for _, ext := range list {
		inf += ext + ";[authentication username=" + ext + " password=" + exts[ext] + "];\n"
	}
	infPath := filepath.Join(dir, "agents.csv")
	if err := os.WriteFile(infPath, []byte(inf), 0o600); err != nil {
		b.Fatal(err)
	}
	// 2 REGISTERs per agent: 8 agents/s stays under the registrar's
	// per-address limit (20/s, burst 40).
	reg := sippeer.StartSipp(b, sippeer.SippOptions{
		Scenario: "testdata/sipp/bench_register.xml", Remote: d.a.SIPAddr, Timeout: 2 * time.Minute,
		Keys: []string{"uas_port=" + strconv.Itoa(uasPort)},
		Args: []string{"-inf", infPath, "-m", strconv.Itoa(n), "-r", "8"},
	})
	if err := reg.Wait(time.Minute); err != nil {
		b.Fatalf("register agents: %v\n%s", err, reg.Output())
	}
	if !waitFor(10*time.Second, func() bool {
		return strings.Count(d.a.Logs.String(), "state=registered reason=registered") >= n
	}) {
		b.Fatalf("not all %d agents registered", n)
	}
	for _, ext := range list {
		admin.setState("agent"+ext, "available", "")
	}
	return d
}

// benchDir is where sipp's logs go: ATIENDE_BENCH_KEEP (kept for a look
// after the run) or a temporary directory.
func benchDir(b testing.TB) string {
	if keep := os.Getenv("ATIENDE_BENCH_KEEP"); keep != "" {
		dir, err := os.MkdirTemp(keep, strings.ReplaceAll(b.Name(), "/", "_")+"-")
		if err == nil {
			return dir
		}
	}
	return b.TempDir()
}

// keepLogs: 1 MiB of Atiende's log in memory (it counts in the heap per
// call), 256 MiB when ATIENDE_BENCH_KEEP asks for the logs.
func keepLogs() int {
	if os.Getenv("ATIENDE_BENCH_KEEP") != "" {
		return 256 << 20
	}
	return 1 << 20
}

// sippStats reads the last line of a sipp -trace_stat CSV file.
func sippStats(b testing.TB, path string) map[string]string {
	b.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatalf("sipp stats: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) < 2 {
		b.Fatalf("sipp stats: %d lines", len(lines))
	}
	head := strings.Split(lines[0], ";")
	last := strings.Split(lines[len(lines)-1], ";")
	m := map[string]string{}
	for i, h := range head {
		if i < len(last) {
			m[h] = last[i]
		}
	}
	return m
}

func statInt(m map[string]string, key string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(m[key]))
	return n
}

// logEvent is one line of a sipp -trace_logs file written by our scenarios:
// "<tag> <a> [<b>] <date> <time> <epoch>".
type logEvent struct {
	tag    string
	fields []string
	at     float64 // Unix seconds
}

func readSippLog(b testing.TB, path string) []logEvent {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatalf("sipp log: %v", err)
	}
	defer f.Close()
	var out []logEvent
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 4 {
			continue
		}
		at, err := strconv.ParseFloat(fs[len(fs)-1], 64)
		if err != nil {
			continue
		}
		out = append(out, logEvent{tag: fs[0], fields: fs[1 : len(fs)-3], at: at})
	}
	return out
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// memProbe records the live heap once, at the moment inIVR first reaches
// target (a GC first, so that garbage does not count).
type memProbe struct {
	mu       sync.Mutex
	base     runtime.MemStats
	peak     runtime.MemStats
	calls    int
	measured bool
	trigger  chan int
}

func newMemProbe() *memProbe {
	p := &memProbe{trigger: make(chan int, 1)}
	runtime.GC()
	runtime.ReadMemStats(&p.base)
	return p
}

// run measures when triggered; stop ends it.
func (p *memProbe) run(g *callGauge, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-p.trigger:
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			inIVR, _, _, _, _ := g.snapshot()
			p.mu.Lock()
			p.peak, p.calls, p.measured = m, inIVR, true
			p.mu.Unlock()
			return
		}
	}
}

func (p *memProbe) perCallKB() (heapKB, sysKB float64, calls int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.measured || p.calls == 0 {
		return math.NaN(), math.NaN(), 0
	}
	heap := float64(p.peak.HeapAlloc) - float64(p.base.HeapAlloc)
	sys := float64(p.peak.Sys) - float64(p.base.Sys)
	return heap / float64(p.calls) / 1024, sys / float64(p.calls) / 1024, p.calls
}

// runCallers runs the bench caller scenario at cps for seconds and returns
// the sipp stats and log.
func runCallers(b *testing.B, d *benchDesk, scenario string, cps, total int, extra ...string) (map[string]string, []logEvent) {
	b.Helper()
	dir := benchDir(b)
	stf, logf := filepath.Join(dir, "callers.csv"), filepath.Join(dir, "callers.log")
	args := append([]string{"-s", "6000", "-r", strconv.Itoa(cps), "-m", strconv.Itoa(total), "-l", "5000",
		"-trace_stat", "-stf", stf, "-fd", "1", "-trace_logs", "-log_file", logf,
		"-error_file", filepath.Join(dir, "errors.log")}, extra...)
	callers := sippeer.StartSipp(b, sippeer.SippOptions{
		Scenario: scenario, Remote: d.a.SIPAddr, Timeout: time.Duration(total/cps)*time.Second + 4*time.Minute,
		Keys: []string{"caller=99"}, Args: args,
	})
	err := callers.Wait(time.Duration(total/cps)*time.Second + 5*time.Minute)
	if err != nil {
		out := filepath.Join(dir, "callers.out")
		_ = os.WriteFile(out, []byte(callers.Output()), 0o600)
		b.Logf("callers: %v (sipp's screen in %s)", err, out)
	}
	st := sippStats(b, stf)
	var evs []logEvent
	if _, statErr := os.Stat(logf); statErr == nil {
		evs = readSippLog(b, logf)
	}
	return st, evs
}

// keyToInvite matches each caller's last key (K) to the INVITE its agent
// received (I, by caller ID) and returns the delays in ms, sorted.
func keyToInvite(keys, agents []logEvent) []float64 {
	sent := map[string]float64{}
	for _, e := range keys {
		if e.tag == "K" && len(e.fields) >= 1 {
			sent[e.fields[0]] = e.at
		}
	}
	var ms []float64
	for _, e := range agents {
		if e.tag != "I" || len(e.fields) < 2 {
			continue
		}
		if k, ok := sent[e.fields[1]]; ok {
			ms = append(ms, (e.at-k)*1000)
			delete(sent, e.fields[1]) // the first INVITE only
		}
	}
	slices.Sort(ms)
	return ms
}

// benchThroughput: callers at ATIENDE_BENCH_CPS for ATIENDE_BENCH_SECONDS
// through IVR (keys 1, 1), ticket, queue and an agent who talks 500 ms.
func benchThroughput(b *testing.B) {
	defer benchload.Report(b)
	cps, secs := envInt("ATIENDE_BENCH_CPS", 50), envInt("ATIENDE_BENCH_SECONDS", 30)
	talk := 500 * time.Millisecond
	agents := max(20, int(float64(cps)*1.0)+10) // about cps × (talk + ring + set-up) busy, with room
	d := startBenchDesk(b, agents, talk, "  wrap_up: -1s\n  max_wait: 600s\n")
	probe := newMemProbe()
	stop := make(chan struct{})
	d.gauge.mu.Lock()
	d.gauge.watch = func(inIVR int) {
		if inIVR >= cps { // about one second of arrivals in the IVR: steady state
			select {
			case probe.trigger <- inIVR:
			default:
			}
		}
	}
	d.gauge.mu.Unlock()
	go probe.run(d.gauge, stop)
	defer close(stop)

	b.ResetTimer()
	start := time.Now()
	st, keys := runCallers(b, d, "testdata/sipp/bench_caller.xml", cps, cps*secs)
	elapsed := time.Since(start)
	b.StopTimer()

	ok, failed := statInt(st, "SuccessfulCall(C)"), statInt(st, "FailedCall(C)")
	lat := keyToInvite(keys, readSippLog(b, d.uasLog))
	_, _, peakIVR, peakCalls, started := d.gauge.snapshot()
	heapKB, sysKB, at := probe.perCallKB()
	tickets := d.a.countTickets(b)
	b.Logf("%s; offered %d cps for %d s (%d calls) to %d agents talking %v: %d ok, %d failed in %v; "+
		"%d tickets; key->INVITE p50 %.1f ms p99 %.1f ms max %.1f ms (%d matched); peak %d in IVR, %d calls; "+
		"heap %.1f KB/call, sys %.1f KB/call at %d in IVR",
		benchload.Line(), cps, secs, cps*secs, agents, talk, ok, failed, elapsed.Round(time.Millisecond), tickets,
		percentile(lat, 50), percentile(lat, 99), percentile(lat, 100), len(lat), peakIVR, peakCalls, heapKB, sysKB, at)
	b.ReportMetric(float64(ok)/float64(secs), "calls/s")
	b.ReportMetric(float64(failed), "failed")
	b.ReportMetric(float64(started), "calls-seen")
	b.ReportMetric(percentile(lat, 50), "p50-key-invite-ms")
	b.ReportMetric(percentile(lat, 99), "p99-key-invite-ms")
	b.ReportMetric(float64(peakIVR), "peak-in-ivr")
	b.ReportMetric(heapKB, "heap-KB/call")
	b.ReportMetric(0, "ns/op")
}

// benchIVRConcurrency: ATIENDE_BENCH_IVR callers arriving at 50/s listen to
// the welcome and main menu (prompts playing) for the time it takes the
// last to arrive plus 2 s; live heap per call at the peak.
func benchIVRConcurrency(b *testing.B) {
	defer benchload.Report(b)
	n := envInt("ATIENDE_BENCH_IVR", 500)
	cps := 50
	hold := time.Duration(n/cps)*time.Second + 2*time.Second
	d := startBenchDesk(b, 1, time.Second, "")
	probe := newMemProbe()
	stop := make(chan struct{})
	target := n * 95 / 100
	d.gauge.mu.Lock()
	d.gauge.watch = func(inIVR int) {
		if inIVR >= target {
			select {
			case probe.trigger <- inIVR:
			default:
			}
		}
	}
	d.gauge.mu.Unlock()
	go probe.run(d.gauge, stop)
	defer close(stop)
	var goroutines int
	go func() {
		time.Sleep(hold - time.Second)
		goroutines = runtime.NumGoroutine()
	}()

	b.ResetTimer()
	st, _ := runCallers(b, d, "testdata/sipp/bench_ivr_listener.xml", cps, n, "-d", strconv.Itoa(int(hold.Milliseconds())))
	b.StopTimer()
	ok, failed := statInt(st, "SuccessfulCall(C)"), statInt(st, "FailedCall(C)")
	_, _, peakIVR, _, _ := d.gauge.snapshot()
	heapKB, sysKB, at := probe.perCallKB()
	b.Logf("%s; %d callers at %d/s each listening %v: %d ok, %d failed; peak %d in IVR; "+
		"live heap %.1f KB/call, sys %.1f KB/call (measured at %d in IVR); %d goroutines near the peak",
		benchload.Line(), n, cps, hold, ok, failed, peakIVR, heapKB, sysKB, at, goroutines)
	b.ReportMetric(float64(peakIVR), "peak-in-ivr")
	b.ReportMetric(float64(failed), "failed")
	b.ReportMetric(heapKB, "heap-KB/call")
	b.ReportMetric(sysKB, "sys-KB/call")
	b.ReportMetric(0, "ns/op")
}

// benchBacklog: 20 agents whose calls last 2 s, callers arriving faster
// than they can serve (ATIENDE_BENCH_BACKLOG_CPS, default 12/s) for
// ATIENDE_BENCH_SECONDS: calls answered per second while callers wait, and
// each agent's idle time between hanging up and the next INVITE.
func benchBacklog(b *testing.B) {
	defer benchload.Report(b)
	cps, secs := envInt("ATIENDE_BENCH_BACKLOG_CPS", 12), envInt("ATIENDE_BENCH_SECONDS", 30)
	d := startBenchDesk(b, 20, 2*time.Second, "  wrap_up: -1s\n  max_wait: 600s\n")
	b.ResetTimer()
	st, _ := runCallers(b, d, "testdata/sipp/bench_caller.xml", cps, cps*secs)
	b.StopTimer()
	ok, failed := statInt(st, "SuccessfulCall(C)"), statInt(st, "FailedCall(C)")

	evs := readSippLog(b, d.uasLog)
	var invites []float64
	lastEnd := map[string]float64{}
	var idle []float64
	for _, e := range evs {
		if len(e.fields) < 1 {
			continue
		}
		ext := e.fields[0]
		switch e.tag {
		case "I":
			invites = append(invites, e.at)
			if t, ok := lastEnd[ext]; ok {
				idle = append(idle, (e.at-t)*1000)
				delete(lastEnd, ext)
			}
		case "E":
			lastEnd[ext] = e.at
		}
	}
	slices.Sort(invites)
	slices.Sort(idle)
	rate := math.NaN()
	if len(invites) > 10 {
		// From 3 s after the first answer (the backlog has built up) to the
		// last INVITE (the backlog lasts until then).
		t0, t1 := invites[0]+3, invites[len(invites)-1]
		n := 0
		for _, t := range invites {
			if t >= t0 && t <= t1 {
				n++
			}
		}
		rate = float64(n) / (t1 - t0)
	}
	b.Logf("%s; %d callers at %d/s to 20 agents (2 s calls, no wrap-up): %d ok, %d failed; "+
		"answered %.2f/s under backlog; agent idle between calls p50 %.1f ms p99 %.1f ms max %.1f ms (%d gaps)",
		benchload.Line(), cps*secs, cps, ok, failed, rate, percentile(idle, 50), percentile(idle, 99), percentile(idle, 100), len(idle))
	b.ReportMetric(rate, "answered/s")
	b.ReportMetric(float64(failed), "failed")
	b.ReportMetric(percentile(idle, 50), "p50-idle-ms")
	b.ReportMetric(percentile(idle, 99), "p99-idle-ms")
	b.ReportMetric(0, "ns/op")
}
