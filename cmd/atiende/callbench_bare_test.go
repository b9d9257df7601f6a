package main

// BenchmarkCallPath/VsBare: Atiende's full call path and a bare diago UAS
// (testdata/bareuas: answer, one prompt, one RFC 4733 key, hang up), side
// by side in one run, at rising rates, on an empty desk and again with a
// history. Sizes from the environment:
//
//	ATIENDE_BENCH_RATES         calls/s tried, rising (default 25,50,100)
//	ATIENDE_BENCH_RATE_SECONDS  how long callers arrive at each rate (default 10)
//	ATIENDE_BENCH_HISTORY       tickets with history loaded before the second
//	                            pass (default 1000000; 0: no second pass)
//
// First pass, at 0 tickets: at each rate the bare UAS runs first, then
// Atiende (IVR keys 1 and 1, caller lookup, ticket in PostgreSQL, queue, an
// agent answering, bridge, the agent hangs up). Each side stops rising after
// a rate where more than 5% of its calls failed. Then the same Atiende's
// database gets the history of TestCallPathIndexes (pgtest.LoadHistory) and
// Atiende runs the rates again; the bare UAS, which has no database, runs
// once. Reported per rate and side: calls ok and failed, INVITE->200
// p50/p99, last key->agent INVITE p50/p99 (bare: last key->the UAS's BYE),
// CPU ms per call (the process: Atiende's excludes PostgreSQL's, reported
// apart), RSS per concurrent call ((peak RSS - RSS before the first rate) /
// peak concurrent calls), Atiende's heap allocations per call, the load
// average. Then, per pass, the ratios to the bare UAS, the highest rate with
// 0 failures on each side and the goals.

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/metrics/benchload"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// rateRun is one side's figures at one rate.
type rateRun struct {
	rate, total, ok, failed, concurrent int
	inv50, inv99, key50, key99          float64 // ms
	cpuMS, pgCPUMS, rssKB               float64 // per call; RSS per concurrent call
	allocs, allocKB                     float64 // heap allocations and bytes per call (Atiende's process only)
	load                                string  // load average after the rate
}

func (r rateRun) String() string {
	pg, alloc := "", ""
	if !math.IsNaN(r.pgCPUMS) {
		pg = fmt.Sprintf(" (+ PostgreSQL %.2f)", r.pgCPUMS)
	}
	if !math.IsNaN(r.allocs) {
		alloc = fmt.Sprintf("; %.0f allocations, %.0f KB allocated per call", r.allocs, r.allocKB)
	}
	return fmt.Sprintf("%3d/s: %5d ok %4d failed of %d; INVITE->200 p50 %6.1f p99 %7.1f ms; key->next p50 %6.1f p99 %7.1f ms; "+
		"CPU %.2f ms/call%s; RSS %.1f KB per concurrent call (%d concurrent)%s; nproc %d, load average %s",
		r.rate, r.ok, r.failed, r.total, r.inv50, r.inv99, r.key50, r.key99, r.cpuMS, pg, r.rssKB, r.concurrent, alloc,
		runtime.NumCPU(), r.load)
}

// clean: every call offered succeeded (a call sipp had not finished when
// it stopped is not a success).
func (r rateRun) clean() bool { return r.failed == 0 && r.ok == r.total && r.ok > 0 }

// perCall divides by the calls handled.
func (r rateRun) perCall(v float64) float64 { return v / float64(max(r.ok+r.failed, 1)) }

// rising: a side keeps rising while at most 5% of its calls failed.
func (r rateRun) rising() bool { return (r.total-r.ok)*20 <= r.total }

func benchRates() []int {
	var out []int
	for _, f := range strings.Split(os.Getenv("ATIENDE_BENCH_RATES"), ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		out = []int{25, 50, 100}
	}
	slices.Sort(out)
	return out
}

// benchHistory is how many tickets (with history) are loaded before the
// second pass: ATIENDE_BENCH_HISTORY, default 1,000,000; 0 runs the first
// pass only.
func benchHistory() int {
	if n, err := strconv.Atoi(os.Getenv("ATIENDE_BENCH_HISTORY")); err == nil && n >= 0 {
		return n
	}
	return 1000000
}

// pass is Atiende's runs at rising rates with a given history.
type pass struct {
	history int     // tickets loaded before it
	rss0    float64 // Atiende's RSS at its start, garbage returned to the system
	runs    []rateRun
}

// idleRSS is this process's RSS with its garbage collected and returned to
// the system: what Atiende holds between calls, as the bare UAS's RSS at
// its start is.
func idleRSS() float64 {
	debug.FreeOSMemory()
	return rssKB(os.Getpid())
}

func (p pass) label() string {
	if p.history >= 1000000 && p.history%1000000 == 0 {
		return fmt.Sprintf("%dM", p.history/1000000)
	}
	return strconv.Itoa(p.history)
}

func benchVsBare(b *testing.B) {
	defer benchload.Report(b)
	rates, secs, history := benchRates(), envInt("ATIENDE_BENCH_RATE_SECONDS", 10), benchHistory()
	load0 := benchload.Averages()
	bare := startBareUAS(b)
	talk := 500 * time.Millisecond
	// Twice as many agents as calls arriving per second at the top rate,
	// each busy about a second a call: key->agent INVITE measures Atiende,
	// not a wait for a free agent.
	agents := 2*rates[len(rates)-1] + 10
	d := startBenchDesk(b, agents, talk, "  wrap_up: -1s\n  max_wait: 600s\n")
	pgPIDs := postgresPIDs(b, d)
	bareRSS0 := rssKB(bare.pid)

	runBare := func(i, rate int) rateRun {
		total := rate * secs
		cpu0 := procCPU(bare.pid)
		peak := sampleRSS(bare.pid)
		var cpu time.Duration
		var peakKB float64
		st, evs := runRate(b, bare.addr, "testdata/sipp/bench_bare_caller.xml", fmt.Sprintf("8%d", i), rate, total, func() {
			cpu, peakKB = procCPU(bare.pid)-cpu0, peak()
		})
		r := summarize(rate, total, st, evs, pairs(evs, "K", evs, "B"))
		r.cpuMS = r.perCall(cpu.Seconds() * 1000)
		r.pgCPUMS, r.allocs, r.allocKB = math.NaN(), math.NaN(), math.NaN()
		r.rssKB = (peakKB - bareRSS0) / float64(max(r.concurrent, 1))
		r.load = benchload.Averages()
		fmt.Printf("VsBare bare         %v\n", r)
		return r
	}
	// Callers of each pass have their own prefix: the agents' log, where
	// key->agent INVITE is matched by caller ID, spans both passes.
	runFull := func(p *pass, prefix string, i, rate int) rateRun {
		total := rate * secs
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		cpu0, pg0 := procCPU(os.Getpid()), pidsCPU(pgPIDs)
		peak := sampleRSS(os.Getpid())
		var cpu, pgCPU time.Duration
		var peakKB float64
		// Measured as soon as the callers are done: reading sipp's logs
		// afterwards costs this process CPU and memory too.
		st, evs := runRate(b, d.a.SIPAddr, "testdata/sipp/bench_caller.xml", fmt.Sprintf("%s%d", prefix, i), rate, total, func() {
			cpu, peakKB = procCPU(os.Getpid())-cpu0, peak()
			runtime.ReadMemStats(&m1)
			// Connections the pool opened during the run count whole.
			now := postgresPIDs(b, d)
			var fresh []int
			for _, p := range now {
				if !slices.Contains(pgPIDs, p) {
					fresh = append(fresh, p)
				}
			}
			pgCPU = pidsCPU(pgPIDs) - pg0 + pidsCPU(fresh)
			pgPIDs = now
		})
		r := summarize(rate, total, st, evs, keyToInvite(evs, readSippLog(b, d.uasLog)))
		r.cpuMS = r.perCall(cpu.Seconds() * 1000)
		r.allocs = r.perCall(float64(m1.Mallocs - m0.Mallocs))
		r.allocKB = r.perCall(float64(m1.TotalAlloc-m0.TotalAlloc) / 1024)
		r.pgCPUMS = r.perCall(pgCPU.Seconds() * 1000)
		r.rssKB = (peakKB - p.rss0) / float64(max(r.concurrent, 1))
		r.load = benchload.Averages()
		fmt.Printf("VsBare atiende %-4s %v\n", p.label(), r)
		return r
	}

	b.ResetTimer()
	// First pass, on an empty desk: the bare UAS and Atiende alternate at
	// each rate, each stopping after a rate where it failed more than 5%.
	var bareRuns []rateRun
	passes := []*pass{{history: 0, rss0: idleRSS()}}
	bareOn, fullOn := true, true
	for i, rate := range rates {
		if bareOn {
			r := runBare(i, rate)
			bareRuns = append(bareRuns, r)
			bareOn = r.rising()
		}
		if fullOn {
			r := runFull(passes[0], "9", i, rate)
			passes[0].runs = append(passes[0].runs, r)
			fullOn = r.rising()
		}
	}
	// Second pass: the same Atiende, its database now holding history
	// tickets besides the first pass's; the bare UAS's figures are the
	// first pass's.
	if history > 0 {
		b.StopTimer()
		loadBenchHistory(b, d, history)
		pgPIDs = postgresPIDs(b, d)
		b.StartTimer()
		p := &pass{history: history, rss0: idleRSS()}
		passes = append(passes, p)
		for i, rate := range rates {
			r := runFull(p, "7", i, rate)
			p.runs = append(p.runs, r)
			if !r.rising() {
				break
			}
		}
	}
	b.StopTimer()

	fmt.Printf("VsBare: nproc %d; load average before %s, after %s; %d s per rate, %d agents talking %v\n", runtime.NumCPU(), load0,
		benchload.Averages(), secs, agents, talk)
	bb, okB, bareFailedAt := bestRate(bareRuns)
	limit := fmt.Sprintf("the bare engine first failed at %d/s", bareFailedAt)
	if bareFailedAt == 0 {
		limit = fmt.Sprintf("the bare engine never failed: its limit is above %d/s, raise ATIENDE_BENCH_RATES", bb.rate)
	}
	if okB {
		b.ReportMetric(float64(bb.rate), "bare-max-cps")
	}
	for _, p := range passes {
		reportPass(b, p, bareRuns, bb, okB, limit)
	}
	b.ReportMetric(0, "ns/op")
}

// bestRate is the highest rate with every call ok, below the first rate
// that was not: rising rates, so a clean run above a failed one does not
// count.
func bestRate(runs []rateRun) (out rateRun, found bool, failedAt int) {
	for _, r := range runs {
		if !r.clean() {
			return out, found, r.rate
		}
		out, found = r, true
	}
	return out, found, 0
}

// reportPass prints a pass against the bare UAS, rate by rate, the highest
// rate with 0 failures of each and the goals, and reports its
// metrics suffixed with the history (@0, @1M).
func reportPass(b *testing.B, p *pass, bareRuns []rateRun, bb rateRun, okB bool, limit string) {
	at := p.label() + " tickets"
	var lines []string
	p99Within, rssWithin := true, true
	for i := range min(len(bareRuns), len(p.runs)) {
		br, fr := bareRuns[i], p.runs[i]
		if !br.clean() || !fr.clean() {
			lines = append(lines, fmt.Sprintf("%d/s: calls failed (bare %d, Atiende %d of %d)", br.rate, br.total-br.ok, fr.total-fr.ok, br.total))
			continue
		}
		p99Within = p99Within && fr.inv99 <= 2*br.inv99
		rssWithin = rssWithin && fr.rssKB <= 1.2*br.rssKB
		lines = append(lines, fmt.Sprintf("%d/s: INVITE->200 p99 %.1fx (p50 %.1fx), CPU/call %.2fx (%.2fx with PostgreSQL), RSS/concurrent call %.2fx",
			br.rate, fr.inv99/br.inv99, fr.inv50/br.inv50, fr.cpuMS/br.cpuMS, (fr.cpuMS+fr.pgCPUMS)/br.cpuMS, fr.rssKB/br.rssKB))
	}
	fmt.Printf("VsBare: %s: Atiende / bare at each rate:\nVsBare:   %s\n", at, strings.Join(lines, "\nVsBare:   "))
	bf, okF, _ := bestRate(p.runs)
	suffix := "@" + p.label()
	if okB && okF {
		ratio := float64(bf.rate) / float64(bb.rate)
		fmt.Printf("VsBare: %s: highest rate with 0 failures: Atiende %d/s, bare %d/s (%.2fx; %s); "+
			"at %d/s Atiende INVITE->200 p50 %.1f p99 %.1f ms, key->agent INVITE p50 %.1f p99 %.1f ms, "+
			"CPU %.2f ms/call (+ PostgreSQL %.2f), RSS %.1f KB per concurrent call, %.0f allocations per call\n",
			at, bf.rate, bb.rate, ratio, limit, bf.rate, bf.inv50, bf.inv99, bf.key50, bf.key99, bf.cpuMS, bf.pgCPUMS, bf.rssKB, bf.allocs)
		fmt.Printf("VsBare: %s: goals: rate >= 0.9x bare %s; INVITE->200 p99 <= 2x bare at every clean rate %s; "+
			"RSS per concurrent call <= 1.2x bare %s\n", at, goal(ratio >= 0.9), goal(p99Within), goal(rssWithin))
		b.ReportMetric(ratio, "rate-ratio"+suffix)
	} else {
		fmt.Printf("VsBare: %s: no rate without failures (Atiende %v, bare %v)\n", at, okF, okB)
	}
	if okF {
		b.ReportMetric(float64(bf.rate), "atiende-max-cps"+suffix)
		b.ReportMetric(bf.inv99, "atiende-p99-invite-200-ms"+suffix)
		b.ReportMetric(bf.key99, "atiende-p99-key-agent-ms"+suffix)
	}
}

// loadBenchHistory loads history tickets into Atiende's database (the
// loader of TestCallPathIndexes), then VACUUMs and CHECKPOINTs, as a desk
// with years of history has long been: the second pass measures calls, not
// the bulk load's aftermath.
func loadBenchHistory(b *testing.B, d *benchDesk, history int) {
	ctx := context.Background()
	start := time.Now()
	if err := pgtest.LoadHistory(ctx, d.a.DBURL, history, time.Now().Add(-time.Hour), func(f string, args ...any) {
		fmt.Printf("VsBare: "+f+"\n", args...)
	}); err != nil {
		b.Fatalf("load %d tickets: %v", history, err)
	}
	for _, sql := range []string{"VACUUM (ANALYZE) tickets, ticket_history, ticket_calls", "CHECKPOINT"} {
		if _, err := pgtest.Query(d.a.DBURL, sql); err != nil {
			b.Logf("%s: %v", sql, err)
		}
	}
	out, err := pgtest.Query(d.a.DBURL, "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_history)")
	if err != nil {
		b.Fatal(err)
	}
	var n, h int
	if _, err := fmt.Sscanf(out, "%d|%d", &n, &h); err != nil {
		b.Fatalf("counts %q: %v", out, err)
	}
	fmt.Printf("VsBare: %d tickets, %d history entries in Atiende's database after %v (load, VACUUM, CHECKPOINT); %s\n",
		n, h, time.Since(start).Round(time.Second), benchload.Line())
}

// runRate runs one sipp caller scenario at rate for total calls against
// addr, callers named prefix<n>, calls done when they are, and returns its
// stats and log.
func runRate(b *testing.B, addr, scenario, prefix string, rate, total int, done func()) (map[string]string, []logEvent) {
	b.Helper()
	dir := benchDir(b)
	stf, logf := filepath.Join(dir, "callers.csv"), filepath.Join(dir, "callers.log")
	timeout := time.Duration(total/rate)*time.Second + 3*time.Minute
	callers := sippeer.StartSipp(b, sippeer.SippOptions{
		Scenario: scenario, Remote: addr, Timeout: timeout,
		Keys: []string{"caller=" + prefix},
		Args: []string{"-s", "6000", "-r", strconv.Itoa(rate), "-m", strconv.Itoa(total), "-l", "10000",
			"-trace_stat", "-stf", stf, "-fd", "1", "-trace_logs", "-log_file", logf,
			"-error_file", filepath.Join(dir, "errors.log")},
	})
	err := callers.Wait(timeout + time.Minute)
	done()
	if err != nil {
		b.Logf("callers at %d/s: %v", rate, err)
	}
	var evs []logEvent
	if _, err := os.Stat(logf); err == nil {
		evs = readSippLog(b, logf)
	}
	st := sippStats(b, stf)
	st["PeakCurrentCall"] = strconv.Itoa(maxStat(stf, "CurrentCall"))
	if statInt(st, "FailedCall(C)") > 0 {
		n, first, overloaded := sippErrors(filepath.Join(dir, "errors.log"))
		fmt.Printf("VsBare: %s at %d/s: %d failed calls; sipp's watchdog tripped %d times; %d calls aborted, the first:\nVsBare:   %s\n",
			scenario, rate, statInt(st, "FailedCall(C)"), overloaded, n, strings.Join(first, "\nVsBare:   "))
	}
	return st, evs
}

// sippErrors reads sipp's error file, whose entries each begin with a
// date and a tab (and are not always one a line): the calls it aborted
// (timeouts, unexpected messages), the first three of them, and how often
// its own watchdog tripped (sipp was starved of CPU: the load generator,
// not only the system measured, was late).
func sippErrors(path string) (aborted int, first []string, overloaded int) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, 0
	}
	s := string(raw)
	starts := sippEntry.FindAllStringIndex(s, -1)
	for i, at := range starts {
		end := len(s)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		e := strings.TrimSpace(s[at[0]:end])
		low := strings.ToLower(e)
		switch {
		case strings.Contains(low, "watchdog"):
			overloaded++
		case strings.Contains(low, "aborting") || strings.Contains(low, "timeout") || strings.Contains(low, "unexpected"):
			aborted++
			if len(first) < 3 {
				first = append(first, e[:min(len(e), 240)])
			}
		}
	}
	return aborted, first, overloaded
}

var sippEntry = regexp.MustCompile(`\d{4}-\d{2}-\d{2}\t`)

func summarize(rate, total int, st map[string]string, evs []logEvent, keyMS []float64) rateRun {
	inv := pairs(evs, "S", evs, "A")
	return rateRun{rate: rate, total: total, ok: statInt(st, "SuccessfulCall(C)"), failed: statInt(st, "FailedCall(C)"),
		concurrent: statInt(st, "PeakCurrentCall"),
		inv50:      percentile(inv, 50), inv99: percentile(inv, 99),
		key50: percentile(keyMS, 50), key99: percentile(keyMS, 99)}
}

// pairs matches each caller's first `from` event to its first `to` event
// and returns the delays in ms, sorted.
func pairs(a []logEvent, from string, z []logEvent, to string) []float64 {
	start := map[string]float64{}
	for _, e := range a {
		if e.tag == from && len(e.fields) >= 1 {
			if _, seen := start[e.fields[0]]; !seen {
				start[e.fields[0]] = e.at
			}
		}
	}
	var ms []float64
	for _, e := range z {
		if e.tag != to || len(e.fields) < 1 {
			continue
		}
		if t, ok := start[e.fields[0]]; ok {
			ms = append(ms, (e.at-t)*1000)
			delete(start, e.fields[0])
		}
	}
	slices.Sort(ms)
	return ms
}

// maxStat is the largest value of a column of a sipp -trace_stat file.
func maxStat(path, key string) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	col := slices.Index(strings.Split(lines[0], ";"), key)
	best := 0
	for _, l := range lines[1:] {
		if f := strings.Split(l, ";"); col >= 0 && col < len(f) {
			n, _ := strconv.Atoi(strings.TrimSpace(f[col]))
			best = max(best, n)
		}
	}
	return best
}

type bareUAS struct {
	addr string
	pid  int
}

// startBareUAS builds and starts testdata/bareuas on a free port with its
// own RTP range, and stops it when b ends.
func startBareUAS(b *testing.B) bareUAS {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "bareuas")
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	if out, err := exec.Command(goBin, "build", "-o", bin, "./testdata/bareuas").CombinedOutput(); err != nil {
		b.Fatalf("build bareuas: %v\n%s", err, out)
	}
	// Its own RTP range, apart from the one Atiende's config takes.
	alo, ahi := rtpRange(b)
	lo := 0
	for try := range 40 {
		c := 10000 + 2*((try*7919)%((31000-4000-10000)/2))
		if (c+4000 <= alo || c > ahi) && portsFree(c, c+4000) {
			lo = c
			break
		}
	}
	if lo == 0 {
		b.Fatal("no free RTP port range for the bare UAS")
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sippeer.FreePort(b))
	cmd := exec.Command(bin, "-addr", addr, "-rtp", fmt.Sprintf("%d-%d", lo, lo+3999))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "listening on") {
				ready <- true
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		b.Fatal("bareuas did not start")
	}
	return bareUAS{addr: addr, pid: cmd.Process.Pid}
}

// procCPU is the user + system CPU time of process pid.
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

func pidsCPU(pids []int) time.Duration {
	var sum time.Duration
	for _, p := range pids {
		sum += procCPU(p)
	}
	return sum
}

// postgresPIDs are the server processes of Atiende's database: its
// connections and the background workers (WAL writer, checkpointer), as
// pg_stat_activity lists them now; pooled connections live through the run.
func postgresPIDs(b *testing.B, d *benchDesk) []int {
	pids, err := pgtest.BackendPIDs(d.a.DBURL)
	if err != nil {
		b.Logf("PostgreSQL pids: %v", err)
	}
	return pids
}

// rssKB is the resident set size of process pid.
func rssKB(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return math.NaN()
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return n
		}
	}
	return math.NaN()
}

// sampleRSS samples pid's RSS every 100 ms until the returned function is
// called, which returns the peak.
func sampleRSS(pid int) func() float64 {
	var mu sync.Mutex
	peak := rssKB(pid)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				v := rssKB(pid)
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

func TestSippErrors(t *testing.T) {
	// As sipp wrote it in a run: entries not always one a line.
	raw := "2026-12-08\t00:30:05.194610\t1796689805.194610: Overload warning: the minor watchdog timer 500ms has been tripped (692), 119 trips remaining." +
		"2026-12-08\t00:32:31.252812\t1796689951.252812: Call-Id: 249-22823@127.0.0.1, receive timeout on message bench caller:11 without label to jump to (ontimeout attribute): aborting call\n" +
		"2026-12-08\t00:32:31.296761\t1796689951.296761: Call-Id: 295-22823@127.0.0.1, receive timeout on message bench caller:11 without label to jump to (ontimeout attribute): aborting call\n"
	path := filepath.Join(t.TempDir(), "errors.log")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	aborted, first, overloaded := sippErrors(path)
	if aborted != 2 || overloaded != 1 || len(first) != 2 || !strings.Contains(first[0], "249-22823") || strings.Contains(first[0], "295-22823") {
		t.Fatalf("aborted %d, overloaded %d, first %q", aborted, overloaded, first)
	}
}
