package main

// BenchmarkCallPath/VsBare: Atiende's full call path and a bare diago UAS
// (testdata/bareuas: answer, one prompt, one RFC 4733 key, hang up), side
// by side in one run, at rising rates. Sizes from the environment:
//
//	ATIENDE_BENCH_RATES         calls/s tried, rising (default 25,50,100)
//	ATIENDE_BENCH_RATE_SECONDS  how long callers arrive at each rate (default 10)
//
// At each rate the bare UAS runs first, then Atiende (IVR keys 1 and 1,
// caller lookup, ticket in PostgreSQL, queue, an agent answering, bridge,
// the agent hangs up). Each side stops rising after a rate where more than
// 5% of its calls failed. Reported per rate and side: calls ok and failed,
// INVITE->200 p50/p99, last key->agent INVITE p50/p99 (bare: last key->the
// UAS's BYE), CPU ms per call (the process: Atiende's excludes
// PostgreSQL's, reported apart) and RSS per concurrent call ((peak RSS -
// RSS before the first rate) / peak concurrent calls). Then the highest rate
// with 0 failures on each side and the ratios, with the load average.

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// rateRun is one side's figures at one rate.
type rateRun struct {
	rate, total, ok, failed, concurrent int
	inv50, inv99, key50, key99          float64 // ms
	cpuMS, pgCPUMS, rssKB               float64 // per call; RSS per concurrent call
}

func (r rateRun) String() string {
	pg := ""
	if !math.IsNaN(r.pgCPUMS) {
		pg = fmt.Sprintf(" (+ PostgreSQL %.2f)", r.pgCPUMS)
	}
	return fmt.Sprintf("%3d/s: %5d ok %4d failed of %d; INVITE->200 p50 %6.1f p99 %7.1f ms; key->next p50 %6.1f p99 %7.1f ms; "+
		"CPU %.2f ms/call%s; RSS %.1f KB per concurrent call (%d concurrent)",
		r.rate, r.ok, r.failed, r.total, r.inv50, r.inv99, r.key50, r.key99, r.cpuMS, pg, r.rssKB, r.concurrent)
}

// clean: every call offered succeeded (a call sipp had not finished when
// it stopped is not a success).
func (r rateRun) clean() bool { return r.failed == 0 && r.ok == r.total && r.ok > 0 }

// perCall divides by the calls handled.
func (r rateRun) perCall(v float64) float64 { return v / float64(max(r.ok+r.failed, 1)) }

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

func benchVsBare(b *testing.B) {
	rates, secs := benchRates(), envInt("ATIENDE_BENCH_RATE_SECONDS", 10)
	load0 := loadAvg()
	bare := startBareUAS(b)
	talk := 500 * time.Millisecond
	d := startBenchDesk(b, rates[len(rates)-1]+10, talk, "  wrap_up: -1s\n  max_wait: 600s\n")
	pgPIDs := postgresPIDs(b, d)
	selfRSS0, bareRSS0 := rssKB(os.Getpid()), rssKB(bare.pid)

	b.ResetTimer()
	var bareRuns, fullRuns []rateRun
	bareOn, fullOn := true, true
	for i, rate := range rates {
		total := rate * secs
		if bareOn {
			cpu0 := procCPU(bare.pid)
			peak := sampleRSS(bare.pid)
			st, evs := runRate(b, bare.addr, "testdata/sipp/bench_bare_caller.xml", fmt.Sprintf("8%d", i), rate, total)
			r := summarize(rate, total, st, evs, pairs(evs, "K", evs, "B"))
			r.cpuMS = r.perCall((procCPU(bare.pid) - cpu0).Seconds() * 1000)
			r.pgCPUMS = math.NaN()
			r.rssKB = (peak() - bareRSS0) / float64(max(r.concurrent, 1))
			bareRuns = append(bareRuns, r)
			fmt.Printf("VsBare bare    %v\n", r)
			bareOn = (total-r.ok)*20 <= total
		}
		if fullOn {
			cpu0, pg0 := procCPU(os.Getpid()), pidsCPU(pgPIDs)
			peak := sampleRSS(os.Getpid())
			st, evs := runRate(b, d.a.SIPAddr, "testdata/sipp/bench_caller.xml", fmt.Sprintf("9%d", i), rate, total)
			r := summarize(rate, total, st, evs, keyToInvite(evs, readSippLog(b, d.uasLog)))
			r.cpuMS = r.perCall((procCPU(os.Getpid()) - cpu0).Seconds() * 1000)
			// Connections the pool opened during the run count whole.
			now := postgresPIDs(b, d)
			var fresh []int
			for _, p := range now {
				if !slices.Contains(pgPIDs, p) {
					fresh = append(fresh, p)
				}
			}
			r.pgCPUMS = r.perCall((pidsCPU(pgPIDs) - pg0 + pidsCPU(fresh)).Seconds() * 1000)
			pgPIDs = now
			r.rssKB = (peak() - selfRSS0) / float64(max(r.concurrent, 1))
			fullRuns = append(fullRuns, r)
			fmt.Printf("VsBare atiende %v\n", r)
			fullOn = (total-r.ok)*20 <= total
		}
	}
	b.StopTimer()

	// The highest rate with every call ok, below the first rate that was
	// not: rising rates, so a clean run above a failed one does not count.
	best := func(runs []rateRun) (out rateRun, found bool, failedAt int) {
		for _, r := range runs {
			if !r.clean() {
				return out, found, r.rate
			}
			out, found = r, true
		}
		return out, found, 0
	}
	bb, okB, bareFailedAt := best(bareRuns)
	bf, okF, _ := best(fullRuns)
	var lines []string
	for i := range min(len(bareRuns), len(fullRuns)) {
		br, fr := bareRuns[i], fullRuns[i]
		if !br.clean() || !fr.clean() {
			lines = append(lines, fmt.Sprintf("%d/s: calls failed (bare %d, Atiende %d of %d)", br.rate, br.total-br.ok, fr.total-fr.ok, br.total))
			continue
		}
		lines = append(lines, fmt.Sprintf("%d/s: INVITE->200 p99 %.1fx, CPU/call %.2fx (%.2fx with PostgreSQL), RSS/concurrent call %.2fx",
			br.rate, fr.inv99/br.inv99, fr.cpuMS/br.cpuMS, (fr.cpuMS+fr.pgCPUMS)/br.cpuMS, fr.rssKB/br.rssKB))
	}
	fmt.Printf("VsBare: nproc %d; load average before %s, after %s; %d s per rate, %d agents talking %v\n", runtime.NumCPU(), load0, loadAvg(),
		secs, rates[len(rates)-1]+10, talk)
	fmt.Printf("VsBare: Atiende / bare at each rate:\nVsBare:   %s\n", strings.Join(lines, "\nVsBare:   "))
	limit := fmt.Sprintf("the bare engine first failed at %d/s", bareFailedAt)
	if bareFailedAt == 0 {
		limit = fmt.Sprintf("the bare engine never failed: its limit is above %d/s, raise ATIENDE_BENCH_RATES", bb.rate)
	}
	if okB && okF {
		fmt.Printf("VsBare: highest rate with 0 failures: Atiende %d/s, bare %d/s (%.2fx; %s)\n",
			bf.rate, bb.rate, float64(bf.rate)/float64(bb.rate), limit)
		b.ReportMetric(float64(bf.rate)/float64(bb.rate), "rate-ratio")
	}
	if okB {
		b.ReportMetric(float64(bb.rate), "bare-max-cps")
	}
	if okF {
		b.ReportMetric(float64(bf.rate), "atiende-max-cps")
		b.ReportMetric(bf.inv99, "atiende-p99-invite-200-ms")
		b.ReportMetric(bf.key99, "atiende-p99-key-agent-ms")
	}
	b.ReportMetric(0, "ns/op")
}

// runRate runs one sipp caller scenario at rate for total calls against
// addr, callers named prefix<n>, and returns its stats and log.
func runRate(b *testing.B, addr, scenario, prefix string, rate, total int) (map[string]string, []logEvent) {
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
	if err := callers.Wait(timeout + time.Minute); err != nil {
		b.Logf("callers at %d/s: %v", rate, err)
	}
	var evs []logEvent
	if _, err := os.Stat(logf); err == nil {
		evs = readSippLog(b, logf)
	}
	st := sippStats(b, stf)
	st["PeakCurrentCall"] = strconv.Itoa(maxStat(stf, "CurrentCall"))
	return st, evs
}

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
