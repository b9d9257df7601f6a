package main

// Every metric the README lists moves when its event happens, against the
// real binary: phones register with sipp, a caller walks the menu and waits
// in a queue, an agent (her console a websocket client that acknowledges
// the pop) answers, talks and wraps up, tickets are created, answered late,
// escalated and resolved, a caller scores the call on the survey page, and
// the database stalls while the open tickets are counted. The list comes
// from README.md: a metric listed there without a case here fails.

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
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
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
	"github.com/gorilla/websocket"
)

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
	a := startAtiende(t, harnessOptions{Queues: testQueues, Extra: "escalation:\n  file: " + slaFile + "\n"})
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
	}
	var missing []string
	for _, name := range readmeMetrics(t) {
		if cases[name] == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("README.md lists metrics with no case here (say what event moves them, and drive it): %v", missing)
	}

	s := &metricSteps{start: a.scrape(t)}
	ctx := context.Background()
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
	console.close()
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
