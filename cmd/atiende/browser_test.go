package main

// Browser tests against a real running Atiende (Main serve, PostgreSQL,
// demo data) with real SIP peers (sipp, baresip), driving Debian's Chromium
// with chromedp: the agent console and its screen-pop, the wallboard, the
// network page, and the security checks a browser relies on.

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
)

// brHostile is the caller's display name: it must show as text.
const brHostile = `<img src=x onerror=alert(1)>`

// Both callers are unknown to the help desk: for a known contact the pop
// names the contact, not the caller's display name.
const (
	brPopCaller    = "+525512340000"
	brWaitCaller   = "+525587654321"
	brRingDelay    = 2500 * time.Millisecond // the agent's phone rings this long before 200 OK
	brTalk         = 5 * time.Second         // then the agent hangs up after this long without a request
	brQueues       = "  ring_timeout: 10s\n  wrap_up: 2s\n"
	brPassword     = "atiende-demo"
	brStepTimeout  = 15 * time.Second
	brWaitDuration = 20 * time.Second
)

// brAgentUAS is a sipp UAS for an agent's phone: 180 Ringing at once, 200
// OK after %[1]d ms, then the agent hangs up after %[2]d ms without a
// request (re-INVITEs are answered). With -trace_logs it logs
// "I <from-user> <from-uri> <timestamp>" when the INVITE arrives and "A <from-user>
// <timestamp>" right before the 200 OK. %[3]s ends the scenario: the
// stop_now action (one call) or nothing (the UAS takes calls until killed).
const brAgentUAS = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="agent phone rings, then answers">
  <recv request="OPTIONS" optional="true" next="options"/>
  <recv request="INVITE">
    <action>
      <ereg regexp="sip:([^@]+)@" search_in="hdr" header="From:" assign_to="whole,caller"/>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
      <ereg regexp="sip:[^&gt;]*" search_in="hdr" header="Contact:" assign_to="remote_contact"/>
      <log message="I [$caller] [$whole] [timestamp]"/>
    </action>
  </recv>
  <send>
    <![CDATA[

      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[agent]@[local_ip]:[local_port]>
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="%[1]d"/>
  <nop><action><log message="A [$caller] [timestamp]"/></action></nop>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[agent]@[local_ip]:[local_port]>
      User-Agent: sipp-agent-[agent]
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=agent 53655765 2353687637 IN IP[local_ip_type] [local_ip]
` + sippSDPMedia + `
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>

  <label id="talk"/>
  <recv request="INVITE" optional="true" timeout="%[2]d" ontimeout="hangup" next="reinvite"/>
  <recv request="BYE" timeout="%[2]d" ontimeout="hangup" next="farbye"/>

  <label id="reinvite"/>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[agent]@[local_ip]:[local_port]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=agent 53655765 2353687638 IN IP[local_ip_type] [local_ip]
` + sippSDPMedia + `
    ]]>
  </send>
  <recv request="ACK" next="talk"/>

  <label id="farbye"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <nop next="done"/>

  <label id="hangup"/>
  <send retrans="500">
    <![CDATA[

      BYE [$remote_contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[agent]@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
      To: [$remote_from]
      Call-ID: [call_id]
      CSeq: 1 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" timeout="10000"/>

  <label id="done"/>
  %[3]s
  <nop next="end"/>
  <label id="options"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag02[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Accept: application/sdp
      Allow: INVITE, ACK, CANCEL, BYE, OPTIONS
      Content-Length: 0

    ]]>
  </send>
  <label id="end"/>
</scenario>
`

// brPhone is an agent's phone: a sipp UAS (brAgentUAS) registered as ext,
// logging the INVITE and the 200 OK with their times.
type brPhone struct {
	uas *sippeer.Sipp
	log string
}

// brStartPhone registers ext for an hour with sipp (a copy of
// testdata/sipp/agent_register.xml) with its contact at a sipp UAS that rings for ring, answers and hangs up
// after talk of silence. oneCall stops the UAS after its first call.
func (a *atiende) brStartPhone(t testing.TB, ext, password string, ring, talk time.Duration, oneCall bool) *brPhone {
	t.Helper()
	dir := t.TempDir()
	end := ""
	if oneCall {
		end = `<nop><action><exec int_cmd="stop_now"/></action></nop>`
	}
	scenario := filepath.Join(dir, "agent_uas.xml")
	if err := os.WriteFile(scenario, fmt.Appendf(nil, brAgentUAS, ring.Milliseconds(), talk.Milliseconds(), end), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &brPhone{log: filepath.Join(dir, "agent_uas.log")}
	uasPort := sippeer.FreePort(t)
	p.uas = sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: scenario, Remote: a.SIPAddr, Port: uasPort, Timeout: 10 * time.Minute,
		Keys: []string{"agent=" + ext}, Args: []string{"-rtp_echo", "-trace_logs", "-log_file", p.log},
	})
	// testdata/sipp/agent_register.xml registers for 120 s and never
	// refreshes: a benchmark outlives that, so register for an hour.
	reg, err := os.ReadFile("testdata/sipp/agent_register.xml")
	if err != nil {
		t.Fatal(err)
	}
	regScenario := filepath.Join(dir, "agent_register.xml")
	if err := os.WriteFile(regScenario, []byte(strings.ReplaceAll(string(reg), "Expires: 120", "Expires: 3600")), 0o600); err != nil {
		t.Fatal(err)
	}
	sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: regScenario, Remote: a.SIPAddr, Timeout: 10 * time.Minute,
		Keys: []string{"agent=" + ext, "uas_port=" + strconv.Itoa(uasPort)},
		Args: []string{"-au", ext, "-ap", password, "-m", "1", "-d", "590000"},
	})
	if _, ok := a.waitLog(10*time.Second, `msg="extension status"`, "extension="+ext, "state=registered"); !ok {
		t.Fatalf("sipp phone %s did not register", ext)
	}
	return p
}

// brPhoneEvent is one line of a brPhone's log.
type brPhoneEvent struct {
	Tag    string // "I": INVITE received; "A": 200 OK about to be sent
	Caller string // the From user of the INVITE
	At     time.Time
}

// events reads the phone's log (sipp flushes it as it writes).
func (p *brPhone) events(t testing.TB) []brPhoneEvent {
	t.Helper()
	f, err := os.Open(p.log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("phone log: %v", err)
	}
	defer f.Close()
	var out []brPhoneEvent
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 5 || (fs[0] != "I" && fs[0] != "A") {
			continue
		}
		sec, err := strconv.ParseFloat(fs[len(fs)-1], 64)
		if err != nil {
			continue
		}
		out = append(out, brPhoneEvent{Tag: fs[0], Caller: fs[1], At: time.UnixMicro(int64(sec * 1e6))})
	}
	return out
}

// brStartCaller runs one scripted sipp call to 6000 from caller, with
// display as the From display name (see harness_test.go's callerScenario).
func (a *atiende) brStartCaller(t testing.TB, caller, display string, steps []callerStep, hangupAfter time.Duration) *sippeer.Sipp {
	t.Helper()
	path := callerScenario(t, steps, hangupAfter)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), `"sipp caller"`, `"`+display+`"`)
	if !strings.Contains(s, display) {
		t.Fatal("caller scenario: no display name to replace")
	}
	path = filepath.Join(t.TempDir(), "caller_display.xml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: path, Remote: a.SIPAddr, Timeout: 100 * time.Second,
		Keys: []string{"caller=" + caller}, Args: []string{"-s", "6000", "-m", "1"},
	})
}

// brStep runs chromedp actions with a timeout; on failure it saves a
// screenshot and fails the test.
func brStep(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, brStepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		browsertest.Screenshot(t, ctx, "failed")
		t.Fatalf("%s: %v", what, err)
	}
}

// brEval evaluates js (promises awaited) in the tab of ctx.
func brEval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// brWaitJS waits up to d until the expression is true.
func brWaitJS(t testing.TB, ctx context.Context, d time.Duration, what, js string) {
	t.Helper()
	browsertest.WaitJS(t, ctx, d, what, js)
}

// brLogin logs user in through the login form at / and waits for the page
// the role lands on, with its websocket online.
func brLogin(t testing.TB, ctx context.Context, base, user, page string) {
	t.Helper()
	brStep(t, ctx, "log in as "+user,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), brPassword),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
	brWaitJS(t, ctx, 10*time.Second, user+" on "+page,
		`location.pathname === "`+page+`" && document.getElementById("ws-status") !== null && document.getElementById("ws-status").classList.contains("online")`)
}

// brPopWatch installs, in the console, a MutationObserver that records in
// window.__pops each time the screen-pop is visible with a new ticket or
// phase: {at, painted} are performance.timeOrigin + performance.now() in
// ms (Unix epoch) when the DOM changed and at the next animation frame.
const brPopWatch = `(() => {
  if (window.__pops) return true;
  window.__pops = [];
  const pop = document.getElementById('pop');
  let last = '';
  const rec = () => {
    if (pop.hidden) { last = ''; return; }
    const phase = document.getElementById('pop-phase').className;
    const ticket = document.getElementById('pop-ticket-number').textContent;
    const key = ticket + '|' + phase;
    if (key === last) return;
    last = key;
    const e = { at: performance.timeOrigin + performance.now(), painted: 0, phase, ticket,
      name: document.getElementById('pop-display-name').textContent,
      number: document.getElementById('pop-number').textContent };
    window.__pops.push(e);
    requestAnimationFrame(() => { e.painted = performance.timeOrigin + performance.now(); });
  };
  new MutationObserver(rec).observe(pop, { attributes: true, childList: true, subtree: true, characterData: true });
  rec();
  return true;
})()`

// brPop is one entry of window.__pops.
type brPop struct {
	At      float64 `json:"at"`
	Painted float64 `json:"painted"`
	Phase   string  `json:"phase"`
	Ticket  string  `json:"ticket"`
	Name    string  `json:"name"`
	Number  string  `json:"number"`
}

// brErrorWatch records in window.__errors the text of every error flash the
// page shows (they hide themselves after a while).
const brErrorWatch = `(() => {
  if (window.__errors) return true;
  window.__errors = [];
  const f = document.getElementById('flash');
  new MutationObserver(() => {
    if (!f.hidden && f.classList.contains('error')) window.__errors.push(f.textContent);
  }).observe(f, { attributes: true, childList: true, characterData: true, subtree: true });
  return true;
})()`

// brErrorShown is true while an error flash shows.
const brErrorShown = `document.querySelector("#flash.error:not([hidden])") !== null`

func brMillis(t time.Time) float64 { return float64(t.UnixMicro()) / 1000 }

func TestBrowser(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	start := time.Now()
	ctx := browsertest.Browser(t)
	a := startAtiende(t, harnessOptions{Queues: brQueues})
	t.Logf("atiende at %s, browser up: %v", a.Base, time.Since(start).Round(time.Millisecond))

	// (f) Security, as plain HTTP clients.
	t.Run("CrossSiteRefused", func(t *testing.T) { brCrossSite(t, a) })

	sup := a.login(t, "supervisora", brPassword)
	phone := a.brStartPhone(t, "1001", "demo1001", brRingDelay, brTalk, true)

	// (a) ana logs in through the form and lands on the console; she
	// pauses from the console (the wallboard scene needs a waiting call).
	agent := ctx
	dialogs := browsertest.WatchDialogs(agent)
	console := browsertest.WatchConsole(agent)
	brLogin(t, agent, a.Base, "ana", "/agent.html")
	brEval[bool](t, agent, brPopWatch)
	brEval[bool](t, agent, brErrorWatch)
	brWaitJS(t, agent, 5*time.Second, "ana's extension", `document.getElementById("my-ext").textContent === "1001"`)
	brStep(t, agent, "pause", chromedp.Click(chromedp.ID("btn-pause")))
	brWaitJS(t, agent, 5*time.Second, "the pause dialog", `document.querySelector("dialog.ask[open] select") !== null`)
	brStep(t, agent, "confirm the pause (reason: the first one, lunch)", chromedp.Click(chromedp.CSS(`dialog.ask button[type=submit]`)))
	brWaitJS(t, agent, 5*time.Second, "ana paused", `document.getElementById("my-state").classList.contains("agent-paused")`)
	if st := sup.agents()["ana"]; st.State != "paused" || st.Reason != "lunch" {
		t.Fatalf("ana after pausing from the console: %+v", st)
	}

	// (d) The wallboard, supervisora in her own browser context, records
	// the network queue's waiting count on every change.
	wb := browsertest.Incognito(t, ctx)
	wbDialogs := browsertest.WatchDialogs(wb)
	brLogin(t, wb, a.Base, "supervisora", "/wallboard.html")
	brWaitJS(t, wb, 5*time.Second, "ana on the wallboard", `document.querySelector('tr[data-agent="ana"] .badge.agent-paused') !== null`)
	brEval[bool](t, wb, `(() => {
	  window.__waiting = [];
	  const rec = () => {
	    const c = document.querySelector('tr[data-queue="network"] .waiting');
	    const v = c ? c.textContent : '';
	    if (window.__waiting[window.__waiting.length - 1] !== v) window.__waiting.push(v);
	  };
	  new MutationObserver(rec).observe(document.getElementById('queue-rows'), { childList: true, subtree: true, characterData: true });
	  rec();
	  return true;
	})()`)
	// An unknown caller reports an internet failure (1, 1) and waits: the
	// only agent of the queue is paused. She hangs up 14 s after the keys.
	waiter := a.brStartCaller(t, brWaitCaller, "Waiting caller", keys(1500*time.Millisecond, 700*time.Millisecond, "11"), 14*time.Second)

	// (e) Meanwhile, redes watches extension 1003 register and unregister.
	t.Run("NetworkPage", func(t *testing.T) { brNetworkPage(t, a, ctx) })

	brWaitJS(t, wb, brWaitDuration, "one caller waiting in network", `document.querySelector('tr[data-queue="network"] .waiting').textContent === "1"`)
	browsertest.Screenshot(t, wb, "wallboard-waiting")
	if err := waiter.Wait(30 * time.Second); err != nil {
		t.Fatalf("waiting caller: %v\n%s", err, waiter.Output())
	}
	for _, x := range a.waitPhoneTickets(t, 1, 5*time.Second) {
		if x.Caller.Phone == brWaitCaller {
			if rec := a.waitCallOutcome(t, x.Number, 10*time.Second); rec.Outcome != "abandoned" || rec.QueuedAt == nil {
				t.Errorf("the waiting caller's call record %+v, want abandoned after queueing", rec)
			}
		}
	}
	brWaitJS(t, wb, 5*time.Second, "no caller waiting", `document.querySelector('tr[data-queue="network"] .waiting').textContent === "0"`)
	history := brEval[[]string](t, wb, `window.__waiting`)
	t.Logf("wallboard waiting count for network: %q", history)
	if !strings.Contains(strings.Join(history, ","), "1,0") {
		t.Errorf("wallboard waiting counts %q: want it to rise to 1 then fall to 0", history)
	}
	browsertest.Screenshot(t, wb, "wallboard-after")

	// (a) ana goes available from the console.
	brStep(t, agent, "go available", chromedp.Click(chromedp.ID("btn-available")))
	brWaitJS(t, agent, 5*time.Second, "ana available", `document.getElementById("my-state").classList.contains("agent-available")`)
	if st := sup.agents()["ana"]; st.State != "available" {
		t.Fatalf("ana after going available from the console: %+v", st)
	}

	// (b) The caller with a hostile display name reports an internet
	// failure: the pop shows while ana's phone still rings.
	caller := a.brStartCaller(t, brPopCaller, brHostile, keys(1500*time.Millisecond, 700*time.Millisecond, "11"), 0)
	brWaitJS(t, agent, brWaitDuration, "the screen-pop, ringing",
		`!document.getElementById("pop").hidden && document.getElementById("pop-phase").classList.contains("phase-ringing") && document.getElementById("pop-ticket-number").textContent !== ""`)
	ringing := sup.agents()["ana"].State
	answeredEarly := false
	for _, e := range phone.events(t) {
		answeredEarly = answeredEarly || e.Tag == "A"
	}
	browsertest.Screenshot(t, agent, "pop-ringing")
	if ringing != "ringing" || answeredEarly {
		t.Errorf("when the pop showed: ana %q (want ringing), phone answered already: %v", ringing, answeredEarly)
	}
	brWaitJS(t, agent, brWaitDuration, "the pop's unknown caller and ticket",
		`document.getElementById("pop-name").textContent === "Llamante desconocido" && !document.getElementById("pop-unknown").hidden && document.querySelector("#pop-ticket .ticket-head[data-number]") !== null`)

	var tk *tickets.Ticket
	for _, x := range a.waitPhoneTickets(t, 2, 5*time.Second) {
		if x.Caller.Phone == brPopCaller {
			tk = x
		}
	}
	if tk == nil {
		t.Fatalf("no IVR ticket with caller phone %s", brPopCaller)
	}
	// The pop: the caller's data, the ticket, the display name as text.
	for _, c := range []struct{ js, want string }{
		{`document.getElementById("pop-display-name").textContent`, brHostile},
		{`document.getElementById("pop-number").textContent`, brPopCaller},
		{`document.getElementById("pop-ticket-number").textContent`, "#" + tk.Number},
		{`document.querySelector("#pop-ticket .ticket-head").dataset.number`, tk.Number},
		// The queue and the IVR path (main:1, failures:1) in words.
		{`document.getElementById("pop-queue").textContent`, tickets.DefaultCatalog().QueueNameIn("network", "es")},
		{`document.getElementById("pop-ivr").textContent + " [" + ` + "`" + strings.Join(tk.IVRPath, ",") + "`" + ` + "]"`, "Menú principal: tecla 1 (Fallas) › Fallas: tecla 1 [main:1,failures:1]"},
		{`document.getElementById("pop-phase").className`, "pop-phase phase-ringing"},
	} {
		if got := brEval[string](t, agent, c.js); got != c.want {
			t.Errorf("%s = %q, want %q", c.js, got, c.want)
		}
	}
	if n := brEval[int](t, agent, `document.querySelectorAll("img").length`); n != 0 {
		t.Errorf("%d <img> elements in the console: the display name became markup", n)
	}
	if tk.Service != "internet_failure" || tk.Queue != "network" || strings.Join(tk.IVRPath, ",") != "main:1,failures:1" {
		t.Errorf("ticket %s: service %s queue %s path %q", tk.Number, tk.Service, tk.Queue, tk.IVRPath)
	}

	brWaitJS(t, agent, brWaitDuration, "the call answered", `document.getElementById("pop-phase").classList.contains("phase-talking")`)
	browsertest.Screenshot(t, agent, "pop-talking")
	// Order: the pop was painted before the phone sent 200 OK.
	pops := brEval[[]brPop](t, agent, `window.__pops`)
	var popAt float64
	for _, p := range pops {
		if p.Ticket == "#"+tk.Number && strings.Contains(p.Phase, "phase-ringing") && popAt == 0 {
			popAt = p.Painted
		}
	}
	var invite, answer float64
	for _, e := range phone.events(t) {
		switch {
		case e.Tag == "I" && invite == 0:
			invite = brMillis(e.At)
		case e.Tag == "A" && answer == 0:
			answer = brMillis(e.At)
		}
	}
	t.Logf("phone: INVITE at +0 ms, pop painted at %+.1f ms, 200 OK at %+.1f ms", popAt-invite, answer-invite)
	if popAt == 0 || invite == 0 || answer == 0 || popAt >= answer {
		t.Errorf("pop painted %.1f, INVITE %.1f, 200 OK %.1f (Unix ms): want the pop before the answer (pops %+v)", popAt, invite, answer, pops)
	}
	// The console told the hub the pop was painted: the screen-pop time
	// from the offer is observed once.
	if !waitFor(5*time.Second, func() bool { return a.metric(t, "atiende_screenpop_seconds_count") == 1 }) {
		t.Errorf("atiende_screenpop_seconds_count = %v after the pop, want 1", a.metric(t, "atiende_screenpop_seconds_count"))
	}

	// The ticket is ana's from the answer: the pop shows it (Atiende tells
	// the console with ticket_changed, and the pop draws the ticket again)
	// and so does the API, while the call is still up.
	brWaitJS(t, agent, 10*time.Second, "ana as the assignee in the pop",
		`document.querySelector("#pop-ticket .field.assignee .value").textContent === "ana"`)
	answered := a.ticket(t, tk.Number)
	if !strings.Contains(brEval[string](t, agent, `document.getElementById("pop-phase").className`), "phase-talking") {
		t.Fatal("the call ended before the ticket showed ana as its assignee")
	}
	if answered.Assignee != "ana" {
		t.Fatalf("ticket %s in the API during the call: assignee %q, want ana", tk.Number, answered.Assignee)
	}
	browsertest.Screenshot(t, agent, "pop-assigned")

	// During the call ana creates the caller's contact from the pop and
	// starts work on the ticket: no conflict with the assignment.
	brStep(t, agent, "create the contact",
		chromedp.Click(chromedp.ID("pop-create")),
		chromedp.WaitVisible(chromedp.CSS(`#pop-contact-form input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`#pop-contact-form input[name=name]`), "Rosa Ibarra"),
		chromedp.SendKeys(chromedp.CSS(`#pop-contact-form input[name=department]`), "Tesorería"),
		chromedp.SendKeys(chromedp.CSS(`#pop-contact-form input[name=email]`), "rosa.ibarra@edomex.example.mx"),
		chromedp.Click(chromedp.CSS(`#pop-contact-form button[type=submit]`)))
	brWaitJS(t, agent, 5*time.Second, "the new contact in the pop",
		`document.getElementById("pop-name").textContent === "Rosa Ibarra" && document.getElementById("pop-unknown").hidden`)
	if ct, err := a.store().ContactByPhone(context.Background(), brPopCaller); err != nil || ct.Name != "Rosa Ibarra" || ct.Department != "Tesorería" {
		t.Errorf("contact by %s: %+v %v", brPopCaller, ct, err)
	}
	brStep(t, agent, "start work", chromedp.Click(chromedp.CSS(`#pop-ticket button.move[data-to="in_progress"]`)))
	brWaitJS(t, agent, 5*time.Second, "in progress or refused",
		`document.querySelector('#pop-ticket button.move[data-to="resolved"]') !== null || `+brErrorShown)
	if errs := brEval[[]string](t, agent, `window.__errors`); len(errs) != 0 {
		t.Fatalf("starting work from the pop was refused: %q", errs)
	}
	if !strings.Contains(brEval[string](t, agent, `document.getElementById("pop-phase").className`), "phase-talking") {
		t.Log("the call ended before work started on the ticket")
	}

	// The phone hangs up; the caller is offered the keypad survey, does not
	// answer it, and gets Atiende's BYE. The call timer stops, the wrap-up
	// counts down, then ana is available again.
	brEval[bool](t, agent, `(() => {
	  window.__wrapup = [];
	  const n = document.getElementById('wrapup-countdown');
	  const rec = () => { if (!document.getElementById('wrapup').hidden) window.__wrapup.push(n.textContent); };
	  new MutationObserver(rec).observe(document.getElementById('wrapup'), { attributes: true, childList: true, subtree: true, characterData: true });
	  return true;
	})()`)
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	brWaitJS(t, agent, 10*time.Second, "the call ended", `document.getElementById("pop-phase").classList.contains("phase-ended")`)
	brWaitJS(t, agent, 10*time.Second, "ana available after the wrap-up", `document.getElementById("my-state").classList.contains("agent-available")`)
	if wu := brEval[[]string](t, agent, `window.__wrapup`); !slices.ContainsFunc(wu, func(s string) bool { return strings.HasPrefix(s, "Post-llamada: quedan ") }) {
		t.Errorf("wrap-up countdown texts %q: want a countdown", wu)
	}
	timer := brEval[string](t, agent, `document.getElementById("pop-timer").textContent`)
	time.Sleep(1500 * time.Millisecond) // the console ticks every second
	if again := brEval[string](t, agent, `document.getElementById("pop-timer").textContent`); again != timer || timer == "0:00" {
		t.Errorf("call timer after the call: %q then %q, want the talk time, stopped", timer, again)
	}
	if got := a.ticket(t, tk.Number); got.Assignee != "ana" {
		t.Errorf("ticket %s after the call: assignee %q, want ana", tk.Number, got.Assignee)
	}

	// (c) After the call ana resolves the ticket from the pop, at once: the
	// pop carries the current version.
	const reason = "Se reinició el módem; hay conexión"
	brStep(t, agent, "resolve", chromedp.Click(chromedp.CSS(`#pop-ticket button.move[data-to="resolved"]`)))
	brWaitJS(t, agent, 5*time.Second, "the reason dialog", `document.querySelector("dialog.ask[open] textarea") !== null`)
	brStep(t, agent, "give the reason",
		chromedp.SendKeys(chromedp.CSS(`dialog.ask textarea`), reason),
		chromedp.Click(chromedp.CSS(`dialog.ask button[type=submit]`)))
	brWaitJS(t, agent, 5*time.Second, "resolved or refused",
		`document.querySelector("#pop-ticket .badge.state-resolved") !== null || `+brErrorShown)
	if errs := brEval[[]string](t, agent, `window.__errors`); len(errs) != 0 {
		browsertest.Screenshot(t, agent, "resolve-refused")
		t.Fatalf("resolving from the pop was refused: %q", errs)
	}
	browsertest.Screenshot(t, agent, "resolved")
	if got := a.ticket(t, tk.Number); got.State != tickets.Resolved {
		t.Errorf("ticket %s in PostgreSQL: %s, want resolved", tk.Number, got.State)
	}
	h, err := a.store().History(context.Background(), tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	var moves, assigned []string
	for _, e := range h {
		if e.Field == "state" && e.Actor == "ana" {
			moves = append(moves, e.From+">"+e.To+":"+e.Reason)
		}
		if e.Field == "assignee" {
			assigned = append(assigned, e.Actor+":"+e.From+">"+e.To)
			if e.Reason != tickets.AnsweredCall {
				t.Errorf("assignment reason %q, want the call", e.Reason)
			}
		}
	}
	if want := intake.Actor + ":>ana"; len(assigned) != 1 || assigned[0] != want {
		t.Errorf("assignments in the history: %q, want only %q", assigned, want)
	}
	if want := []string{"registered>in_progress:", "in_progress>resolved:" + reason}; strings.Join(moves, "|") != strings.Join(want, "|") {
		t.Errorf("ana's state changes in the history: %q, want %q (history %+v)", moves, want, h)
	}

	if d := append(dialogs.Opened(), wbDialogs.Opened()...); len(d) != 0 {
		t.Errorf("JavaScript dialogs opened: %v", d)
	}
	var errs []string
	for _, e := range console.Errors() {
		// Expected: the login page's /me probe (401) and the contact
		// lookup of the unknown caller (404). No conflict (409).
		if !strings.Contains(e, "Failed to load resource") ||
			!(strings.Contains(e, "401") || strings.Contains(e, "404")) {
			errs = append(errs, e)
		}
	}
	if len(errs) != 0 {
		t.Errorf("console errors (a CSP violation shows here): %v", errs)
	}
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}

// brNetworkPage: redes, in her own browser context, sees baresip register
// as 1003 and unregister when it quits, live (no reload).
func brNetworkPage(t *testing.T, a *atiende, browser context.Context) {
	page := browsertest.Incognito(t, browser)
	dialogs := browsertest.WatchDialogs(page)
	brLogin(t, page, a.Base, "redes", "/network.html")
	brWaitJS(t, page, 5*time.Second, "the extension list", `document.querySelectorAll("#ext-rows tr").length > 0`)
	brEval[bool](t, page, `(() => {
	  window.__ext = [];
	  const rec = () => {
	    const r = document.querySelector('tr[data-ext="1003"]');
	    const v = r ? r.className : '';
	    if (window.__ext[window.__ext.length - 1] !== v) window.__ext.push(v);
	  };
	  new MutationObserver(rec).observe(document.getElementById('ext-rows'), { childList: true, subtree: true, attributes: true });
	  rec();
	  return true;
	})()`)
	loads := brEval[float64](t, page, `performance.timeOrigin`)
	phone := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1003", Password: "demo1003", Registrar: a.SIPAddr, Timeout: 60 * time.Second})
	brWaitJS(t, page, 10*time.Second, "1003 registered", `document.querySelector('tr[data-ext="1003"]').className === "ext-registered"`)
	ua := brEval[string](t, page, `document.querySelector('tr[data-ext="1003"] .ua').textContent`)
	contact := brEval[string](t, page, `document.querySelector('tr[data-ext="1003"] .contact').textContent`)
	if !strings.Contains(strings.ToLower(ua), "baresip") || !strings.Contains(contact, "127.0.0.1:"+strconv.Itoa(phone.SIPPort)) {
		t.Errorf("1003 registered: user agent %q, contact %q (baresip at port %d)", ua, contact, phone.SIPPort)
	}
	browsertest.Screenshot(t, page, "registered")
	_ = phone.Command("quit", "") // baresip unregisters, then exits
	brWaitJS(t, page, 10*time.Second, "1003 unregistered", `document.querySelector('tr[data-ext="1003"]').className === "ext-unregistered"`)
	browsertest.Screenshot(t, page, "unregistered")
	hist := brEval[[]string](t, page, `window.__ext`)
	t.Logf("1003's row classes: %q", hist)
	if !strings.Contains(strings.Join(hist, ","), "ext-registered,ext-unregistered") {
		t.Errorf("1003's row went %q: want registered then unregistered", hist)
	}
	if n := brEval[int](t, page, `[...document.querySelectorAll("#ext-changes li strong")].filter((s) => s.textContent === "1003").length`); n < 2 {
		t.Errorf("%d changes of 1003 in the history list, want 2", n)
	}
	if again := brEval[float64](t, page, `performance.timeOrigin`); again != loads {
		t.Error("the network page reloaded: the updates were not live")
	}
	// The owner comes from the directory (1003 is carla's), and the stored
	// history of the extension opens on a click.
	brWaitJS(t, page, 35*time.Second, "1003's owner", `document.querySelector('tr[data-ext="1003"] .owner').textContent.includes("Carla")`)
	brStep(t, page, "open 1003's history", chromedp.Click(chromedp.CSS(`tr[data-ext="1003"] td.ext`)))
	brWaitJS(t, page, 5*time.Second, "1003's stored history", `document.querySelectorAll("#ext-history li").length >= 2`)
	browsertest.Screenshot(t, page, "history")
	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("dialogs: %v", d)
	}
}

// brCrossSite: with a valid session cookie, a websocket upgrade from
// another site's page is refused, and so is a POST without the CSRF token;
// the same requests done right are accepted (so the refusals are the
// origin and the token, not the session).
func brCrossSite(t *testing.T, a *atiende) {
	c := a.login(t, "ana", brPassword)
	base, _ := url.Parse(a.Base)
	var cookies []string
	for _, ck := range c.c.Jar.Cookies(base) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	if len(cookies) == 0 {
		t.Fatal("no session cookie after login")
	}
	wsURL := "ws://" + base.Host + "/ws"
	dial := func(origin string) (int, error) {
		h := http.Header{"Cookie": {strings.Join(cookies, "; ")}, "Origin": {origin}}
		conn, resp, err := websocket.DefaultDialer.Dial(wsURL, h)
		if conn != nil {
			conn.Close()
		}
		if resp == nil {
			return 0, err
		}
		return resp.StatusCode, err
	}
	if code, err := dial("http://evil.example"); code != http.StatusForbidden {
		t.Errorf("websocket from Origin http://evil.example: status %d (%v), want 403", code, err)
	}
	if code, err := dial(a.Base); code != http.StatusSwitchingProtocols {
		t.Errorf("websocket from its own origin: status %d (%v), want 101", code, err)
	}

	post := func(csrf string) int {
		req, _ := http.NewRequest("POST", a.Base+"/api/v1/tickets", strings.NewReader(`{"subject":"cross-site","service":"internet_failure"}`))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := c.c.Do(req)
		if err != nil {
			t.Fatalf("POST /api/v1/tickets: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	before := a.countTickets(t)
	if code := post(""); code != http.StatusForbidden {
		t.Errorf("POST /api/v1/tickets with the cookie and no X-CSRF-Token: %d, want 403", code)
	}
	if n := a.countTickets(t); n != before {
		t.Errorf("%d tickets after the refused POST, want %d", n, before)
	}
	if code := post(c.csrf); code == http.StatusForbidden || code == http.StatusUnauthorized {
		t.Errorf("POST /api/v1/tickets with the token: %d, want it past the CSRF check", code)
	}
}
