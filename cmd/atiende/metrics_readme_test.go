package main

// Every metric the README lists moves when its event happens, against the
// real binary: phones register with sipp, a caller walks the menu and waits
// in a queue, an agent (her console a websocket client that acknowledges
// the pop) answers, talks and wraps up, tickets are created, answered late,
// escalated and resolved, a caller scores the call on the survey page, and
// the database stalls while the open tickets are counted; and, from
// loopback addresses of their own, attackers send a SIP request without
// From, guess a phone's password, and place more calls than their source
// may and never acknowledge them; and a second Atiende on a real Asterisk
// sees it stop. The list comes from README.md: a metric
// listed there without a case here fails, and so does an atiende_* metric
// /metrics exports that README.md does not list.

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
	"github.com/gorilla/websocket"
	"github.com/icholy/digest"
)

// exportedOnly are the README metrics that no event from outside can move
// without a bug in Atiende. For each, this test only checks that it is
// exported (at 0), and names the unit test that moves it. It is a list of
// one on purpose: a metric that can be driven from outside gets a case in
// TestEveryREADMEMetricMoves, and adding a name here means changing the
// length check there too.
var exportedOnly = map[string]string{
	// A panic recovered in a SIP handler: only a bug in a handler (ours or
	// a library's) panics, and every known crasher is refused at the edge
	// now. ivr/sipengine TestGuardRecovers panics a handler on purpose and
	// checks the count grows.
	"atiende_engine_panics_recovered_total": "ivr/sipengine TestGuardRecovers",
}

// metricsAckTimeout is sip.ack_timeout (Timer H) in this test: a call
// answered and never ACKed is reaped after it.
const metricsAckTimeout = 4 * time.Second

// readmeMetrics lists the metric names of README.md's metrics table.
func readmeMetrics(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(atiende_[a-z0-9_]+)` \\|").FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) < 10 {
		t.Fatalf("README.md lists %d metrics: the metrics table was not found", len(out))
	}
	return out
}

// scrape is one reading of /metrics: series ("name{labels}") -> value.
type scrape map[string]float64

func (a *atiende) scrape(t testing.TB) scrape {
	t.Helper()
	resp, err := http.Get(a.Base + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	s := scrape{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err == nil {
			s[line[:i]] = v
		}
	}
	return s
}

// sum adds the series of name (exactly: name or name{...}) whose labels
// contain every one of labels.
func (s scrape) sum(name string, labels ...string) float64 {
	total := 0.0
	for k, v := range s {
		if k != name && !strings.HasPrefix(k, name+"{") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(k, l)
		}
		if ok {
			total += v
		}
	}
	return total
}

// has reports whether any series of name exists.
func (s scrape) has(name string) bool {
	for k := range s {
		if k == name || strings.HasPrefix(k, name+"{") {
			return true
		}
	}
	return false
}

// differs reports whether any series of name changed between s and o.
func (s scrape) differs(o scrape, name string) bool {
	for k, v := range o {
		if (k == name || strings.HasPrefix(k, name+"{")) && s[k] != v {
			return true
		}
	}
	return false
}

// metricSteps are the scrapes taken along the scenario.
type metricSteps struct {
	start   scrape // served, nothing happened yet
	down    scrape // beto available with no phone registered
	waiting scrape // the caller waits in the network queue
	stalled scrape // scraped while the database stalls
	end     scrape // everything done
	flooded scrape // two never-ACKed calls up, the limit reached
	// A second instance, on Asterisk: up, and after Asterisk stopped.
	astUp, astDown scrape
}

// moved is one README metric's check: nil when it moved as its event says.
type moved func(s *metricSteps) error

func grew(name string, labels ...string) moved {
	return func(s *metricSteps) error {
		if b, e := s.start.sum(name, labels...), s.end.sum(name, labels...); e <= b {
			return fmt.Errorf("%s%v went from %v to %v", name, labels, b, e)
		}
		return nil
	}
}

func TestEveryREADMEMetricMoves(t *testing.T) {
	sippeer.Need(t, "sipp")
	asterisklab.Prefix(t) // for atiende_engine_down_total
	// Every ticket is due for a first response in 4 s and a resolution in
	// 40 s, round the clock: the escalation to level 2 comes at 3 s.
	slaFile := filepath.Join(t.TempDir(), "sla.yml")
	var pol strings.Builder
	pol.WriteString("policies:\n")
	for _, p := range []string{"P1", "P2", "P3", "P4"} {
		fmt.Fprintf(&pol, "  - {priority: %s, calendar: 24x7, first_response: 4s, resolution: 40s}\n", p)
	}
	if err := os.WriteFile(slaFile, []byte(pol.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// One source may have 2 unauthenticated calls up at once (the only
	// caller of the scenario comes from 127.0.0.1, alone); Timer H is short.
	a := startAtiende(t, harnessOptions{Queues: testQueues, Extra: "escalation:\n  file: " + slaFile + "\ncalls:\n  max_concurrent: 2\n",
		MaxCallsPerSource: 2, SIP: fmt.Sprintf("  ack_timeout: %s\n", metricsAckTimeout)})
	cases := map[string]moved{
		"atiende_call_answer_seconds": grew("atiende_call_answer_seconds_count", `queue="network"`),
		"atiende_call_talk_seconds":   grew("atiende_call_talk_seconds_count", `queue="network"`),
		"atiende_call_wrapup_seconds": grew("atiende_call_wrapup_seconds_count", `queue="network"`),
		"atiende_queue_calls_total":   grew("atiende_queue_calls_total", `queue="network"`, `outcome="answered"`),
		"atiende_queue_calls_waiting": func(s *metricSteps) error {
			if w := s.waiting.sum("atiende_queue_calls_waiting", `queue="network"`); w != 1 || s.end.sum("atiende_queue_calls_waiting", `queue="network"`) != 0 {
				return fmt.Errorf("waiting in network: %v while the caller waited, %v at the end", w, s.end.sum("atiende_queue_calls_waiting", `queue="network"`))
			}
			return nil
		},
		"atiende_queue_oldest_wait_seconds": func(s *metricSteps) error {
			if w := s.waiting.sum("atiende_queue_oldest_wait_seconds", `queue="network"`); w <= 0 || s.end.sum("atiende_queue_oldest_wait_seconds", `queue="network"`) != 0 {
				return fmt.Errorf("oldest wait in network: %v while the caller waited, %v at the end", w, s.end.sum("atiende_queue_oldest_wait_seconds", `queue="network"`))
			}
			return nil
		},
		"atiende_ivr_seconds":       grew("atiende_ivr_seconds_count"),
		"atiende_screenpop_seconds": grew("atiende_screenpop_seconds_count"),
		"atiende_websocket_clients": func(s *metricSteps) error {
			if b, w := s.start.sum("atiende_websocket_clients"), s.waiting.sum("atiende_websocket_clients"); w <= b {
				return fmt.Errorf("websocket clients %v at the start, %v with ana's console open", b, w)
			}
			return nil
		},
		"atiende_agents": func(s *metricSteps) error {
			if !s.start.differs(s.waiting, "atiende_agents") || s.waiting.sum("atiende_agents", `state="paused"`) != 1 ||
				s.end.sum("atiende_agents", `state="available"`) != 1 {
				return fmt.Errorf("agents by state did not follow ana: paused %v while the caller waited, available %v at the end",
					s.waiting.sum("atiende_agents", `state="paused"`), s.end.sum("atiende_agents", `state="available"`))
			}
			return nil
		},
		"atiende_agent_state_seconds_total": grew("atiende_agent_state_seconds_total", `state="on_call"`),
		"atiende_agent_extensions_down": func(s *metricSteps) error {
			if b, d := s.start.sum("atiende_agent_extensions_down"), s.down.sum("atiende_agent_extensions_down"); d != b+1 {
				return fmt.Errorf("agent extensions down %v at the start, %v with beto available and 1002 unregistered", b, d)
			}
			return nil
		},
		"atiende_tickets_created_total": grew("atiende_tickets_created_total", `channel="phone"`, `service="internet_failure"`),
		"atiende_tickets_open": func(s *metricSteps) error {
			if !s.start.differs(s.end, "atiende_tickets_open") {
				return fmt.Errorf("open tickets by state, priority and level unchanged after tickets were created, escalated and resolved")
			}
			return nil
		},
		"atiende_tickets_open_errors_total": func(s *metricSteps) error {
			if b, e := s.start.sum("atiende_tickets_open_errors_total"), s.stalled.sum("atiende_tickets_open_errors_total"); e <= b {
				return fmt.Errorf("open ticket count errors %v at the start, %v while the database stalled", b, e)
			}
			return nil
		},
		"atiende_ticket_first_response_seconds": grew("atiende_ticket_first_response_seconds_count"),
		"atiende_ticket_resolution_seconds":     grew("atiende_ticket_resolution_seconds_count"),
		"atiende_sla_breaches_total":            grew("atiende_sla_breaches_total", `target="response"`),
		"atiende_escalations_total":             grew("atiende_escalations_total", `level="2"`),
		"atiende_survey_score_total":            grew("atiende_survey_score_total", `channel="web"`, `score="2"`),
		"atiende_engine_up": func(s *metricSteps) error {
			if v := s.start.sum("atiende_engine_up", `engine="sip"`); v != 1 {
				return fmt.Errorf("engine up %v once serving, want 1", v)
			}
			return nil
		},
		"atiende_extensions": func(s *metricSteps) error {
			if b, w := s.start.sum("atiende_extensions", `state="registered"`), s.waiting.sum("atiende_extensions", `state="registered"`); w <= b {
				return fmt.Errorf("registered extensions %v at the start, %v with ana's phone registered", b, w)
			}
			return nil
		},
		"atiende_engine_events_dropped_total": func(s *metricSteps) error {
			if b, e := s.start.sum("atiende_engine_events_dropped_total", `engine="sip"`), s.stalled.sum("atiende_engine_events_dropped_total", `engine="sip"`); e <= b {
				return fmt.Errorf("engine events dropped %v at the start, %v after 80 registration changes while the database stalled", b, e)
			}
			return nil
		},
		"atiende_engine_down_total": func(s *metricSteps) error {
			if b, d := s.astUp.sum("atiende_engine_down_total", `engine="asterisk"`), s.astDown.sum("atiende_engine_down_total", `engine="asterisk"`); d <= b {
				return fmt.Errorf("engine down %v with Asterisk up, %v after Asterisk stopped", b, d)
			}
			return nil
		},
		"atiende_ivr_calls_shed_total": grew("atiende_ivr_calls_shed_total"),
		"atiende_ivr_calls_active": func(s *metricSteps) error {
			if f, e := s.flooded.sum("atiende_ivr_calls_active"), s.end.sum("atiende_ivr_calls_active"); f < 2 || e != 0 {
				return fmt.Errorf("calls in the IVR: %v during the flood (want 2 or more), %v at the end", f, e)
			}
			return nil
		},
		"atiende_ivr_calls_limit": func(s *metricSteps) error {
			if v := s.start.sum("atiende_ivr_calls_limit"); v != 2 {
				return fmt.Errorf("calls limit %v, want calls.max_concurrent (2)", v)
			}
			return nil
		},
		"atiende_engine_bad_messages_total":   grew("atiende_engine_bad_messages_total", `engine="sip"`, `reason="missing_from"`),
		"atiende_engine_auth_throttled_total": grew("atiende_engine_auth_throttled_total", `engine="sip"`),
		"atiende_engine_calls_refused_total":  grew("atiende_engine_calls_refused_total", `engine="sip"`),
		"atiende_engine_calls_reaped_total": func(s *metricSteps) error {
			if err := grew("atiende_engine_calls_reaped_total", `engine="sip"`)(s); err != nil {
				return err
			}
			// Reaped by the configured sip.ack_timeout, not by the
			// default 32 s the scenario would also outlast.
			if want := "timer_h=" + metricsAckTimeout.String(); !strings.Contains(a.Logs.String(), want) {
				return fmt.Errorf("no reap logged with %s: sip.ack_timeout did not reach the engine", want)
			}
			return nil
		},
	}
	if len(exportedOnly) != 1 {
		t.Fatalf("exportedOnly has %d metrics: it is for the one metric only a bug moves; give the others a case", len(exportedOnly))
	}
	readme := readmeMetrics(t)
	listed := map[string]bool{}
	var missing []string
	for _, name := range readme {
		listed[name] = true
		if cases[name] == nil && exportedOnly[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("README.md lists metrics with no case here (say what event moves them, and drive it): %v", missing)
	}
	for name := range exportedOnly {
		if !listed[name] {
			t.Errorf("%s is excused from moving here but README.md does not list it", name)
		}
	}

	s := &metricSteps{start: a.scrape(t)}
	families := a.families(t)
	ctx := context.Background()

	// The attackers, each from a loopback address of its own, so that what
	// they earn (a throttled source, a full cap) never touches the phones
	// of the scenario on 127.0.0.1.
	s.flooded = a.sipEdgeAttacks(t)
	sup := a.login(t, "supervisora", DemoPassword)

	// A ticket opened on the web now, answered after its 4 s: a response
	// breach; meanwhile it escalates to level 2.
	var late tickets.Ticket
	if code := sup.do("POST", "/api/v1/tickets", map[string]any{"service": "email_failure", "subject": "Correo caído",
		"description": "No envía", "caller": map[string]string{"name": "Ema", "phone": "+525511110000"}}, &late); code != 201 {
		t.Fatalf("create ticket: %d", code)
	}

	// ana's phone (rings 300 ms, talks 1.5 s) and her console; she is
	// logged in, on a break.
	a.brStartPhone(t, "1001", "demo1001", 300*time.Millisecond, 1500*time.Millisecond, true)
	console := a.agentConsole(t, "ana")
	anaAPI := a.login(t, "ana", DemoPassword)
	anaAPI.setState("ana", "available", "")
	anaAPI.setState("ana", "paused", "break")
	// beto available with extension 1002 unregistered.
	a.available(t, "beto")
	if !waitFor(5*time.Second, func() bool { s.down = a.scrape(t); return s.down.sum("atiende_agent_extensions_down") >= 1 }) {
		t.Logf("agent extensions down: %v", s.down.sum("atiende_agent_extensions_down"))
	}
	sup.setState("beto", "logged_out", "")

	// A caller reports an internet failure and waits: nobody is available.
	caller := a.startCaller(t, "+525511113333", keys(1500*time.Millisecond, 700*time.Millisecond, "11"), 0)
	if !waitFor(30*time.Second, func() bool {
		s.waiting = a.scrape(t)
		return s.waiting.sum("atiende_queue_calls_waiting", `queue="network"`) == 1 && s.waiting.sum("atiende_queue_oldest_wait_seconds", `queue="network"`) >= 1
	}) {
		t.Errorf("the caller never waited in the network queue:\n%s", caller.Output())
	}
	// ana becomes available: the call rings her phone, her console pops
	// and acknowledges, she answers, talks, hangs up and wraps up.
	a.available(t, "ana")
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Errorf("caller: %v\n%s", err, caller.Output())
	}
	if n := console.popped(); n == 0 {
		t.Error("ana's console saw no offer to acknowledge")
	}
	if !waitFor(10*time.Second, func() bool { return a.scrape(t).sum("atiende_call_wrapup_seconds_count") > 0 }) {
		t.Error("ana's wrap-up never ended")
	}
	var call *tickets.Ticket
	for _, x := range a.waitPhoneTickets(t, 1, 10*time.Second) {
		if x.Caller.Phone == "+525511113333" {
			call = x
		}
	}

	// The web ticket is answered late, then resolved.
	if !waitFor(15*time.Second, func() bool { return a.ticket(t, late.Number).Level >= 2 }) {
		t.Errorf("ticket %s never escalated", late.Number)
	}
	time.Sleep(time.Until(late.CreatedAt.Add(4*time.Second + 100*time.Millisecond)))
	cur := a.ticket(t, late.Number)
	if code := sup.do("POST", "/api/v1/tickets/"+late.Number+"/transition", map[string]any{"to": "in_progress", "version": cur.Version}, nil); code != 200 {
		t.Fatalf("start ticket %s: %d", late.Number, code)
	}
	cur = a.ticket(t, late.Number)
	if code := sup.do("POST", "/api/v1/tickets/"+late.Number+"/transition", map[string]any{"to": "resolved", "version": cur.Version,
		"reason": "Buzón reconfigurado"}, nil); code != 200 {
		t.Fatalf("resolve ticket %s: %d", late.Number, code)
	}

	// The caller scores the call 2 on the survey page.
	if call != nil {
		const token = "readme-metrics-survey-token"
		h := sha256.Sum256([]byte(token))
		if err := a.store().CreateSurvey(ctx, h[:], call.Number, "ana", "es", time.Now()); err != nil {
			t.Fatal(err)
		}
		r, err := http.PostForm(a.Base+"/survey/"+token, url.Values{"score": {"2"}, "comment": {"Tardaron en contestar"}})
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 {
			t.Errorf("survey answer: %d", r.StatusCode)
		}
	} else {
		t.Error("no ticket for the call")
	}

	time.Sleep(5500 * time.Millisecond) // the cached open-ticket count expires
	// The never-ACKed calls are long reaped (Timer H is 4 s): waited for
	// only in case the machine is very slow.
	waitFor(30*time.Second, func() bool {
		return a.scrape(t).sum("atiende_engine_calls_reaped_total") > s.start.sum("atiende_engine_calls_reaped_total")
	})
	s.end = a.scrape(t)
	// The database stalls (tickets and extension events locked): the count
	// of open tickets times out, and the extension monitor, stuck on its
	// write, lets the engine's watch buffer (64) fill while phone 1002
	// registers and unregisters 36 times (72 changes), paced under the
	// registrar's rate limit (20 REGISTERs a second, bursts of 40).
	s.stalled = a.stallDatabase(t, func() {
		sippeer.StartSipp(t, sippeer.SippOptions{
			Scenario: "testdata/sipp/agent_register.xml", Remote: a.SIPAddr, Timeout: 60 * time.Second,
			Keys: []string{"agent=1002", "uas_port=5999"},
			Args: []string{"-au", "1002", "-ap", "demo1002", "-m", "36", "-l", "1", "-r", "6", "-d", "1"},
		}).Wait(30 * time.Second)
	})

	s.astUp, s.astDown = engineOutage(t)

	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if !s.end.has(name) && !s.end.has(name+"_count") {
			t.Errorf("%s: not exported", name)
			continue
		}
		if err := cases[name](s); err != nil {
			t.Errorf("%s did not move: %v", name, err)
		}
	}
	for name, test := range exportedOnly {
		// Exported, and at 0: nothing in this scenario is a bug. The
		// unit test named in exportedOnly is what moves it.
		if !s.end.has(name) {
			t.Errorf("%s: not exported (it moves in %s)", name, test)
		} else if v := s.end.sum(name, `engine="sip"`); v != 0 {
			t.Errorf("%s = %v: a SIP handler panicked during the scenario (see the log)", name, v)
		}
	}

	// Every atiende_* family /metrics exposes, at the start or at the end,
	// is in README.md's table.
	for f := range a.families(t) {
		families[f] = true
	}
	var unlisted []string
	for f := range families {
		if !listed[f] {
			unlisted = append(unlisted, f)
		}
	}
	sort.Strings(unlisted)
	if len(unlisted) > 0 {
		t.Errorf("/metrics exports metrics README.md's metrics table does not list (add them, with what moves them): %v", unlisted)
	}
	console.close()
}

// engineOutage runs another Atiende on a real Asterisk, stops Asterisk,
// and scrapes once the engine was seen up, and once it is seen down
// (/readyz says so) and its outage counted, or after 10 s.
func engineOutage(t *testing.T) (up, down scrape) {
	ast := asterisklab.Start(t, asterisklab.Options{})
	a := startAtiende(t, harnessOptions{Env: asteriskEnv(ast), NoDemoData: true}) // waits for /readyz 200
	time.Sleep(2 * engineWatchEvery)                                              // the watcher has seen it up
	up = a.scrape(t)
	ast.Stop()
	waitFor(10*time.Second, func() bool {
		code, eng := readyEngine(t, a)
		down = a.scrape(t)
		return code == 503 && eng == "down" && down.sum("atiende_engine_down_total") > up.sum("atiende_engine_down_total")
	})
	return up, down
}

// families are the atiende_* metric families /metrics exposes now.
func (a *atiende) families(t testing.TB) map[string]bool {
	t.Helper()
	resp, err := http.Get(a.Base + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		// # TYPE atiende_engine_up gauge
		if f := strings.Fields(line); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" && strings.HasPrefix(f[2], "atiende_") {
			out[f[2]] = true
		}
	}
	if len(out) == 0 {
		t.Fatalf("/metrics exposes no atiende_* family:\n%s", b)
	}
	return out
}

// sipEdgeAttacks provokes, against the SIP port, every refusal the engine
// counts: a request without From (bad_messages, reason missing_from),
// wrong passwords beyond the digest throttle (auth_throttled), and more
// unauthenticated calls from one source than sip.max_calls_per_source
// (calls_refused), answered and never ACKed (calls_reaped, after
// sip.ack_timeout). It returns at once after sending: the reaping comes
// later.
func (a *atiende) sipEdgeAttacks(t *testing.T) (flooded scrape) {
	// An OPTIONS without From: dropped or answered 400, and counted.
	bad := a.edgeUA(t, "127.0.0.2")
	bad.write("OPTIONS sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP " + bad.addr() + ";branch=z9hG4bK-nofrom\r\n" +
		"To: <sip:6000@127.0.0.1>\r\nCall-ID: nofrom@edge\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
	if res := bad.final(2*time.Second, "nofrom@edge")["nofrom@edge"]; res != "" {
		t.Logf("request without From: %q", sipStatus(res))
	}

	// Eight wrong passwords for 1003 from one source: the digest throttle
	// allows 5 wrong answers per 30 s, then refuses without checking.
	guess := a.edgeUA(t, "127.0.0.3")
	var answers []string
	for i := range 8 {
		id := fmt.Sprintf("guess-%d@edge", i)
		res := guess.final(5*time.Second, guess.register(id, "1003", ""))[id]
		if sipHeader(res, "WWW-Authenticate") == "" {
			answers = append(answers, "no challenge: "+sipStatus(res))
			continue
		}
		chal, err := digest.ParseChallenge(sipHeader(res, "WWW-Authenticate"))
		if err != nil {
			t.Fatalf("challenge %q: %v", sipHeader(res, "WWW-Authenticate"), err)
		}
		cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: "sip:127.0.0.1", Username: "1003",
			Password: fmt.Sprintf("guess%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, sipStatus(guess.final(5*time.Second, guess.register(id, "1003", "Authorization: "+cred.String()+"\r\n"))[id]))
	}
	t.Logf("8 wrong passwords for 1003: %q", answers)

	// Three calls at once from one source allowed 2: the third is refused
	// (486); the two answered are never ACKed.
	flood := a.edgeUA(t, "127.0.0.4")
	ids := []string{"flood-1@edge", "flood-2@edge", "flood-3@edge"}
	for i, id := range ids {
		flood.invite(id, fmt.Sprintf("55512340%d", i))
	}
	got := flood.final(20*time.Second, ids...)
	for _, id := range ids {
		t.Logf("call %s from a source allowed 2: %q", id, sipStatus(got[id]))
	}

	// The two flood calls are up and calls.max_concurrent is 2: a call
	// from anywhere else is shed with 503 and Retry-After.
	flooded = a.scrape(t)
	other := a.edgeUA(t, "127.0.0.5")
	other.invite("shed@edge", "5551239999")
	t.Logf("a third call while two are up, limit 2: %q", sipStatus(other.final(10*time.Second, "shed@edge")["shed@edge"]))
	// The flood calls are reaped (Timer H, 4 s) before the scenario's own
	// calls begin, so that they are not shed.
	if !waitFor(30*time.Second, func() bool { return a.scrape(t).sum("atiende_ivr_calls_active") == 0 }) {
		t.Errorf("calls still in the IVR 30 s after the flood")
	}
	return flooded
}

// edgeUA is a bare SIP client over UDP on a loopback address of its own
// (all of 127/8 is loopback on Linux): it sends what a test writes,
// including what no phone would send, and never ACKs a 2xx.
type edgeUA struct {
	t    testing.TB
	conn *net.UDPConn
	cseq int
}

func (a *atiende) edgeUA(t testing.TB, ip string) *edgeUA {
	t.Helper()
	raddr, err := net.ResolveUDPAddr("udp", a.SIPAddr)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)}, raddr)
	if err != nil {
		t.Fatalf("bind %s: %v", ip, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &edgeUA{t: t, conn: conn}
}

func (u *edgeUA) addr() string { return u.conn.LocalAddr().String() }

func (u *edgeUA) write(msg string) {
	if _, err := u.conn.Write([]byte(msg)); err != nil {
		u.t.Fatalf("send to the SIP port: %v", err)
	}
}

// register sends a REGISTER for user with Call-ID id (auth: "" or an
// Authorization line) and returns id.
func (u *edgeUA) register(id, user, auth string) string {
	u.cseq++
	u.write(fmt.Sprintf("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-reg-%d\r\n"+
		"From: <sip:%s@127.0.0.1>;tag=edge%d\r\nTo: <sip:%s@127.0.0.1>\r\nCall-ID: %s\r\nCSeq: %d REGISTER\r\n"+
		"Contact: <sip:%s@%s>\r\nExpires: 60\r\nMax-Forwards: 70\r\n%sContent-Length: 0\r\n\r\n",
		u.addr(), u.cseq, user, u.cseq, user, id, u.cseq, user, u.addr(), auth))
	return id
}

// invite sends an unauthenticated INVITE with an SDP offer from user to
// the help desk (6000), with Call-ID id.
func (u *edgeUA) invite(id, user string) {
	u.cseq++
	ip := u.conn.LocalAddr().(*net.UDPAddr).IP
	sdp := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n",
		ip, ip, 40000+2*u.cseq)
	u.write(fmt.Sprintf("INVITE sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-inv-%d\r\n"+
		"From: <sip:%s@127.0.0.1>;tag=edge%d\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: %s\r\nCSeq: %d INVITE\r\n"+
		"Contact: <sip:%s@%s>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		u.addr(), u.cseq, user, u.cseq, id, u.cseq, user, u.addr(), len(sdp), sdp))
}

// final reads responses for at most d until each of ids has its final
// one (retransmissions and other calls' responses skipped); a non-2xx
// final response to an INVITE is ACKed, as its client transaction would
// (RFC 3261 17.1.1.3). Missing ids are absent from the result.
func (u *edgeUA) final(d time.Duration, ids ...string) map[string]string {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	out := map[string]string{}
	deadline := time.Now().Add(d)
	buf := make([]byte, 65535)
	for len(out) < len(want) {
		_ = u.conn.SetReadDeadline(deadline)
		n, err := u.conn.Read(buf)
		if err != nil {
			break
		}
		res := string(buf[:n])
		id := sipHeader(res, "Call-ID")
		if !strings.HasPrefix(res, "SIP/2.0 ") || strings.HasPrefix(res, "SIP/2.0 1") || !want[id] || out[id] != "" {
			continue
		}
		out[id] = res
		if cseq := sipHeader(res, "CSeq"); strings.HasSuffix(cseq, "INVITE") && !strings.HasPrefix(res, "SIP/2.0 2") {
			num, _, _ := strings.Cut(cseq, " ")
			u.write(fmt.Sprintf("ACK sip:6000@127.0.0.1 SIP/2.0\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"+
				"CSeq: %s ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
				sipHeader(res, "Via"), sipHeader(res, "From"), sipHeader(res, "To"), id, num))
		}
	}
	return out
}

// sipStatus is a SIP message's first line.
func sipStatus(msg string) string {
	line, _, _ := strings.Cut(msg, "\r\n")
	return line
}

// sipHeader is the value of a SIP message's header name ("" if absent).
func sipHeader(msg, name string) string {
	for _, l := range strings.Split(msg, "\r\n") {
		if l == "" {
			break
		}
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// agentConsole is an agent's console over the real websocket: it
// acknowledges every pop it is offered, as agent.js does once painted.
type agentConsole struct {
	conn *websocket.Conn
	pops chan string
	done chan struct{}
}

func (a *atiende) agentConsole(t testing.TB, user string) *agentConsole {
	t.Helper()
	c := a.login(t, user, DemoPassword)
	d := websocket.Dialer{Jar: c.c.Jar, HandshakeTimeout: 5 * time.Second}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(a.Base, "http")+"/ws", nil)
	if err != nil {
		t.Fatalf("console websocket: %v", err)
	}
	ac := &agentConsole{conn: conn, pops: make(chan string, 16), done: make(chan struct{})}
	go func() {
		defer close(ac.done)
		for {
			var m hub.Message
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			if m.Type == hub.TypeEvent && m.Event != nil && m.Event.Kind == "call_offered" && m.Event.Agent == user {
				_ = conn.WriteJSON(hub.ClientMessage{Type: hub.TypePopped, CallID: m.Event.CallID})
				ac.pops <- m.Event.CallID
			}
		}
	}()
	t.Cleanup(ac.close)
	return ac
}

// popped is how many offers the console acknowledged.
func (c *agentConsole) popped() int { return len(c.pops) }

func (c *agentConsole) close() { _ = c.conn.Close(); <-c.done }

// stallDatabase locks the tickets and extension events tables for 15 s
// from another session, runs during while they are locked, and scrapes
// while the open-ticket count waits on the lock (its cache of 5 s expired,
// its timeout of 2 s passed).
func (a *atiende) stallDatabase(t testing.TB, during func()) scrape {
	t.Helper()
	cmd := exec.Command("psql", "-X", "-q", "-d", a.DBURL, "-c",
		"BEGIN; LOCK TABLE tickets, extension_events IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(15); COMMIT;")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("psql: %v", err)
	}
	defer func() {
		if err := cmd.Wait(); err != nil {
			t.Errorf("psql: %v: %s", err, out.String())
		}
	}()
	start := time.Now()
	time.Sleep(500 * time.Millisecond) // the lock is taken
	during()
	time.Sleep(time.Until(start.Add(5500 * time.Millisecond)))
	if time.Since(start) > 12*time.Second {
		t.Errorf("the stall's work took %v: the database was no longer locked", time.Since(start))
	}
	return a.scrape(t)
}
