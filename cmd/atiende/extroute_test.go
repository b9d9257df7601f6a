package main

// Calls between extensions through Atiende's router on the embedded engine,
// with real phones (baresip, sipp), the real ACD and IVR, and PostgreSQL.

import (
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

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

// TestInternalCalls: calls between extensions, routed by Atiende the same
// way on the embedded engine and on the lab Asterisk (deploy/asterisk's
// dialplan sends them to the Stasis app).
func TestInternalCalls(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	for _, engine := range []string{"sip", "asterisk"} {
		t.Run(engine, func(t *testing.T) {
			t.Run("AgentOnInternalCallGetsNoOffer", func(t *testing.T) { testInternalCallBusy(t, engine) })
			t.Run("UnregisteredToQueue", func(t *testing.T) { testInternalToQueue(t, engine) })
			t.Run("UnregisteredToMenu", func(t *testing.T) { testInternalToMenu(t, engine) })
		})
	}
}

// extSite is Atiende on one engine, with the phones' registrar.
type extSite struct {
	*atiende
	engine string
	ast    *asterisklab.Asterisk // nil on the embedded engine
	admin  *apiClient
}

// startExtSite runs Atiende with extRules on engine; on Asterisk, callers
// (startCaller) and phones go to Asterisk's SIP address.
func startExtSite(t *testing.T, engine string) *extSite {
	t.Helper()
	o := harnessOptions{Queues: testQueues, Extra: extRules}
	s := &extSite{engine: engine}
	if engine == "asterisk" {
		s.ast = asterisklab.Start(t, asterisklab.Options{Extra: map[string]string{"pjsip.conf": labExtensions}})
		o.Env = asteriskEnv(s.ast)
	}
	s.atiende = startAtiende(t, o)
	if s.ast != nil {
		s.SIPAddr = s.ast.SIPAddr()
		t.Cleanup(func() { s.ast.CheckClean(t) })
	}
	s.admin = s.login(t, "admin", adminPassword)
	return s
}

// phone starts baresip registered as ext and waits until Atiende shows it
// registered.
func (s *extSite) phone(t *testing.T, ext string, autoAnswer bool) *sippeer.Baresip {
	t.Helper()
	pw := "demo" + ext
	if s.ast != nil {
		pw = ext
	}
	b := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: ext, Password: pw, Registrar: s.SIPAddr,
		AutoAnswer: autoAnswer, Timeout: 150 * time.Second})
	if !waitFor(20*time.Second, func() bool { return s.admin.extensionState(ext) == "registered" }) {
		t.Fatalf("baresip %s did not register\n%s", ext, b.Output())
	}
	return b
}

// rung finds the log line of Atiende ringing ext's phone.
func (s *extSite) rung(ext string) (string, bool) {
	if s.ast != nil {
		return s.findLog(`msg="ringing agent"`, "target=PJSIP/"+ext)
	}
	return s.findLog(`msg=dialing`, "extension="+ext)
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

// ana (an available agent, 1001) calls beto's 1002, which answers: they are
// bridged, and the network page shows both on the call. A help-desk call
// queued meanwhile is not offered to ana until she hangs up; then it is.
func testInternalCallBusy(t *testing.T, engine string) {
	t.Parallel()
	a := startExtSite(t, engine)
	admin := a.admin
	ana := a.phone(t, "1001", true)
	beto := a.phone(t, "1002", true)
	a.available(t, "ana")
	if err := ana.Dial("sip:1002@" + a.SIPAddr); err != nil {
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
	caller := a.startCaller(t, mariaPhone, keys(1500*time.Millisecond, 0, "0"), 0)
	tk := a.waitPhoneTickets(t, 1, 30*time.Second)[0] // opened before the queue
	// After the ticket is read back the call joins the queue, where an
	// offer to a free agent is immediate.
	if !waitFor(40*time.Second, func() bool {
		_, rung := a.rung("1001")
		return rung || a.metric(t, "atiende_queue_calls_waiting", `queue="general"`) >= 1
	}) {
		t.Fatalf("the caller never reached the queue\n%s", caller.Output())
	}
	time.Sleep(time.Second)
	if st := admin.agents()["ana"]; st.State != "available" {
		t.Errorf("ana on her internal call: %+v", st)
	}
	// Her phone was not rung for the queue call (a short ring may fall
	// between two polls of the states).
	if line, ok := a.rung("1001"); ok {
		t.Errorf("ana's phone rung for the queue call during her internal call: %s", line)
	}
	if line, ok := a.findLog(`msg="agent did not take call"`, "agent=ana"); ok {
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
	if rec := a.waitCallOutcome(t, tk.Number, 10*time.Second); rec.Outcome != "answered" || rec.Agent != "ana" {
		t.Errorf("call record %+v", rec)
	}
}

// dario (1004) calls carla's 1003, which is not registered: its rule sends
// the call to the general queue, where ana answers it.
func testInternalToQueue(t *testing.T, engine string) {
	t.Parallel()
	a := startExtSite(t, engine)
	admin := a.admin
	ana := a.phone(t, "1001", true)
	dario := a.phone(t, "1004", false)
	a.available(t, "ana")
	if err := dario.Dial("sip:1003@" + a.SIPAddr); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\n%s", err, tail(a.Logs.String(), 3000))
	}
	if _, err := dario.WaitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatalf("dario's phone: %v", err)
	}
	if _, ok := a.findLog(`msg="internal call queued"`, "from=1004", "to=1003", "queue=general", "reason=unreachable"); !ok {
		t.Error("no log of the call queued by 1003's rule")
	}
	if got := admin.extensionCalls(); !slices.Equal(got["1004"], []string{""}) {
		t.Errorf("extensions on calls %v, want 1004 on a call with the help desk", got)
	}
	if st := admin.agents()["ana"]; st.State != "on_call" {
		t.Errorf("ana: %+v", st)
	}
	_ = dario.Hangup()
	if _, err := ana.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Errorf("ana's call not ended: %v", err)
	}
	if !waitFor(5*time.Second, func() bool { return len(admin.extensionCalls()) == 0 }) {
		t.Errorf("extensions still on internal calls: %v", admin.extensionCalls())
	}
}

// dario (1004) calls beto's 1002, which is not registered: its rule sends
// the call to the help-desk menu.
func testInternalToMenu(t *testing.T, engine string) {
	t.Parallel()
	a := startExtSite(t, engine)
	dario := a.phone(t, "1004", false)
	if err := dario.Dial("sip:1002@" + a.SIPAddr); err != nil {
		t.Fatal(err)
	}
	if _, err := dario.WaitEvent("CALL_ESTABLISHED", 15*time.Second); err != nil {
		t.Fatalf("dario's phone: %v", err)
	}
	if _, ok := a.waitLog(5*time.Second, `msg="ivr call"`, "from=1004", "to=1002"); !ok {
		t.Errorf("the menu did not take the call\n%s", tail(a.Logs.String(), 3000))
	}
	_ = dario.Hangup()
	if _, err := dario.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("dario: %v", err)
	}
}
