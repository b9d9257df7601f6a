package main

// No agent logged in to the queue the caller chose: the caller is never
// dropped in silence. Each of the queue's no_agents choices (callback, the
// default; wait; overflow) is driven by a real sipp caller whose audio goes
// to a socket of the test, with the "no agent is available" prompt replaced
// by a tone so the test hears it.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// noAgentsHz replaces the no-agents prompt: a 50 Hz bin, far from the
// other tests' tones.
const noAgentsHz = 900.0

func TestNoAgentForTheQueue(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	t.Run("Callback", testNoAgentsCallback)
	t.Run("Wait", testNoAgentsWait)
	t.Run("Overflow", testNoAgentsOverflow)
}

// sinkCaller starts a sipp call from caller to 6000 that presses keys and
// waits for Atiende's BYE, its audio going to sink.
func (a *atiende) sinkCaller(t *testing.T, caller string, sink *rtpSink, steps []callerStep) *sippeer.Sipp {
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
	return sippeer.StartSipp(t, sippeer.SippOptions{Scenario: path, Remote: a.SIPAddr, Timeout: 100 * time.Second,
		Keys: []string{"caller=" + caller}, Args: []string{"-s", "6000", "-m", "1"}})
}

// noAgentsSetup starts Atiende with queues, replaces the Spanish no-agents
// prompt by a 1 s tone, and calls as María: 1 (failures), 1 (internet), 2
// (a new ticket, not her open one), which queues the call in network.
func noAgentsSetup(t *testing.T, queues string) (*atiende, *rtpSink, *sippeer.Sipp) {
	t.Helper()
	a := startAtiende(t, harnessOptions{Queues: queues})
	sup := a.login(t, "supervisora", DemoPassword)
	if code, _, body := sup.uploadWAV("language=es&prompt=no-agents&title=Sin+agentes", toneWAV(noAgentsHz, time.Second)); code != 201 {
		t.Fatalf("upload the no-agents prompt: %d %s", code, body)
	}
	sink := newRTPSink(t)
	caller := a.sinkCaller(t, mariaPhone, sink, keys(1500*time.Millisecond, 700*time.Millisecond, "112"))
	if _, ok := a.waitLog(30*time.Second, `msg="ivr enqueue"`, "queue=network"); !ok {
		t.Fatalf("the call never reached the queue\n%s", caller.Output())
	}
	return a, sink, caller
}

// Default (callback): the caller hears that no agent is available, the
// ticket number and that they will be called back, then Atiende hangs up.
// The callback keeps its place: the first agent to log in is rung for it.
func testNoAgentsCallback(t *testing.T) {
	t.Parallel()
	a, sink, caller := noAgentsSetup(t, testQueues)
	if err := caller.Wait(40 * time.Second); err != nil {
		t.Fatalf("caller (waits for Atiende's BYE): %v\n%s", err, caller.Output())
	}
	time.Sleep(200 * time.Millisecond)
	sink.close()
	h := listen(sink.frames(), noAgentsHz)
	t.Logf("the caller heard %v", h)
	// The tone (1 s), then "registered with number" + the digits + "we
	// will call you back": several seconds of speech.
	if h.toneRun < 40 || h.toneRun > 60 || h.soundAfter < 150 {
		t.Errorf("the caller heard %v; want about 50 frames of %v Hz (no agent is available), then the number and the callback notice", h, noAgentsHz)
	}
	tk := a.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "callback" || rec.Queue != "network" || rec.QueuedAt == nil {
		t.Errorf("call record %+v, want a callback in network", rec)
	}
	if v := a.metric(t, "atiende_queue_calls_total", `queue="network"`, `outcome="callback"`); v != 1 {
		t.Errorf("atiende_queue_calls_total{network,callback} = %v, want 1", v)
	}
	// ana logs in: the callback is first in line, so her phone rings.
	ana := a.baresipAgent(t, "1001", "demo1001")
	a.available(t, "ana")
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("ana's phone was not rung for the callback: %v", err)
	}
	if _, ok := a.waitLog(10*time.Second, "callback", "agent=ana"); !ok {
		t.Error("no callback log line for ana")
	}
}

// wait: the caller hears that no agent is available and stays in line;
// the agent who logs in answers the call.
func testNoAgentsWait(t *testing.T) {
	t.Parallel()
	a, sink, caller := noAgentsSetup(t, testQueues+"  no_agents: wait\n")
	if !waitFor(20*time.Second, func() bool { return listen(sink.frames(), noAgentsHz).toneRun >= 40 }) {
		t.Fatalf("the caller never heard the no-agents prompt: %v\n%s", listen(sink.frames(), noAgentsHz), caller.Output())
	}
	ana := a.baresipAgent(t, "1001", "demo1001")
	a.available(t, "ana")
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\ncaller: %s", err, caller.Output())
	}
	time.Sleep(500 * time.Millisecond)
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	sink.close()
	h := listen(sink.frames(), noAgentsHz)
	t.Logf("the caller heard %v", h)
	if h.soundAfter < 75 {
		t.Errorf("the caller heard %v; want the tone, then the wait notice, the position and music", h)
	}
	tk := a.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" || rec.Queue != "network" {
		t.Errorf("call record %+v, want answered by ana in network", rec)
	}
}

// overflow: network has nobody, so the call goes to email, where beto
// answers it.
func testNoAgentsOverflow(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues + "  overrides:\n    network:\n      no_agents: overflow\n      overflow: email\n"})
	beto := a.baresipAgent(t, "1002", "demo1002")
	a.available(t, "beto")
	caller := a.startCaller(t, mariaPhone, keys(1500*time.Millisecond, 700*time.Millisecond, "112"), 0)
	if _, err := beto.WaitEvent("CALL_ESTABLISHED", 40*time.Second); err != nil {
		t.Fatalf("beto's phone (email, the overflow queue): %v\ncaller: %s", err, caller.Output())
	}
	time.Sleep(500 * time.Millisecond)
	if err := beto.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	tk := a.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "beto" || rec.Queue != "email" {
		t.Errorf("call record %+v, want answered by beto in email", rec)
	}
	if _, ok := a.findLog("no agents for queue: overflow", "to=email"); !ok {
		t.Error("no overflow log line")
	}
}
