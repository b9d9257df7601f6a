package main

// Calls between extensions through Atiende's router on the embedded engine,
// with real phones (baresip, sipp), the real ACD and IVR, and PostgreSQL.

import (
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// extRules: 1003 (carla) goes to the general queue, 2001 to the menu.
const extRules = "extensions:\n  ring_timeout: 3s\n  rules:\n    \"1003\": {queue: general}\n    \"2001\": {menu: true}\n"

func TestInternalCalls(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	t.Run("AgentOnInternalCallGetsNoOffer", testInternalCallBusy)
	t.Run("UnregisteredToQueue", testInternalToQueue)
	t.Run("UnregisteredToMenu", testInternalToMenu)
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

// ana (an available agent, 1001) calls beto's 1002, which answers: they are
// bridged, and the network page shows both on the call. A help-desk call
// queued meanwhile is not offered to ana until she hangs up; then it is.
func testInternalCallBusy(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues, Extra: extRules})
	admin := a.login(t, "admin", adminPassword)
	ana := a.baresipAgent(t, "1001", "demo1001")
	beto := a.baresipAgent(t, "1002", "demo1002")
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
	w := admin.watchStates()
	caller := a.startCaller(t, mariaPhone, keys(1500*time.Millisecond, 0, "0"), 0)
	tk := a.waitPhoneTickets(t, 1, 30*time.Second)[0] // opened before the queue
	// After the ticket is read back the call joins the queue, where an
	// offer to a free agent is immediate.
	if !waitFor(40*time.Second, func() bool {
		_, rung := a.findLog(`msg=dialing`, "extension=1001")
		return rung || a.metric(t, "atiende_queue_calls_waiting", `queue="general"`) >= 1
	}) {
		t.Fatalf("the caller never reached the queue\n%s", caller.Output())
	}
	time.Sleep(time.Second)
	if st := admin.agents()["ana"]; st.State != "available" {
		t.Errorf("ana on her internal call: %+v", st)
	}
	// Her phone was not rung for the queue call (baresip would answer 486
	// Busy Here in a flash, too short for the state polling to see).
	if line, ok := a.findLog(`msg=dialing`, "extension=1001"); ok {
		t.Errorf("ana's phone rung for the queue call during her internal call: %s", line)
	}
	if line, ok := a.findLog(`msg="agent did not take call"`, "agent=ana"); ok {
		t.Errorf("ana offered the queue call during her internal call: %s", line)
	}
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Fatalf("ana's internal call: %v", err)
	}
	changes := w.Stop()
	if slices.Contains(changes["ana"], "ringing") || slices.Contains(changes["ana"], "on_call") {
		t.Errorf("ana was offered the queue call during her internal call: %v", changes["ana"])
	}
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("the queue call did not reach ana after her internal call: %v\ncaller: %s", err, caller.Output())
	}
	if !waitFor(5*time.Second, func() bool { return len(admin.extensionCalls()) == 0 }) {
		t.Errorf("extensions still on internal calls: %v", admin.extensionCalls())
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
func testInternalToQueue(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues, Extra: extRules})
	admin := a.login(t, "admin", adminPassword)
	ana := a.baresipAgent(t, "1001", "demo1001")
	dario := a.baresipAgent(t, "1004", "demo1004")
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

// dario (1004) calls 2001, which is not registered: its rule sends the call
// to the help-desk menu.
func testInternalToMenu(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues, Extra: extRules})
	dario := a.baresipAgent(t, "1004", "demo1004")
	if err := dario.Dial("sip:2001@" + a.SIPAddr); err != nil {
		t.Fatal(err)
	}
	if _, err := dario.WaitEvent("CALL_ESTABLISHED", 15*time.Second); err != nil {
		t.Fatalf("dario's phone: %v", err)
	}
	if _, ok := a.waitLog(5*time.Second, `msg="ivr call"`, "from=1004", "to=2001"); !ok {
		t.Errorf("the menu did not take the call\n%s", tail(a.Logs.String(), 3000))
	}
	_ = dario.Hangup()
	if _, err := dario.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("dario: %v", err)
	}
}
