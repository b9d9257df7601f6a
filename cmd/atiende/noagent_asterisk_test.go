package main

// The no-agent scenarios of noagent_test.go on a real Asterisk 22 (the lab
// build with deploy/asterisk's configuration): Atiende runs with
// ATIENDE_ENGINE=asterisk, the sipp caller and the baresip agents talk to
// Asterisk's PJSIP. Asterisk answers RTP to where it comes from
// (rtp_symmetric), so the caller's audio cannot be sent to a socket of the
// test as on the embedded engine: what the caller heard is read from
// Asterisk's log, which names every sound file it plays to the channel.
// The caller presses 1 then 2 (an email failure, queue email): Asterisk
// takes the stock pcap's second press of the same key as a repeat of the
// first (same RTP timestamp), so the embedded scenarios' 1 1 2 cannot be
// keyed here.

import (
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

func TestNoAgentForTheQueueAsterisk(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	asterisklab.Prefix(t)
	t.Run("Callback", testNoAgentsCallbackAsterisk)
	t.Run("Wait", testNoAgentsWaitAsterisk)
	t.Run("Overflow", testNoAgentsOverflowAsterisk)
}

// astAgent registers baresip as ext with Asterisk (deploy/asterisk's
// password for the lab: the extension number), answering automatically.
func astAgent(t *testing.T, ast *asterisklab.Asterisk, ext string) *sippeer.Baresip {
	t.Helper()
	b := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: ext, Password: ext, Registrar: ast.SIPAddr(),
		AutoAnswer: true, Timeout: 150 * time.Second})
	if !waitFor(10*time.Second, func() bool {
		out, _ := ast.CLI("pjsip show contacts")
		return strings.Contains(out, ext+"/sip:")
	}) {
		out, _ := ast.CLI("pjsip show contacts")
		t.Fatalf("baresip %s did not register with Asterisk:\n%s\n%s", ext, out, b.Output())
	}
	return b
}

// astNoAgentsCall starts Atiende on a new lab Asterisk with queues and
// calls through Asterisk as María: 1 (failures), 2 (email), which queues
// the call in email. The caller waits for the BYE.
func astNoAgentsCall(t *testing.T, queues string) (*atiende, *asterisklab.Asterisk, *sippeer.Sipp) {
	t.Helper()
	ast := asterisklab.Start(t, asterisklab.Options{})
	a := startAtiende(t, harnessOptions{Queues: queues, Env: asteriskEnv(ast)})
	caller := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: callerScenario(t, keys(1500*time.Millisecond, 700*time.Millisecond, "12"), 0),
		Remote:   ast.SIPAddr(), Timeout: 100 * time.Second,
		Keys: []string{"caller=" + mariaPhone}, Args: []string{"-s", "6000", "-m", "1"}})
	if _, ok := a.waitLog(40*time.Second, `msg="ivr enqueue"`, "queue=email"); !ok {
		t.Fatalf("the call never reached the queue\n%s", caller.Output())
	}
	return a, ast, caller
}

// heardOnAsterisk reports whether Asterisk played each of sounds, in order.
func heardOnAsterisk(ast *asterisklab.Asterisk, sounds ...string) bool {
	log := ast.Log()
	for _, s := range sounds {
		i := strings.Index(log, "Playing 'atiende/"+s+".")
		if i < 0 {
			return false
		}
		log = log[i:]
	}
	return true
}

func testNoAgentsCallbackAsterisk(t *testing.T) {
	t.Parallel()
	a, ast, caller := astNoAgentsCall(t, testQueues)
	if err := caller.Wait(60 * time.Second); err != nil {
		t.Fatalf("caller (waits for Atiende's BYE): %v\n%s", err, caller.Output())
	}
	if !heardOnAsterisk(ast, "es/no-agents", "es/report-registered", "es/callback-confirmed") {
		t.Errorf("Asterisk did not play no-agents, report-registered and callback-confirmed in order:\n%s", tail(ast.Log(), 4000))
	}
	tk := a.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "callback" || rec.Queue != "email" || rec.QueuedAt == nil {
		t.Errorf("call record %+v, want a callback in email", rec)
	}
	beto := astAgent(t, ast, "1002")
	a.available(t, "beto")
	if _, err := beto.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("beto's phone was not rung for the callback: %v", err)
	}
	if _, ok := a.waitLog(20*time.Second, "callback", "agent=beto"); !ok {
		t.Error("no callback log line for beto")
	}
	_ = beto.Hangup()
	ast.CheckClean(t)
}

func testNoAgentsWaitAsterisk(t *testing.T) {
	t.Parallel()
	a, ast, caller := astNoAgentsCall(t, testQueues+"  no_agents: wait\n")
	if !waitFor(30*time.Second, func() bool { return heardOnAsterisk(ast, "es/no-agents", "es/no-agents-wait") }) {
		t.Fatalf("Asterisk never played no-agents then no-agents-wait:\n%s", tail(ast.Log(), 4000))
	}
	beto := astAgent(t, ast, "1002")
	a.available(t, "beto")
	if _, err := beto.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("beto's phone: %v\ncaller: %s", err, caller.Output())
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
	ast.CheckClean(t)
}

func testNoAgentsOverflowAsterisk(t *testing.T) {
	t.Parallel()
	ast := asterisklab.Start(t, asterisklab.Options{})
	a := startAtiende(t, harnessOptions{Env: asteriskEnv(ast),
		Queues: testQueues + "  overrides:\n    email:\n      no_agents: overflow\n      overflow: network\n"})
	ana := astAgent(t, ast, "1001")
	a.available(t, "ana")
	caller := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: callerScenario(t, keys(1500*time.Millisecond, 700*time.Millisecond, "12"), 0),
		Remote:   ast.SIPAddr(), Timeout: 100 * time.Second,
		Keys: []string{"caller=" + mariaPhone}, Args: []string{"-s", "6000", "-m", "1"}})
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 45*time.Second); err != nil {
		t.Fatalf("ana's phone (network, the overflow queue): %v\ncaller: %s", err, caller.Output())
	}
	time.Sleep(500 * time.Millisecond)
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	tk := a.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" || rec.Queue != "network" {
		t.Errorf("call record %+v, want answered by ana in network", rec)
	}
	ast.CheckClean(t)
}
