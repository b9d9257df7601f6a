package main

// BenchmarkAsteriskIVR (`make bench`): the speed of Atiende's IVR on a real
// Asterisk 22 against a bare dialplan IVR on the same Asterisk, at rising
// call rates, the two alternating in one run so that the shared machine's
// other load weighs on both.
//
//   - Atiende: caller -> Asterisk (PJSIP trunk) -> Stasis(atiende) ->
//     Atiende's default flow, shortened after the ticket: welcome, main
//     menu, key 0 (talk to an agent) -> a ticket in PostgreSQL (number not
//     read back) -> "goodbye" -> Atiende hangs up. No agent is needed.
//   - Bare: the same caller to 7000 in a dialplan added with asterisklab's
//     Extra: Answer, Playback(welcome), Read(one digit, main menu),
//     Playback(goodbye), Hangup. The same prompts as Atiende's path.
//
// Each caller (sipp) presses 0 3.5 s after the 200 OK (the welcome lasts
// 2.2 s) and must get the BYE within 8 s of the key: a key that is lost
// leaves the caller in the 12 s menu prompt, and the call counts as failed.
// On Atiende's path, a call without its ticket counts as failed too.
//
// Per system and rate: failed calls, answer delay (INVITE -> 200 OK, sipp's
// response time, 1 ms resolution) p50/p99, and the processor time of
// Asterisk and of Atiende per call (user + system from /proc; Atiende runs
// in this test process; PostgreSQL's time is not counted).
//
//	ATIENDE_BENCH_RATES    calls per second, rising (default 20,50,100,150)
//	ATIENDE_BENCH_SECONDS  how long callers arrive at each rate (default 10)
//
// A system that fails at one rate is not tried at higher ones.

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/metrics/benchload"
)

// bareDialplan is the bare IVR, reachable from the trunk at 7000.
const bareDialplan = `
[atiende-bench-bare]
exten => 7000,1,Answer()
 same => n,Playback(atiende/es/welcome)
 same => n,Read(digit,atiende/es/main-menu,1,,1,6)
 same => n,Playback(atiende/es/goodbye)
 same => n,Hangup()

[from-trunk]
include => atiende-bench-bare
`

// astBenchCaller calls [service] as [caller][call_number], presses 0 after
// the welcome and waits for the IVR's BYE.
const astBenchCaller = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="asterisk bench caller: welcome, key 0, goodbye">
  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "bench caller" <sip:[caller][call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller][call_number]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=ptime:20
      a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" timeout="15000"/>
  <send>
    <![CDATA[

      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "bench caller" <sip:[caller][call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:[caller][call_number]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="3500"/>
  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_0.pcap"/></action></nop>
  <recv request="BYE" timeout="8000"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[caller][call_number]@[local_ip]:[local_port]>
      Content-Length: 0

    ]]>
  </send>
</scenario>
`

// astBenchFlow is the default flow, with the ticket number not read back
// and the queue replaced by "goodbye" and a hang-up.
func astBenchFlow(b testing.TB) string {
	raw, err := os.ReadFile("../../ivr/flows/default.yaml")
	if err != nil {
		b.Fatal(err)
	}
	s := string(raw)
	for _, r := range [][2]string{
		{"say_number: true", "say_number: false"},
		{"  queue:\n    type: enqueue\n    prompts: [transfer]\n    answered: survey\n", "  queue:\n    type: hangup\n    prompts: [goodbye]\n"},
	} {
		if !strings.Contains(s, r[0]) {
			b.Fatalf("default flow changed: %q not found", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	path := filepath.Join(b.TempDir(), "asterisk-bench-flow.yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

func envRates(name string, def []int) []int {
	var out []int
	for _, f := range strings.Split(os.Getenv(name), ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return def
	}
	return out
}

// astRound is one system at one rate.
type astRound struct {
	rate, calls, ok, failed int
	answerMs                []float64 // sorted
	astCPU, ctlCPU          time.Duration
	tickets                 int
	elapsed                 time.Duration
}

func (r astRound) perCall(d time.Duration) float64 {
	if r.calls == 0 {
		return math.NaN()
	}
	return float64(d) / float64(time.Millisecond) / float64(r.calls)
}

// astSystem is one of the two IVRs under test.
type astSystem struct {
	name, service string
	rounds        []astRound
	failedAt      int // first rate with a failure; 0: none
}

func (s *astSystem) best() (astRound, bool) {
	var out astRound
	found := false
	for _, r := range s.rounds {
		if r.failed == 0 && r.ok == r.calls && r.rate > out.rate {
			out, found = r, true
		}
	}
	return out, found
}

func BenchmarkAsteriskIVR(b *testing.B) {
	defer benchload.Report(b)
	sippeer.Need(b, "sipp")
	rates := envRates("ATIENDE_BENCH_RATES", []int{20, 50, 100, 150})
	secs := envInt("ATIENDE_BENCH_SECONDS", 10)
	load0 := benchload.Averages()
	ast := asterisklab.Start(b, asterisklab.Options{RTPPorts: 4000,
		Extra: map[string]string{"extensions.conf": bareDialplan}})
	a := startAtiende(b, harnessOptions{Env: asteriskEnv(ast), NoDemoData: true, FlowFile: astBenchFlow(b),
		KeepLogs: keepLogs()})
	self := os.Getpid()
	atiendeSys := &astSystem{name: "Atiende (ARI)", service: "6000"}
	bareSys := &astSystem{name: "bare dialplan", service: "7000"}

	rounds := 0
	round := func(s *astSystem, rate, total int) astRound {
		b.Helper()
		rounds++
		dir := benchDir(b)
		scenario := filepath.Join(dir, "astcaller.xml")
		if err := os.WriteFile(scenario, []byte(astBenchCaller), 0o600); err != nil {
			b.Fatal(err)
		}
		tickets0 := a.countTickets(b)
		ast0, _ := ast.CPU()
		ctl0, _ := asterisklab.ProcessCPU(self)
		start := time.Now()
		stf, errf := filepath.Join(dir, "stats.csv"), filepath.Join(dir, "errors.log")
		callers := sippeer.StartSipp(b, sippeer.SippOptions{
			Scenario: scenario, Remote: ast.SIPAddr(), Timeout: time.Duration(total/rate)*time.Second + 3*time.Minute,
			// A caller number per call and round: no earlier ticket is offered.
			Keys: []string{fmt.Sprintf("caller=55%02d%s", rounds, s.service)},
			Args: []string{"-s", s.service, "-r", strconv.Itoa(rate), "-m", strconv.Itoa(total), "-l", "5000",
				"-trace_stat", "-stf", stf, "-fd", "1", "-trace_rtt", "-rtt_freq", "1", "-error_file", errf},
		})
		err := callers.Wait(time.Duration(total/rate)*time.Second + 4*time.Minute)
		elapsed := time.Since(start)
		if err != nil {
			errs, _ := os.ReadFile(errf)
			b.Logf("%s at %d/s: sipp: %v; sipp's errors (first 1500 bytes):\n%s", s.name, rate, err, errs[:min(len(errs), 1500)])
		}
		// Asterisk's channels gone: the round's work is done.
		idle := waitFor(20*time.Second, func() bool {
			var chans []struct{}
			return ast.ARI("GET", "/channels", &chans) == nil && len(chans) == 0
		})
		if !idle {
			b.Logf("%s at %d/s: Asterisk still has channels 20 s after the callers ended", s.name, rate)
		}
		ast1, _ := ast.CPU()
		ctl1, _ := asterisklab.ProcessCPU(self)
		st := sippStats(b, stf)
		r := astRound{rate: rate, calls: total, ok: statInt(st, "SuccessfulCall(C)"),
			failed: statInt(st, "FailedCall(C)"), astCPU: ast1 - ast0, ctlCPU: ctl1 - ctl0,
			tickets: a.countTickets(b) - tickets0, elapsed: elapsed}
		if r.ok+r.failed < total { // calls sipp never completed
			r.failed = total - r.ok
		}
		if s == atiendeSys && r.tickets < r.calls { // a call that ended without its ticket failed too
			r.failed = max(r.failed, r.calls-r.tickets)
		}
		r.answerMs = readRTT(b, dir, scenario)
		fmt.Printf("asterisk bench: %-14s %4d/s: %d calls, %d ok, %d failed in %v; answer p50 %.0f ms p99 %.0f ms (%d); "+
			"CPU/call Asterisk %.2f ms, Atiende %.2f ms; %d tickets; %s\n",
			s.name, rate, total, r.ok, r.failed, elapsed.Round(time.Millisecond), percentile(r.answerMs, 50),
			percentile(r.answerMs, 99), len(r.answerMs), r.perCall(r.astCPU), r.perCall(r.ctlCPU), r.tickets, benchload.Line())
		return r
	}

	// Warm-up (not counted): prompts in the page cache, connections open.
	fmt.Println("asterisk bench: warm-up, not counted")
	for _, s := range []*astSystem{bareSys, atiendeSys} {
		round(s, 10, 20)
	}
	fmt.Println("asterisk bench: measured rounds")
	b.ResetTimer()
	for i, rate := range rates {
		order := []*astSystem{bareSys, atiendeSys}
		if i%2 == 1 {
			order = []*astSystem{atiendeSys, bareSys}
		}
		for _, s := range order {
			if s.failedAt != 0 {
				continue
			}
			r := round(s, rate, rate*secs)
			s.rounds = append(s.rounds, r)
			if r.failed > 0 || r.ok < r.calls {
				s.failedAt = rate
			}
		}
	}
	b.StopTimer()
	load1 := benchload.Averages()

	var t strings.Builder
	fmt.Fprintf(&t, "\nAtiende vs bare dialplan IVR on Asterisk 22 (%d cores; load average %s at start, %s at end; %d s of arrivals per rate)\n",
		runtime.NumCPU(), load0, load1, secs)
	fmt.Fprintf(&t, "(Ast/Ctl ms/c: processor ms per call of Asterisk / of Atiende; Ctl/Ast and p99 diff: Atiende's row against\n"+
		" Asterisk's CPU on the same row, and against the bare row's p99 at the same rate)\n")
	fmt.Fprintf(&t, "%-14s %6s %6s %6s %8s %8s %9s %9s %8s %8s %8s\n", "system", "rate/s", "calls", "failed",
		"ans p50", "ans p99", "Ast ms/c", "Ctl ms/c", "Ctl/Ast", "p99 diff", "tickets")
	for _, rate := range rates {
		var bareP99 = math.NaN()
		for _, s := range []*astSystem{bareSys, atiendeSys} {
			for _, r := range s.rounds {
				if r.rate != rate {
					continue
				}
				share, diff := "-", "-"
				if s == bareSys {
					bareP99 = percentile(r.answerMs, 99)
				} else {
					share = fmt.Sprintf("%.1f%%", 100*float64(r.ctlCPU)/float64(r.astCPU))
					if !math.IsNaN(bareP99) {
						diff = fmt.Sprintf("%+.0fms", percentile(r.answerMs, 99)-bareP99)
					}
				}
				fmt.Fprintf(&t, "%-14s %6d %6d %6d %6.0fms %6.0fms %9.2f %9.2f %8s %8s %8d\n", s.name, r.rate, r.calls, r.failed,
					percentile(r.answerMs, 50), percentile(r.answerMs, 99), r.perCall(r.astCPU), r.perCall(r.ctlCPU),
					share, diff, r.tickets)
			}
		}
	}
	ab, aok := atiendeSys.best()
	bb, bok := bareSys.best()
	rateOf := func(r astRound, ok bool) string {
		if !ok {
			return "none"
		}
		return strconv.Itoa(r.rate) + "/s"
	}
	fmt.Fprintf(&t, "highest rate with 0 failures: Atiende %s, bare %s", rateOf(ab, aok), rateOf(bb, bok))
	if aok && bok {
		ratio := float64(ab.rate) / float64(bb.rate)
		fmt.Fprintf(&t, " -> ratio %.2f (goal >= 1: %s)", ratio, goal(ratio >= 1))
	}
	if aok && bb.rate == rates[len(rates)-1] && ab.rate == bb.rate {
		t.WriteString(" (both passed every rate tried: raise ATIENDE_BENCH_RATES to find the limits)")
	}
	t.WriteString("\n")
	// The CPU and delay ratios at the highest rate both ran without failure
	// (the same rate, so that the load is the same).
	common := 0
	for _, ar := range atiendeSys.rounds {
		for _, br := range bareSys.rounds {
			if ar.rate == br.rate && ar.failed == 0 && br.failed == 0 && ar.rate > common {
				common = ar.rate
			}
		}
	}
	if common > 0 {
		var ar, br astRound
		for _, r := range atiendeSys.rounds {
			if r.rate == common {
				ar = r
			}
		}
		for _, r := range bareSys.rounds {
			if r.rate == common {
				br = r
			}
		}
		ctlShare := float64(ar.ctlCPU) / float64(ar.astCPU)
		p99diff := percentile(ar.answerMs, 99) - percentile(br.answerMs, 99)
		fmt.Fprintf(&t, "at %d/s, the highest rate both ran without failure:\n"+
			"  controller CPU / Asterisk CPU per call (Atiende path) %.1f%% (goal <= 20%%: %s)\n"+
			"  Asterisk CPU per call, Atiende path / bare %.2f\n"+
			"  answer p99 Atiende - bare %+.0f ms (goal <= +20 ms: %s)\n",
			common, 100*ctlShare, goal(ctlShare <= 0.20), ar.perCall(ar.astCPU)/br.perCall(br.astCPU),
			p99diff, goal(p99diff <= 20))
		b.ReportMetric(100*ctlShare, "ctl-cpu-%-of-ast")
		b.ReportMetric(p99diff, "p99-answer-diff-ms")
		b.ReportMetric(ar.perCall(ar.ctlCPU), "atiende-cpu-ms/call")
		b.ReportMetric(ar.perCall(ar.astCPU), "ast-cpu-ms/call-atiende")
		b.ReportMetric(br.perCall(br.astCPU), "ast-cpu-ms/call-bare")
	}
	// On stdout: go test keeps only the first 10 lines of a benchmark's log.
	fmt.Print(t.String())
	b.ReportMetric(float64(ab.rate), "atiende-max-cps")
	b.ReportMetric(float64(bb.rate), "bare-max-cps")
	b.ReportMetric(0, "ns/op")
}

// readRTT reads sipp's -trace_rtt file of the scenario (next to it, or in
// the working directory): the answer delays in ms, sorted.
func readRTT(b testing.TB, dir, scenario string) []float64 {
	base := strings.TrimSuffix(filepath.Base(scenario), ".xml")
	paths, _ := filepath.Glob(filepath.Join(dir, base+"_*_rtt.csv"))
	if len(paths) == 0 {
		paths, _ = filepath.Glob(base + "_*_rtt.csv")
		defer func() {
			for _, p := range paths {
				os.Remove(p)
			}
		}()
	}
	var ms []float64
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			b.Logf("sipp rtt: %v", err)
			continue
		}
		for _, line := range strings.Split(string(raw), "\n") {
			f := strings.Split(strings.TrimSpace(line), ";")
			if len(f) < 2 {
				continue
			}
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				ms = append(ms, v)
			}
		}
	}
	if len(ms) == 0 {
		b.Logf("no sipp rtt file for %s", scenario)
	}
	slices.Sort(ms)
	return ms
}

func goal(met bool) string {
	if met {
		return "met"
	}
	return "NOT met"
}
