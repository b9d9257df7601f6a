package main

// Rows of the two-engine call-path table (twoengine_test.go) for calls
// between extensions, routed by Atiende the same way on both engines
// (issue 17 §4: on Asterisk, deploy/asterisk's dialplan sends them to the
// Stasis app), and for a queue that no agent is logged in to (§3: the
// caller is never dropped in silence; the queue's no_agents setting).

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

func init() {
	internal := harnessOptions{Queues: testQueues, Extra: extRules,
		AsteriskExtra: map[string]string{"pjsip.conf": labExtensions}}
	callScenarios = append(callScenarios,
		callScenario{"InternalCallAgentGetsNoOffer", internal, scInternalCallBusy},
		callScenario{"InternalCallUnregisteredToQueue", internal, scInternalToQueue},
		callScenario{"InternalCallUnregisteredToMenu", internal, scInternalToMenu},
		callScenario{"NoAgentCallback", harnessOptions{Queues: testQueues}, scNoAgentsCallback},
		callScenario{"NoAgentWait", harnessOptions{Queues: testQueues + "  no_agents: wait\n"}, scNoAgentsWait},
		callScenario{"NoAgentOverflow", harnessOptions{
			Queues: testQueues + "  overrides:\n    network:\n      no_agents: overflow\n      overflow: email\n"}, scNoAgentsOverflow},
	)
}

// extRules: 1003 (carla) goes to the general queue, 1002 (beto) to the
// menu, when they do not answer.
const extRules = "extensions:\n  ring_timeout: 3s\n  rules:\n    \"1003\": {queue: general}\n    \"1002\": {menu: true}\n"

// labExtensions are the demo agents' extensions beyond deploy/asterisk's
// 1001 and 1002, for the lab Asterisk (password: the extension).
const labExtensions = `
[1003](agent-endpoint)
auth = 1003
aors = 1003
[1003](agent-auth)
username = 1003
password = 1003
[1003](agent-aor)

[1004](agent-endpoint)
auth = 1004
aors = 1004
[1004](agent-auth)
username = 1004
password = 1004
[1004](agent-aor)
`

// extPhone starts an agent's baresip registered as ext (agent) and waits
// until Atiende's extension list shows it registered: the router rings
// only extensions it knows to be there.
func (d *helpDesk) extPhone(t *testing.T, admin *apiClient, ext string, autoAnswer bool) *sippeer.Baresip {
	t.Helper()
	b := d.agent(t, ext, autoAnswer)
	if !waitFor(20*time.Second, func() bool { return admin.extensionState(ext) == "registered" }) {
		t.Fatalf("Atiende does not show %s registered: %q\n%s", ext, admin.extensionState(ext), b.Output())
	}
	return b
}

// rung finds the log line of Atiende ringing ext's phone.
func (d *helpDesk) rung(ext string) (string, bool) {
	if d.ast != nil {
		return d.findLog(`msg="ringing agent"`, "target=PJSIP/"+ext)
	}
	return d.findLog(`msg=dialing`, "extension="+ext)
}

// extensionState is ext's state in GET /api/v1/extensions.
func (c *apiClient) extensionState(ext string) string {
	c.t.Helper()
	var list struct {
		Extensions []struct {
			Extension string `json:"extension"`
			State     string `json:"state"`
		} `json:"extensions"`
	}
	if code := c.do("GET", "/api/v1/extensions", nil, &list); code != 200 {
		c.t.Fatalf("GET extensions: %d", code)
	}
	for _, x := range list.Extensions {
		if x.Extension == ext {
			return x.State
		}
	}
	return ""
}

// extensionCalls returns GET /api/v1/extensions' calls by extension.
func (c *apiClient) extensionCalls() map[string][]string {
	c.t.Helper()
	var list struct {
		Extensions []struct {
			Extension string   `json:"extension"`
			Calls     []string `json:"calls"`
		} `json:"extensions"`
	}
	if code := c.do("GET", "/api/v1/extensions", nil, &list); code != 200 {
		c.t.Fatalf("GET extensions: %d", code)
	}
	out := map[string][]string{}
	for _, x := range list.Extensions {
		if len(x.Calls) > 0 {
			out[x.Extension] = x.Calls
		}
	}
	return out
}

// agentInternalCall is user's internal call in GET /api/v1/agents: the
// other extensions, and whether there is one.
func (c *apiClient) agentInternalCall(user string) ([]string, bool) {
	c.t.Helper()
	var list []struct {
		Username     string `json:"username"`
		InternalCall *struct {
			Peers []string `json:"peers"`
		} `json:"internal_call"`
	}
	if code := c.do("GET", "/api/v1/agents", nil, &list); code != 200 {
		c.t.Fatalf("GET agents: %d", code)
	}
	for _, a := range list {
		if a.Username == user && a.InternalCall != nil {
			return a.InternalCall.Peers, true
		}
	}
	return nil, false
}

// InternalCallAgentGetsNoOffer: ana (an available agent, 1001) calls
// beto's 1002, which answers: they are bridged, and the network page shows
// both on the call. A help-desk call queued meanwhile is not offered to
// ana until she hangs up; then it is.
func scInternalCallBusy(t *testing.T, d *helpDesk) {
	admin := d.login(t, "admin", adminPassword)
	ana := d.extPhone(t, admin, "1001", true)
	beto := d.extPhone(t, admin, "1002", true)
	d.available(t, "ana")
	if err := ana.Dial("sip:1002@" + d.phones); err != nil {
		t.Fatal(err)
	}
	if _, err := beto.WaitEvent("CALL_ESTABLISHED", 15*time.Second); err != nil {
		t.Fatalf("beto's phone: %v", err)
	}
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatalf("ana's phone: %v", err)
	}
	if got := admin.extensionCalls(); !slices.Equal(got["1001"], []string{"1002"}) || !slices.Equal(got["1002"], []string{"1001"}) {
		t.Errorf("extensions on calls %v, want 1001 with 1002 and back", got)
	}
	// The wallboard and her console show her on that call, not available.
	if got, ok := admin.agentInternalCall("ana"); !ok || !slices.Equal(got, []string{"1002"}) {
		t.Errorf("ana's internal call in GET /agents: %v (%v), want with 1002", got, ok)
	}
	w := admin.watchStates()
	caller := d.call(t, mariaPhone, keys(1500*time.Millisecond, 0, "0"), 0)
	tk := d.waitPhoneTickets(t, 1, 30*time.Second)[0] // opened before the queue
	// After the ticket is read back the call joins the queue, where an
	// offer to a free agent is immediate.
	if !waitFor(40*time.Second, func() bool {
		_, rung := d.rung("1001")
		return rung || d.metric(t, "atiende_queue_calls_waiting", `queue="general"`) >= 1
	}) {
		t.Fatalf("the caller never reached the queue\n%s", caller.Output())
	}
	time.Sleep(time.Second)
	if st := admin.agents()["ana"]; st.State != "available" {
		t.Errorf("ana on her internal call: %+v", st)
	}
	// Her phone was not rung for the queue call (a short ring may fall
	// between two polls of the states).
	if line, ok := d.rung("1001"); ok {
		t.Errorf("ana's phone rung for the queue call during her internal call: %s", line)
	}
	if line, ok := d.findLog(`msg="agent did not take call"`, "agent=ana"); ok {
		t.Errorf("ana offered the queue call during her internal call: %s", line)
	}
	changes := w.Stop()
	if slices.Contains(changes["ana"], "ringing") || slices.Contains(changes["ana"], "on_call") {
		t.Errorf("ana was offered the queue call during her internal call: %v", changes["ana"])
	}
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Fatalf("ana's internal call: %v", err)
	}
	// beto's phone is hung up too, though they talked for longer than
	// the router's 5 s to hang it up (which once ran from the answer).
	if _, err := beto.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Errorf("beto's phone after ana hung up: %v", err)
	}
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("the queue call did not reach ana after her internal call: %v\ncaller: %s", err, caller.Output())
	}
	if !waitFor(5*time.Second, func() bool { return len(admin.extensionCalls()) == 0 }) {
		t.Errorf("extensions still on internal calls: %v", admin.extensionCalls())
	}
	if got, ok := admin.agentInternalCall("ana"); ok {
		t.Errorf("ana still shown on an internal call with %v", got)
	}
	time.Sleep(500 * time.Millisecond)
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	if rec := d.waitCallOutcome(t, tk.Number, 10*time.Second); rec.Outcome != "answered" || rec.Agent != "ana" {
		t.Errorf("call record %+v", rec)
	}
}

// InternalCallUnregisteredToQueue: dario (1004) calls carla's 1003, which
// is not registered: its rule sends the call to the general queue, where
// ana answers it.
func scInternalToQueue(t *testing.T, d *helpDesk) {
	admin := d.login(t, "admin", adminPassword)
	ana := d.extPhone(t, admin, "1001", true)
	dario := d.extPhone(t, admin, "1004", false)
	d.available(t, "ana")
	if err := dario.Dial("sip:1003@" + d.phones); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\n%s", err, tail(d.Logs.String(), 3000))
	}
	if _, err := dario.WaitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatalf("dario's phone: %v", err)
	}
	if _, ok := d.findLog(`msg="internal call queued"`, "from=1004", "to=1003", "queue=general", "reason=unreachable"); !ok {
		t.Error("no log of the call queued by 1003's rule")
	}
	if got := admin.extensionCalls(); !slices.Equal(got["1004"], []string{""}) {
		t.Errorf("extensions on calls %v, want 1004 on a call with the help desk", got)
	}
	// The desk sees the answer just after the phones do.
	if !waitFor(5*time.Second, func() bool { return admin.agents()["ana"].State == "on_call" }) {
		t.Errorf("ana: %+v, want on_call", admin.agents()["ana"])
	}
	_ = dario.Hangup()
	if _, err := ana.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Errorf("ana's call not ended: %v", err)
	}
	if !waitFor(5*time.Second, func() bool { return len(admin.extensionCalls()) == 0 }) {
		t.Errorf("extensions still on internal calls: %v", admin.extensionCalls())
	}
}

// InternalCallUnregisteredToMenu: dario (1004) calls beto's 1002, which is
// not registered: its rule sends the call to the help-desk menu.
func scInternalToMenu(t *testing.T, d *helpDesk) {
	admin := d.login(t, "admin", adminPassword)
	dario := d.extPhone(t, admin, "1004", false)
	if err := dario.Dial("sip:1002@" + d.phones); err != nil {
		t.Fatal(err)
	}
	if _, err := dario.WaitEvent("CALL_ESTABLISHED", 15*time.Second); err != nil {
		t.Fatalf("dario's phone: %v", err)
	}
	if _, ok := d.waitLog(5*time.Second, `msg="ivr call"`, "from=1004", "to=1002"); !ok {
		t.Errorf("the menu did not take the call\n%s", tail(d.Logs.String(), 3000))
	}
	_ = dario.Hangup()
	if _, err := dario.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("dario: %v", err)
	}
}

// noAgentsHz replaces the no-agents prompt on the embedded engine: a 50 Hz
// bin, far from the other tests' tones.
const noAgentsHz = 900.0

// noAgentsCall is María's call to a queue with no agent logged in: 1
// (failures), 1 (internet), 2 (a new ticket, not her open one), which
// queues it in network.
//
// What the caller hears is checked differently on each engine. On the
// embedded engine the caller is sipp, its audio goes to a socket of the
// test (sink), and the Spanish no-agents prompt is replaced by a tone the
// test can hear. Asterisk answers RTP to where it comes from
// (rtp_symmetric), so there the caller is a baresip softphone and what it
// heard is read from Asterisk's log, which names every sound file played.
type noAgentsCall struct {
	sipp *sippeer.Sipp // embedded engine
	sink *rtpSink
	soft *sippeer.Baresip // Asterisk
}

func (d *helpDesk) noAgentsCall(t *testing.T) *noAgentsCall {
	t.Helper()
	c := &noAgentsCall{}
	if d.ast != nil {
		c.soft = d.softCaller(t, mariaPhone)
		press(t, c.soft, 1500*time.Millisecond, 700*time.Millisecond, "112")
	} else {
		sup := d.login(t, "supervisora", DemoPassword)
		if code, _, body := sup.uploadWAV("language=es&prompt=no-agents&title=Sin+agentes", toneWAV(noAgentsHz, time.Second)); code != 201 {
			t.Fatalf("upload the no-agents prompt: %d %s", code, body)
		}
		c.sink = newRTPSink(t)
		c.sipp = d.sinkCaller(t, mariaPhone, c.sink, keys(1500*time.Millisecond, 700*time.Millisecond, "112"))
	}
	if _, ok := d.waitLog(40*time.Second, `msg="ivr enqueue"`, "queue=network"); !ok {
		t.Fatalf("the call never reached the queue\n%s", c.output())
	}
	return c
}

// sinkCaller starts a sipp call from caller to 6000 that presses keys and
// waits for Atiende's BYE, its audio going to sink.
func (d *helpDesk) sinkCaller(t *testing.T, caller string, sink *rtpSink, steps []callerStep) *sippeer.Sipp {
	t.Helper()
	b, err := os.ReadFile(callerScenario(t, steps, 0))
	if err != nil {
		t.Fatal(err)
	}
	sc := strings.Replace(string(b), "m=audio [media_port]", fmt.Sprintf("m=audio %d", sink.port()), 1)
	path := filepath.Join(t.TempDir(), "sink_keys_caller.xml")
	if err := os.WriteFile(path, []byte(sc), 0o600); err != nil {
		t.Fatal(err)
	}
	return sippeer.StartSipp(t, sippeer.SippOptions{Scenario: path, Remote: d.phones, Timeout: 100 * time.Second,
		Keys: []string{"caller=" + caller}, Args: []string{"-s", "6000", "-m", "1"}})
}

func (c *noAgentsCall) output() string {
	if c.soft != nil {
		return c.soft.Output()
	}
	return c.sipp.Output()
}

// waitHungUp waits until Atiende hangs the caller up.
func (c *noAgentsCall) waitHungUp(t *testing.T, d time.Duration) {
	t.Helper()
	var err error
	if c.soft != nil {
		_, err = c.soft.WaitEvent("CALL_CLOSED", d)
	} else {
		err = c.sipp.Wait(d)
	}
	if err != nil {
		t.Fatalf("caller (waits for Atiende's BYE): %v\n%s", err, c.output())
	}
}

// heardNoAgents reports whether the caller has heard that no agent is
// available (on Asterisk, and that they wait in line), and describes what
// it heard.
func (d *helpDesk) heardNoAgents(c *noAgentsCall) (bool, string) {
	if d.ast != nil {
		return heardInOrder(d.heard(), "no-agents", "no-agents-wait"), fmt.Sprintf("%q", d.heard())
	}
	h := listen(c.sink.frames(), noAgentsHz)
	return h.toneRun >= 40, fmt.Sprintf("%v", h)
}

// heardInOrder reports whether heard has prompts in that order.
func heardInOrder(heard []string, prompts ...string) bool {
	for _, p := range prompts {
		i := slices.Index(heard, p)
		if i < 0 {
			return false
		}
		heard = heard[i+1:]
	}
	return true
}

// NoAgentCallback (the default): the caller hears that no agent is
// available, the ticket number and that they will be called back, then
// Atiende hangs up. The callback keeps its place: the first agent to log
// in is rung for it.
func scNoAgentsCallback(t *testing.T, d *helpDesk) {
	c := d.noAgentsCall(t)
	c.waitHungUp(t, 60*time.Second)
	if d.ast != nil {
		if h := d.heard(); !heardInOrder(h, "no-agents", "report-registered", "callback-confirmed") {
			t.Errorf("the caller heard %q; want no-agents, report-registered and callback-confirmed in order", h)
		}
	} else {
		time.Sleep(200 * time.Millisecond)
		c.sink.close()
		h := listen(c.sink.frames(), noAgentsHz)
		t.Logf("the caller heard %v", h)
		// The tone (1 s), then "registered with number" + the digits + "we
		// will call you back": several seconds of speech.
		if h.toneRun < 40 || h.toneRun > 60 || h.soundAfter < 150 {
			t.Errorf("the caller heard %v; want about 50 frames of %v Hz (no agent is available), then the number and the callback notice", h, noAgentsHz)
		}
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := d.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "callback" || rec.Queue != "network" || rec.QueuedAt == nil {
		t.Errorf("call record %+v, want a callback in network", rec)
	}
	if v := d.metric(t, "atiende_queue_calls_total", `queue="network"`, `outcome="callback"`); v != 1 {
		t.Errorf("atiende_queue_calls_total{network,callback} = %v, want 1", v)
	}
	// ana logs in: the callback is first in line, so her phone rings.
	ana := d.agent(t, "1001", true)
	d.available(t, "ana")
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("ana's phone was not rung for the callback: %v", err)
	}
	if _, ok := d.waitLog(20*time.Second, "callback", "agent=ana"); !ok {
		t.Error("no callback log line for ana")
	}
	_ = ana.Hangup()
}

// NoAgentWait (no_agents: wait): the caller hears that no agent is
// available and stays in line; the agent who logs in answers the call.
func scNoAgentsWait(t *testing.T, d *helpDesk) {
	c := d.noAgentsCall(t)
	if !waitFor(30*time.Second, func() bool { ok, _ := d.heardNoAgents(c); return ok }) {
		_, h := d.heardNoAgents(c)
		t.Fatalf("the caller never heard the no-agents prompt: %s\n%s", h, c.output())
	}
	ana := d.agent(t, "1001", true)
	d.available(t, "ana")
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\ncaller: %s", err, c.output())
	}
	time.Sleep(500 * time.Millisecond)
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	c.waitHungUp(t, callerAfterAgentHangsUp)
	if d.ast != nil {
		if h := d.heard(); !heardInOrder(h, "no-agents", "no-agents-wait") {
			t.Errorf("the caller heard %q; want no-agents, then no-agents-wait", h)
		}
	} else {
		c.sink.close()
		h := listen(c.sink.frames(), noAgentsHz)
		t.Logf("the caller heard %v", h)
		if h.soundAfter < 75 {
			t.Errorf("the caller heard %v; want the tone, then the wait notice, the position and music", h)
		}
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := d.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" || rec.Queue != "network" {
		t.Errorf("call record %+v, want answered by ana in network", rec)
	}
}

// NoAgentOverflow (network: no_agents overflow to email): network has
// nobody, so the call goes to email, where beto answers it.
func scNoAgentsOverflow(t *testing.T, d *helpDesk) {
	beto := d.agent(t, "1002", true)
	d.available(t, "beto")
	caller := d.softCaller(t, mariaPhone)
	press(t, caller, 1500*time.Millisecond, 700*time.Millisecond, "112")
	if _, err := beto.WaitEvent("CALL_ESTABLISHED", 45*time.Second); err != nil {
		t.Fatalf("beto's phone (email, the overflow queue): %v\ncaller: %s", err, caller.Output())
	}
	time.Sleep(500 * time.Millisecond)
	if err := beto.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.WaitEvent("CALL_CLOSED", callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := d.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "beto" || rec.Queue != "email" {
		t.Errorf("call record %+v, want answered by beto in email", rec)
	}
	if _, ok := d.findLog("no agents for queue: overflow", "to=email"); !ok {
		t.Error("no overflow log line")
	}
}
