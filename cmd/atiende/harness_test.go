package main

// A harness for end-to-end call tests and benchmarks: Atiende runs in this
// process through Main serve, on free ports, with a fresh pgtest database;
// real peers (sipp, baresip) are started by the tests with sippeer.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// adminPassword is the password of the admin user the harness creates.
const adminPassword = "admin-password"

// harnessOptions shape one Atiende instance.
type harnessOptions struct {
	// Extensions: extension -> SIP password; nil: the demo ones (1001-1004,
	// 2001, password demo<ext>).
	Extensions map[string]string
	// Queues is YAML put under "queues:" (indented by the caller, 2 spaces).
	Queues string
	// FlowFile is a flow YAML; empty: the default flow.
	FlowFile string
	// NoDemoData skips `atiende demo-data`.
	NoDemoData bool
	// LogLevel: default info.
	LogLevel string
	// OnLog, if set, sees every log line (one slog record per call).
	OnLog func(line []byte)
	// KeepLogs bounds the log kept in memory (default 8 MiB).
	KeepLogs int
	// DBURL reuses a database (a restart); empty: a new pgtest database.
	DBURL string
	// Extra is YAML appended to the configuration (top-level keys).
	Extra string
	// RTPTimeout is sip.rtp_timeout; empty: 10m. The scripted sipp callers
	// send RTP only while they press keys (the stock DTMF pcaps), unlike a
	// phone, which sends it all the time: with the 20 s default, a call
	// longer than that would be hung up as a phone gone without a BYE. The
	// RTP timeout itself is tested in ivr/sipengine (TestRTPTimeout).
	RTPTimeout string
	// MaxCallsPerSource is sip.max_calls_per_source; 0: 100000, no cap.
	MaxCallsPerSource int
	// SIP is YAML put under "sip:" (indented by the caller, 2 spaces).
	SIP string
	// SIPAddr reuses a SIP address (a restart); empty: a free port.
	SIPAddr string
	// LogJSON writes the log as JSON lines (log.format json).
	LogJSON bool
	// Env adds or overrides environment variables (e.g. ATIENDE_ENGINE).
	Env map[string]string
	// AsteriskExtra is appended to the lab Asterisk's config files
	// (asterisklab.Options.Extra) when the help desk runs on Asterisk
	// (engineKits, twoengine_test.go); the embedded engine ignores it.
	AsteriskExtra map[string]string
}

// atiende is one running `atiende serve`.
type atiende struct {
	t       testing.TB
	Base    string // http://127.0.0.1:port
	SIPAddr string // 127.0.0.1:port
	DBURL   string
	Logs    *logBuffer
	stop    func()
	// label is the value of the pprof label "atiende" that every
	// goroutine of this instance carries (goroutines_test.go): serve runs
	// under it, and goroutines inherit their creator's labels.
	label string

	storeOnce sync.Once
	db        *postgres.DB
}

// demoExtensions are deploy/demo.yml's extensions.
func demoExtensions() map[string]string {
	m := map[string]string{}
	for _, e := range []string{"1001", "1002", "1003", "1004", "2001"} {
		m[e] = "demo" + e
	}
	return m
}

// writeConfig writes the YAML configuration of one instance.
func writeConfig(t testing.TB, o harnessOptions) string {
	t.Helper()
	lo, hi := rtpRange(t)
	var b strings.Builder
	fmt.Fprintf(&b, "http:\n  addr: 127.0.0.1:0\nengine: sip\nsip:\n  addr: 127.0.0.1:0\n")
	// Every sipp caller comes from 127.0.0.1: the benchmarks' hundreds of
	// concurrent callers must not meet the per-source cap (tested in
	// ivr/sipengine), unless a test sets one.
	maxCalls := o.MaxCallsPerSource
	if maxCalls == 0 {
		maxCalls = 100000
	}
	fmt.Fprintf(&b, "  max_calls_per_source: %d\n", maxCalls)
	b.WriteString(o.SIP)
	rtpTimeout := o.RTPTimeout
	if rtpTimeout == "" {
		rtpTimeout = "10m"
	}
	if !strings.Contains(o.SIP, "rtp_timeout:") {
		fmt.Fprintf(&b, "  rtp_timeout: %s\n", rtpTimeout)
	}
	fmt.Fprintf(&b, "  helpdesk_numbers: [\"6000\", \"*626\", \"60100\"]\n  rtp_ports: %d-%d\n  extensions:\n", lo, hi)
	exts := o.Extensions
	if exts == nil {
		exts = demoExtensions()
	}
	keys := make([]string, 0, len(exts))
	for k := range exts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "    %q: %q\n", k, exts[k])
	}
	b.WriteString("phones:\n  region: MX\n")
	if o.FlowFile != "" {
		fmt.Fprintf(&b, "flow_file: %s\n", o.FlowFile)
	}
	if o.Queues != "" {
		b.WriteString("queues:\n" + o.Queues)
		if !strings.HasSuffix(o.Queues, "\n") {
			b.WriteString("\n")
		}
	}
	level := o.LogLevel
	if level == "" {
		level = "info"
	}
	fmt.Fprintf(&b, "log:\n  level: %s\n", level)
	if o.LogJSON {
		b.WriteString("  format: json\n")
	}
	b.WriteString(o.Extra)
	path := filepath.Join(t.TempDir(), "atiende.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	rtpOnce      sync.Once
	rtpLo, rtpHi int
)

// rtpRange picks, once per process, a range of 4000 UDP ports that are free
// now, below the kernel's ephemeral range (diago keeps one range process-wide).
func rtpRange(t testing.TB) (int, int) {
	t.Helper()
	const size = 4000
	rtpOnce.Do(func() {
		for range 20 {
			lo := 10000 + 2*rand.IntN((31000-size-10000)/2)
			if portsFree(lo, lo+size) {
				rtpLo, rtpHi = lo, lo+size-1
				return
			}
		}
	})
	if rtpLo == 0 {
		t.Fatal("no free RTP port range of 4000 ports")
	}
	return rtpLo, rtpHi
}

func portsFree(lo, hi int) bool {
	for p := lo; p < hi; p++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			return false
		}
		pc.Close()
	}
	return true
}

// startAtiende migrates, loads the demo data and serves, like `make run`,
// on free ports; it is stopped in t.Cleanup.
func startAtiende(t testing.TB, o harnessOptions) *atiende {
	t.Helper()
	dbURL := o.DBURL
	if dbURL == "" {
		dbURL = pgtest.DB(t)
	}
	cfgPath := writeConfig(t, o)
	sipAddr := o.SIPAddr
	if sipAddr == "" {
		sipAddr = fmt.Sprintf("127.0.0.1:%d", sippeer.FreePort(t))
	}
	env := map[string]string{
		"ATIENDE_DATABASE_URL":   dbURL,
		"ATIENDE_HTTP_ADDR":      "127.0.0.1:0",
		"ATIENDE_SIP_ADDR":       sipAddr,
		"ATIENDE_ADMIN_PASSWORD": adminPassword,
	}
	for k, v := range o.Env {
		env[k] = v
	}
	getenv := func(k string) string { return env[k] }
	if !o.NoDemoData && o.DBURL == "" {
		var out, errb strings.Builder
		if code := Main(context.Background(), []string{"demo-data", "-config", cfgPath}, getenv, &out, &errb); code != 0 {
			t.Fatalf("demo-data exited %d: %s", code, errb.String())
		}
	}
	logs := &logBuffer{max: o.KeepLogs, hook: o.OnLog}
	if logs.max == 0 {
		logs.max = 8 << 20
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	a := &atiende{t: t, SIPAddr: sipAddr, DBURL: dbURL, Logs: logs, label: strconv.FormatInt(instances.Add(1), 10)}
	go pprof.Do(ctx, pprof.Labels(instanceLabel, a.label), func(ctx context.Context) {
		done <- Main(ctx, []string{"serve", "-config", cfgPath}, getenv, pw, logs)
		pw.Close()
	})
	var stopOnce sync.Once
	stopServe := func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30 s of cancel")
		}
		if a.db != nil {
			a.db.Close()
		}
	}
	a.stop = func() { stopOnce.Do(stopServe) }
	t.Cleanup(func() {
		a.stop()
		if t.Failed() {
			t.Logf("atiende log (tail):\n%s", tail(logs.String(), 12000))
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				lines <- addr
				break
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case a.Base = <-lines:
	case code := <-done:
		t.Fatalf("serve exited %d before listening: %s", code, tail(logs.String(), 4000))
	case <-time.After(30 * time.Second):
		t.Fatal("serve never said where it listens")
	}
	// The embedded engine is up once it has encoded its prompts: 2-5 s, but
	// 12-13 s with -race on 2 loaded cores.
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(a.Base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return a
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// logBuffer keeps Atiende's log (slog writes one record per Write).
type logBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	max  int
	hook func([]byte)
}

func (l *logBuffer) Write(p []byte) (int, error) {
	if l.hook != nil {
		l.hook(p)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len()+len(p) <= l.max {
		l.b.Write(p)
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits until a log line contains every one of parts.
func (a *atiende) waitLog(d time.Duration, parts ...string) (string, bool) {
	deadline := time.Now().Add(d)
	for {
		if line, ok := a.findLog(parts...); ok {
			return line, true
		}
		if time.Now().After(deadline) {
			return "", false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (a *atiende) findLog(parts ...string) (string, bool) {
	for _, line := range strings.Split(a.Logs.String(), "\n") {
		ok := true
		for _, p := range parts {
			if !strings.Contains(line, p) {
				ok = false
				break
			}
		}
		if ok {
			return line, true
		}
	}
	return "", false
}

// store opens Atiende's database with the project's PostgreSQL store, to
// check what Atiende wrote there.
func (a *atiende) store() *postgres.DB {
	a.storeOnce.Do(func() {
		db, err := postgres.Open(context.Background(), a.DBURL, postgres.Options{MaxConns: 4})
		if err != nil {
			a.t.Fatalf("open store: %v", err)
		}
		a.db = db
	})
	return a.db
}

// phoneTickets returns the tickets the IVR created (history actor "ivr"),
// oldest first.
func (a *atiende) phoneTickets(t testing.TB) []*tickets.Ticket {
	t.Helper()
	ctx := context.Background()
	list, _, err := a.store().ListTickets(ctx, tickets.Filter{Limit: 500})
	if err != nil {
		t.Fatalf("list tickets: %v", err)
	}
	var out []*tickets.Ticket
	for _, tk := range list {
		h, err := a.store().History(ctx, tk.Number)
		if err != nil {
			t.Fatalf("history %s: %v", tk.Number, err)
		}
		if len(h) > 0 && h[0].Actor == intake.Actor {
			out = append(out, tk)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// countTickets counts every ticket.
func (a *atiende) countTickets(t testing.TB) int {
	t.Helper()
	_, n, err := a.store().ListTickets(context.Background(), tickets.Filter{Limit: 1})
	if err != nil {
		t.Fatalf("count tickets: %v", err)
	}
	return n
}

// ticket reads one ticket.
func (a *atiende) ticket(t testing.TB, number string) *tickets.Ticket {
	t.Helper()
	tk, err := a.store().Ticket(context.Background(), number)
	if err != nil {
		t.Fatalf("ticket %s: %v", number, err)
	}
	return tk
}

// waitCallOutcome waits until the ticket's last call record has an outcome.
func (a *atiende) waitCallOutcome(t testing.TB, number string, d time.Duration) tickets.CallRecord {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		cs, err := a.store().Calls(context.Background(), number)
		if err != nil {
			t.Fatalf("calls %s: %v", number, err)
		}
		if len(cs) > 0 && cs[len(cs)-1].Outcome != "" {
			return cs[len(cs)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("ticket %s: no call outcome after %v (calls %+v)", number, d, cs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitPhoneTickets waits until the IVR has created n tickets.
func (a *atiende) waitPhoneTickets(t testing.TB, n int, d time.Duration) []*tickets.Ticket {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ts := a.phoneTickets(t)
		if len(ts) >= n {
			return ts
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d IVR tickets after %v, want %d", len(ts), d, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitFor polls cond every 50 ms for at most d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// apiClient is a logged-in API session.
type apiClient struct {
	t    testing.TB
	base string
	c    *http.Client
	csrf string
}

func (a *atiende) login(t testing.TB, user, password string) *apiClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &apiClient{t: t, base: a.Base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var resp struct {
		CSRFToken string `json:"csrf_token"`
	}
	if code := c.do("POST", "/api/v1/login", map[string]string{"username": user, "password": password}, &resp); code != 200 {
		t.Fatalf("login %s: %d", user, code)
	}
	c.csrf = resp.CSRFToken
	return c
}

// do sends a JSON request and decodes a JSON answer into out (if not nil).
func (c *apiClient) do(method, path string, body, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	if resp.StatusCode >= 300 {
		c.t.Logf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode
}

func (c *apiClient) setState(user, state, reason string) {
	c.t.Helper()
	body := map[string]string{"state": state}
	if reason != "" {
		body["reason"] = reason
	}
	if code := c.do("POST", "/api/v1/agents/"+user+"/state", body, nil); code/100 != 2 {
		c.t.Fatalf("set %s %s: %d", user, state, code)
	}
}

// agentStatus is one row of GET /api/v1/agents.
type agentStatus struct {
	Username  string `json:"username"`
	Extension string `json:"extension"`
	State     string `json:"state"`
	Reason    string `json:"reason"`
}

// agents returns GET /api/v1/agents by username (the caller must be a lead).
func (c *apiClient) agents() map[string]agentStatus {
	c.t.Helper()
	var raw json.RawMessage
	if code := c.do("GET", "/api/v1/agents", nil, &raw); code != 200 {
		c.t.Fatalf("GET agents: %d", code)
	}
	var list []agentStatus
	if err := json.Unmarshal(raw, &list); err != nil {
		var wrapped struct {
			Items []agentStatus `json:"items"`
		}
		if err2 := json.Unmarshal(raw, &wrapped); err2 != nil {
			c.t.Fatalf("agents: %v: %s", err, raw)
		}
		list = wrapped.Items
	}
	m := map[string]agentStatus{}
	for _, a := range list {
		m[a.Username] = a
	}
	return m
}

// stateWatch polls GET /api/v1/agents and records each agent's state changes.
type stateWatch struct {
	mu      sync.Mutex
	changes map[string][]string
	stop    chan struct{}
	done    chan struct{}
}

// watchStates polls every 40 ms until the returned watch is stopped. It
// never fails the test from its goroutine: errors end the polling.
func (c *apiClient) watchStates() *stateWatch {
	w := &stateWatch{changes: map[string][]string{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			req, _ := http.NewRequest("GET", c.base+"/api/v1/agents", nil)
			resp, err := c.c.Do(req)
			if err != nil {
				return
			}
			var list []agentStatus
			_ = json.NewDecoder(resp.Body).Decode(&list)
			resp.Body.Close()
			w.mu.Lock()
			for _, a := range list {
				s := a.State
				if a.Reason != "" {
					s += "(" + a.Reason + ")"
				}
				h := w.changes[a.Username]
				if len(h) == 0 || h[len(h)-1] != s {
					w.changes[a.Username] = append(h, s)
				}
			}
			w.mu.Unlock()
			select {
			case <-w.stop:
				return
			case <-time.After(40 * time.Millisecond):
			}
		}
	}()
	return w
}

// Stop ends the polling and returns the state changes per agent.
func (w *stateWatch) Stop() map[string][]string {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changes
}

// hasSequence reports whether want appears in order (not necessarily
// adjacent) in got.
func hasSequence(got []string, want ...string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// baresipAgent starts baresip registered as ext, answering automatically.
func (a *atiende) baresipAgent(t testing.TB, ext, password string) *sippeer.Baresip {
	t.Helper()
	b := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: ext, Password: password, Registrar: a.SIPAddr,
		AutoAnswer: true, Timeout: 150 * time.Second})
	// baresip may register before its ctrl_tcp is connected (the event is
	// then missed): Atiende's registrar log is the reliable signal.
	if _, ok := a.waitLog(10*time.Second, `msg="extension status"`, "extension="+ext, "state=registered"); !ok {
		t.Fatalf("baresip %s did not register\n%s", ext, b.Output())
	}
	return b
}

// sippAgent registers ext with sipp (testdata/sipp/agent_register.xml), its
// contact pointing at a sipp UAS running uasScenario.
func (a *atiende) sippAgent(t testing.TB, ext, password, uasScenario string) *sippeer.Sipp {
	t.Helper()
	uasPort := sippeer.FreePort(t)
	uas := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: uasScenario, Remote: a.SIPAddr, Port: uasPort, Timeout: 120 * time.Second,
		Keys: []string{"agent=" + ext}, Args: []string{"-rtp_echo"},
	})
	sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/sipp/agent_register.xml", Remote: a.SIPAddr, Timeout: 120 * time.Second,
		Keys: []string{"agent=" + ext, "uas_port=" + strconv.Itoa(uasPort)},
		Args: []string{"-au", ext, "-ap", password, "-m", "1", "-d", "110000"},
	})
	if _, ok := a.waitLog(10*time.Second, `msg="extension status"`, "extension="+ext, "state=registered"); !ok {
		t.Fatalf("sipp agent %s did not register", ext)
	}
	return uas
}

// callerStep is one thing a scripted sipp caller does after the answer:
// wait Pause, then press Key (if any) with the stock RFC 4733 pcaps.
type callerStep struct {
	Pause time.Duration
	Key   rune
}

// keys makes steps that press each key of s, gap apart, the first after first.
func keys(first, gap time.Duration, s string) []callerStep {
	var st []callerStep
	for i, k := range s {
		p := gap
		if i == 0 {
			p = first
		}
		st = append(st, callerStep{Pause: p, Key: k})
	}
	return st
}

func pcapFor(k rune) string {
	name := string(k)
	switch k {
	case '#':
		name = "pound"
	case '*':
		name = "star"
	}
	return "/usr/share/sip-tester/dtmf_2833_" + name + ".pcap"
}

// callerScenario writes a sipp caller scenario: INVITE [service] (From
// [caller]), ACK, the steps, then either hang up after hangupAfter
// (>0) or wait up to 90 s for Atiende's BYE (hangupAfter == 0).
func callerScenario(t testing.TB, steps []callerStep, hangupAfter time.Duration) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(callerHead)
	for _, s := range steps {
		if s.Pause > 0 {
			fmt.Fprintf(&b, "  <pause milliseconds=\"%d\"/>\n", s.Pause.Milliseconds())
		}
		if s.Key != 0 {
			fmt.Fprintf(&b, "  <nop><action><exec play_pcap_audio=\"%s\"/></action></nop>\n", pcapFor(s.Key))
		}
	}
	if hangupAfter > 0 {
		fmt.Fprintf(&b, "  <pause milliseconds=\"%d\"/>\n", hangupAfter.Milliseconds())
		b.WriteString(callerHangup)
	} else {
		b.WriteString(callerWaitBye)
	}
	path := filepath.Join(t.TempDir(), "caller.xml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sippSDPMedia is the SDP of the sipp scenarios after their o= line:
// PCMU and telephone-event, indented as their CDATA blocks are.
const sippSDPMedia = `      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=ptime:20
      a=sendrecv
`

const callerHead = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="help-desk caller">
  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "sipp caller" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port]>
      Max-Forwards: 70
      User-Agent: sipp-caller
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
` + sippSDPMedia + `
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
      From: "sipp caller" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:[caller]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
`

const callerWaitBye = `  <recv request="BYE" timeout="90000"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[caller]@[local_ip]:[local_port]>
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="200"/>
</scenario>
`

const callerHangup = `  <send retrans="500">
    <![CDATA[

      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "sipp caller" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:[caller]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" timeout="10000"/>
</scenario>
`

// startCaller runs one scripted sipp call from caller to 6000.
func (a *atiende) startCaller(t testing.TB, caller string, steps []callerStep, hangupAfter time.Duration) *sippeer.Sipp {
	t.Helper()
	return sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: callerScenario(t, steps, hangupAfter), Remote: a.SIPAddr, Timeout: 100 * time.Second,
		Keys: []string{"caller=" + caller}, Args: []string{"-s", "6000", "-m", "1"},
	})
}
