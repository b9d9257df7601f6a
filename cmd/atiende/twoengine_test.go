package main

// One call-path suite, two engines (issue 17 §2): each scenario of the
// table below runs against the real atiende binary and PostgreSQL, once on
// the embedded SIP engine (sip/<scenario>) and once on a real Asterisk 22
// running the project's deploy/asterisk configuration (asterisk/<scenario>).
// The scenarios share their code; only the help desk's phone system
// differs: where callers send their INVITE (Atiende's SIP port, or
// Asterisk's PJSIP trunk, which routes 6000 into Stasis) and where the
// agents' phones register (Atiende, or Asterisk's PJSIP). The agents are
// baresip phones on both: deploy/asterisk rewrites contacts, so a sipp
// agent whose REGISTER and UAS are different processes cannot be rung.
//
// Outside CI the asterisk subtests skip when no lab Asterisk is built;
// under CI=true that is a failure (asterisklab).

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
)

// helpDesk is one help desk under test: Atiende and, on Asterisk, the
// Asterisk it controls.
type helpDesk struct {
	*atiende
	engine string
	ast    *asterisklab.Asterisk // nil on the embedded engine
	// phones is where callers send their calls and agents register.
	phones string
}

// newHelpDesk is a help desk whose Atiende has just started. It records
// Atiende's goroutines before the scenario's calls, and checks them
// against that baseline after the scenario (checkGoroutines), in a cleanup
// registered now so that it runs after the scenario's own cleanups, which
// quit its phones, callers and websockets, and before Atiende stops. A
// scenario that failed is not checked: what it left is no news.
func newHelpDesk(t *testing.T, a *atiende, engine string, ast *asterisklab.Asterisk, phones string) *helpDesk {
	d := &helpDesk{atiende: a, engine: engine, ast: ast, phones: phones}
	base := a.goroutineBaseline()
	t.Cleanup(func() {
		if !t.Failed() {
			a.checkGoroutines(t, base)
		}
	})
	return d
}

// engineKit starts a help desk on one engine.
type engineKit struct {
	name  string
	start func(t *testing.T, o harnessOptions) *helpDesk
}

var engineKits = []engineKit{
	{"sip", func(t *testing.T, o harnessOptions) *helpDesk {
		a := startAtiende(t, o)
		return newHelpDesk(t, a, "sip", nil, a.SIPAddr)
	}},
	{"asterisk", func(t *testing.T, o harnessOptions) *helpDesk {
		ast := asterisklab.Start(t, asterisklab.Options{Extra: o.AsteriskExtra})
		o.Env = asteriskEnv(ast)
		a := startAtiende(t, o)
		return newHelpDesk(t, a, "asterisk", ast, ast.SIPAddr())
	}},
}

// callScenario is one row of the table.
type callScenario struct {
	name string
	opts harnessOptions
	run  func(t *testing.T, d *helpDesk)
}

var callScenarios = []callScenario{
	{"WelcomeHeard", harnessOptions{Queues: testQueues}, scWelcomeHeard},
	{"MenuTicketAgentTalk", harnessOptions{Queues: testQueues}, scMenuTicketAgentTalk},
	{"RingNoAnswerNextAgent", harnessOptions{Queues: testQueues}, scRingNoAnswer},
	{"HangupInIVR", harnessOptions{Queues: testQueues}, scHangupInIVR},
	{"UnreachableAgentNextAgent", harnessOptions{Queues: testQueues}, scUnreachableAgent},
	{"BusyAgentNextAgent", harnessOptions{Queues: testQueues}, scBusyAgent},
	{"HangupAtWelcome", harnessOptions{Queues: testQueues}, scHangupAtWelcome},
	{"HangupDuringReadBack", harnessOptions{Queues: testQueues}, scHangupDuringReadBack},
	{"HangupInQueue", harnessOptions{Queues: testQueues + "  announce_interval: 3s\n"}, scHangupInQueue},
	{"HangupWhileRinging", harnessOptions{Queues: testQueues}, scHangupWhileRinging},
	{"CallerHangsUpBridged", harnessOptions{Queues: testQueues}, scCallerHangsUpBridged},
	{"TicketStatus", harnessOptions{Queues: testQueues}, scTicketStatus},
	{"KeypadSurvey", harnessOptions{Queues: testQueues}, scKeypadSurvey},
	{"MaintenanceNotice", harnessOptions{Queues: testQueues, LogLevel: "debug"}, scMaintenanceNotice},
	{"UploadedAnnouncementHeard", harnessOptions{Queues: testQueues, LogLevel: "debug"}, scUploadedAnnouncementHeard},
	{"P1AlertAcknowledged", p1AlertOpts, scP1AlertAcknowledged},
	{"ExtensionRegisteredUnregistered", harnessOptions{SIP: extQualify}, scExtensionRegisteredUnregistered},
	{"ExtensionUnreachable", harnessOptions{SIP: extQualify}, scExtensionUnreachable},
	{"ExtensionDownTicket", harnessOptions{SIP: extQualify, Extra: "extensions:\n  down_after: 10s\n"}, scExtensionDownTicket},
}

func TestCallPaths(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	for _, kit := range engineKits {
		t.Run(kit.name, func(t *testing.T) {
			if kit.name == "asterisk" {
				asterisklab.Prefix(t) // skips (fails under CI=true) without a lab Asterisk
			}
			for _, sc := range callScenarios {
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					d := kit.start(t, sc.opts)
					sc.run(t, d)
					d.checkClean(t)
				})
			}
		})
	}
}

// agent starts a baresip phone registered as ext where agents register
// on this engine, and waits until the help desk sees it registered.
func (d *helpDesk) agent(t *testing.T, ext string, autoAnswer bool) *sippeer.Baresip {
	t.Helper()
	password := "demo" + ext // the harness's extensions
	if d.ast != nil {
		password = ext // asterisklab: CHANGE-ME-<ext> becomes <ext>
	}
	b := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: ext, Password: password, Registrar: d.phones,
		AutoAnswer: autoAnswer, Timeout: 150 * time.Second})
	if d.ast == nil {
		if _, ok := d.waitLog(10*time.Second, `msg="extension status"`, "extension="+ext, "state=registered"); !ok {
			t.Fatalf("baresip %s did not register\n%s", ext, b.Output())
		}
		return b
	}
	ok := waitFor(10*time.Second, func() bool {
		var ep struct{ State string }
		return d.ast.ARI("GET", "/endpoints/PJSIP/"+ext, &ep) == nil && ep.State == "online"
	})
	if !ok {
		t.Fatalf("baresip %s did not register with Asterisk\n%s", ext, b.Output())
	}
	return b
}

// call runs one scripted sipp caller from `from` to 6000 (see
// callerScenario).
func (d *helpDesk) call(t *testing.T, from string, steps []callerStep, hangupAfter time.Duration) *sippeer.Sipp {
	t.Helper()
	return sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: callerScenario(t, steps, hangupAfter), Remote: d.phones, Timeout: 100 * time.Second,
		Keys: []string{"caller=" + from}, Args: []string{"-s", "6000", "-m", "1"},
	})
}

// checkClean: nothing is left of the scenario's calls. Every call the IVR
// took has ended, no caller waits in a queue, no agent is still ringing or
// on a call; on Asterisk, no channel or bridge is left (core show channels,
// ARI /channels and /bridges). Atiende's goroutines are checked after the
// scenario's cleanups (newHelpDesk).
func (d *helpDesk) checkClean(t *testing.T) {
	t.Helper()
	ok := waitFor(15*time.Second, func() bool {
		return d.countLog(`msg="ivr call" `) == d.countLog(`msg="ivr call ended"`)
	})
	if !ok {
		t.Errorf("%d calls started in the IVR, %d ended", d.countLog(`msg="ivr call" `), d.countLog(`msg="ivr call ended"`))
	}
	if v := d.metric(t, "atiende_queue_calls_waiting"); v > 0 {
		t.Errorf("atiende_queue_calls_waiting %v after the scenario", v)
	}
	if d.ast != nil {
		d.ast.CheckClean(t)
	}
}

func (d *helpDesk) countLog(part string) int {
	return strings.Count(d.Logs.String(), part)
}

// popWatch reads an agent's websocket (/ws) and keeps the call events.
type popWatch struct {
	mu     sync.Mutex
	events []map[string]any
}

func (d *helpDesk) watchPops(t *testing.T, user string) *popWatch {
	t.Helper()
	c := d.login(t, user, DemoPassword)
	conn := sessWS(t, d.Base, c, "")
	w := &popWatch{}
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var m struct {
				Type  string         `json:"type"`
				Event map[string]any `json:"event"`
			}
			if json.Unmarshal(data, &m) == nil && m.Type == "event" {
				w.mu.Lock()
				w.events = append(w.events, m.Event)
				w.mu.Unlock()
			}
		}
	}()
	return w
}

// find returns the first event of kind for agent, waiting up to d.
func (w *popWatch) find(d time.Duration, kind, agent string) map[string]any {
	var got map[string]any
	waitFor(d, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, e := range w.events {
			if e["kind"] == kind && e["agent"] == agent {
				got = e
				return true
			}
		}
		return false
	})
	return got
}

// MenuTicketAgentTalk: a known caller (María López) presses 1 (failures),
// 1 (internet) and 2 (a new ticket, though she has an open one). The
// ticket carries her data and path, its number is read back, the call
// waits in the network queue, ana's phone rings with the screen-pop on
// ana's websocket, she answers and they talk; she hangs up, the call
// record says answered and the ticket is hers.
func scMenuTicketAgentTalk(t *testing.T, d *helpDesk) {
	ana := d.agent(t, "1001", true)
	d.available(t, "ana")
	pops := d.watchPops(t, "ana")

	// baresip, not sipp: sipp's DTMF pcaps repeat the same RTP timestamps,
	// so Asterisk takes a second press of the same key for a retransmission
	// of the first and drops it (a real phone gives every press its own).
	caller := d.softCaller(t, mariaPhone)
	press(t, caller, 1500*time.Millisecond, 700*time.Millisecond, "112")
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 45*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\ncaller: %s", err, caller.Output())
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if tk.Service != "internet_failure" || tk.Kind != tickets.Incident || tk.Channel != tickets.Phone ||
		tk.Queue != "network" {
		t.Errorf("ticket %s: service %s kind %s channel %s queue %s", tk.Number, tk.Service, tk.Kind, tk.Channel, tk.Queue)
	}
	if tk.Caller.Name != "María López" || tk.Caller.Phone != mariaPhone || tk.Caller.Department != "Dirección de Finanzas" ||
		tk.Caller.Email != "maria.lopez@edomex.example.mx" {
		t.Errorf("caller %+v", tk.Caller)
	}
	if want := []string{"main:1", "failures:1", "existing_ticket:2"}; !slices.Equal(tk.IVRPath, want) {
		t.Errorf("ivr_path %q, want %q (each key once)", tk.IVRPath, want)
	}
	if _, ok := d.findLog(`msg="ivr enqueue"`, "queue=network", "ticket="+tk.Number); !ok {
		t.Errorf("the call did not queue in network with ticket %s", tk.Number)
	}
	d.checkReadBack(t, tk.Number)
	pop := pops.find(5*time.Second, "call_offered", "ana")
	if pop == nil {
		t.Error("no call_offered event (screen-pop) on ana's websocket")
	} else if pop["ticket_number"] != tk.Number || pop["caller_number"] != mariaPhone || pop["queue"] != "network" {
		t.Errorf("screen-pop %v: want ticket %s, caller %s, queue network", pop, tk.Number, mariaPhone)
	}
	if st := d.login(t, "admin", adminPassword).agents()["ana"]; st.State != "on_call" {
		t.Errorf("ana during the call: %+v", st)
	}
	rec := d.agentEndsCall(t, ana, caller, time.Second, tk.Number)
	if rec.Outcome != "answered" || rec.Agent != "ana" || rec.Queue != "network" || rec.CallerID != mariaPhone ||
		rec.QueuedAt == nil || rec.AnsweredAt == nil || rec.EndedAt == nil {
		t.Errorf("call record %+v", rec)
	}
	if !waitFor(5*time.Second, func() bool { return d.ticket(t, tk.Number).Assignee == "ana" }) {
		t.Errorf("ticket %s assignee %q, want ana", tk.Number, d.ticket(t, tk.Number).Assignee)
	}
	if v := d.metric(t, "atiende_queue_calls_total", `queue="network"`, `outcome="answered"`); v != 1 {
		t.Errorf("atiende_queue_calls_total{network,answered} = %v, want 1", v)
	}
}

// agentEndsCall: after talking for talk, the agent's phone hangs up; the
// caller's call ends, and ticket number's call record is closed: it is
// returned.
func (d *helpDesk) agentEndsCall(t *testing.T, agent, caller *sippeer.Baresip, talk time.Duration, number string) tickets.CallRecord {
	t.Helper()
	time.Sleep(talk)
	if err := agent.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.WaitEvent("CALL_CLOSED", callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	return d.waitCallOutcome(t, number, 10*time.Second)
}

// checkReadBack: the caller was read the ticket number. On Asterisk, its
// log names every sound it played to the caller: the digits of the number
// follow the ticket prompt. The embedded engine logs no plays: there the
// check is that the IVR reached the queue after creating the ticket.
func (d *helpDesk) checkReadBack(t *testing.T, number string) {
	t.Helper()
	if d.ast == nil {
		return
	}
	heard := d.heard()
	want := []string{"your-ticket-number"}
	for _, r := range number {
		want = append(want, "digit-"+string(r))
	}
	i := slices.Index(heard, "your-ticket-number")
	if i < 0 || len(heard) < i+len(want) || !slices.Equal(heard[i:i+len(want)], want) {
		t.Errorf("the caller heard %q; want the ticket number read back: %q", heard, want)
	}
}

// heard is the Spanish prompts Asterisk played, in order (its log names
// each); nil on the embedded engine.
func (d *helpDesk) heard() []string {
	if d.ast == nil {
		return nil
	}
	var heard []string
	for _, line := range strings.Split(d.ast.Log(), "\n") {
		if _, after, ok := strings.Cut(line, "Playing 'atiende/es/"); ok {
			heard = append(heard, strings.TrimSuffix(after[:strings.IndexByte(after, '\'')], ".slin"))
		}
	}
	return heard
}

// checkHeard: on Asterisk, the caller heard prompt.
func (d *helpDesk) checkHeard(t *testing.T, prompt string) {
	t.Helper()
	if d.ast != nil && !slices.Contains(d.heard(), prompt) {
		t.Errorf("the caller heard %q; want %s among them", d.heard(), prompt)
	}
}

// RingNoAnswerNextAgent: beto (idle longest) is offered the call first;
// his phone rings and is never answered. After the 3 s ring timeout the
// call goes to ana, who answers; beto is paused "ring no answer".
func scRingNoAnswer(t *testing.T, d *helpDesk) {
	admin := d.login(t, "admin", adminPassword)
	beto := d.agent(t, "1002", false)
	ana := d.agent(t, "1001", true)
	d.available(t, "beto")
	time.Sleep(100 * time.Millisecond)
	d.available(t, "ana")
	w := admin.watchStates()

	caller := d.call(t, mariaPhone, keys(1500*time.Millisecond, 0, "0"), 0)
	if _, err := beto.WaitEvent("CALL_INCOMING", 45*time.Second); err != nil {
		t.Fatalf("beto's phone never rang: %v\ncaller: %s", err, caller.Output())
	}
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\ncaller: %s", err, caller.Output())
	}
	if _, err := beto.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Errorf("beto's phone still rings after the timeout: %v", err)
	}
	st := admin.agents()["beto"]
	if st.State != "paused" || st.Reason != "ring no answer" {
		t.Errorf("beto after ringing out: %+v", st)
	}
	if line, ok := d.findLog(`msg="agent did not take call"`, "agent=beto"); !ok || !strings.Contains(line, "reason=no_answer") {
		t.Errorf("no ring-no-answer log for beto: %q", line)
	}
	time.Sleep(500 * time.Millisecond) // talk
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := d.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" || tk.Service != "other_request" || tk.Caller.Name != "María López" {
		t.Errorf("ticket %s service %s caller %q, call record %+v", tk.Number, tk.Service, tk.Caller.Name, rec)
	}
	changes := w.Stop()
	if !hasSequence(changes["beto"], "available", "ringing", "paused(ring no answer)") {
		t.Errorf("beto's states %v", changes["beto"])
	}
}

// HangupInIVR: the caller hangs up in the main menu without a key: no
// ticket, and the IVR says the caller hung up.
func scHangupInIVR(t *testing.T, d *helpDesk) {
	before := d.countTickets(t)
	caller := d.call(t, luciaPhone, nil, 3*time.Second)
	if err := caller.Wait(30 * time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	if _, ok := d.waitLog(10*time.Second, `msg="ivr call ended"`, "outcome=caller_hangup"); !ok {
		t.Error("the call did not end with the caller hanging up")
	}
	if n := d.countTickets(t); n != before {
		t.Errorf("%d tickets after a hang-up in the menu, want %d", n, before)
	}
}

// HangupInQueue: the only network agent is paused; the caller reaches the
// queue and hangs up there. The ticket stays, unassigned, and its call is
// abandoned.
func scHangupInQueue(t *testing.T, d *helpDesk) {
	ana := d.login(t, "ana", DemoPassword)
	ana.setState("ana", "available", "")
	ana.setState("ana", "paused", "break")
	caller := d.softCaller(t, mariaPhone)
	press(t, caller, 1500*time.Millisecond, 700*time.Millisecond, "112")
	if _, ok := d.waitLog(25*time.Second, `msg="ivr enqueue"`, "queue=network"); !ok {
		t.Fatalf("the call never reached the queue\n%s", caller.Output())
	}
	time.Sleep(8 * time.Second) // waiting, past the 5 s short-abandon threshold
	if err := caller.Hangup(); err != nil {
		t.Fatal(err)
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if tk.Service != "internet_failure" || tk.Caller.Name != "María López" || tk.Assignee != "" {
		t.Errorf("ticket %s: service %s caller %q assignee %q", tk.Number, tk.Service, tk.Caller.Name, tk.Assignee)
	}
	rec := d.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "abandoned" || rec.Agent != "" || rec.QueuedAt == nil || rec.AnsweredAt != nil {
		t.Errorf("call record %+v, want abandoned after queueing", rec)
	}
	if v := d.metric(t, "atiende_queue_calls_total", `queue="network"`, `outcome="abandoned"`); v != 1 {
		t.Errorf("atiende_queue_calls_total{network,abandoned} = %v, want 1", v)
	}
	// In the queue: music, and every 3 s the position.
	d.checkHeard(t, "transfer")
	d.checkHeard(t, "you-are-number")
	d.checkHeard(t, "in-line")
	if d.ast != nil && !strings.Contains(d.ast.Log(), "Started music on hold, class 'default'") {
		t.Error("no music on hold in the queue")
	}
}

// HangupWhileRinging: ana's phone rings (no auto-answer) and the caller,
// a baresip softphone, hangs up: her phone stops ringing, she is not
// paused (she did not miss a call) and the call is abandoned.
func scHangupWhileRinging(t *testing.T, d *helpDesk) {
	admin := d.login(t, "admin", adminPassword)
	ana := d.agent(t, "1001", false)
	d.available(t, "ana")
	jose := d.softCaller(t, "60102")
	time.Sleep(1500 * time.Millisecond)
	if err := jose.SendDTMF("0"); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.WaitEvent("CALL_INCOMING", 45*time.Second); err != nil {
		t.Fatalf("ana's phone never rang: %v\ncaller: %s", err, jose.Output())
	}
	time.Sleep(time.Second)
	if err := jose.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Errorf("ana's phone still rings after the caller hung up: %v", err)
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if tk.Service != "other_request" || tk.Caller.Name != "José Hernández" || tk.Caller.Extension != "60102" || tk.Assignee != "" {
		t.Errorf("ticket %s: service %s caller %+v assignee %q", tk.Number, tk.Service, tk.Caller, tk.Assignee)
	}
	rec := d.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "abandoned" || rec.AnsweredAt != nil {
		t.Errorf("call record %+v, want abandoned while ringing", rec)
	}
	if !waitFor(5*time.Second, func() bool { return admin.agents()["ana"].State == "available" }) {
		t.Errorf("ana after the caller hung up while she rang: %+v, want available", admin.agents()["ana"])
	}
}

// press waits first, then presses each key of keys, gap apart.
func press(t *testing.T, b *sippeer.Baresip, first, gap time.Duration, keys string) {
	t.Helper()
	time.Sleep(first)
	for i, k := range keys {
		if i > 0 {
			time.Sleep(gap)
		}
		if err := b.SendDTMF(string(k)); err != nil {
			t.Fatal(err)
		}
	}
}

// softCaller calls 6000 from a baresip softphone as account (not
// registered: on Asterisk it comes in through the trunk) and waits until
// the IVR answers.
func (d *helpDesk) softCaller(t *testing.T, account string) *sippeer.Baresip {
	t.Helper()
	b := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: account, Timeout: 150 * time.Second})
	if err := b.Dial("sip:6000@" + d.phones); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitEvent("CALL_ESTABLISHED", 15*time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, b.Output())
	}
	return b
}

// TicketStatus: the caller presses 3, keys the number of a demo ticket in
// progress and #: the IVR looks it up and says its state; no ticket is
// created.
func scTicketStatus(t *testing.T, d *helpDesk) {
	list, _, err := d.store().ListTickets(t.Context(), tickets.Filter{Service: "email_failure", Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("demo email ticket: %v %d", err, len(list))
	}
	number := list[0].Number
	before := d.countTickets(t)
	caller := d.softCaller(t, josePhone)
	press(t, caller, 1500*time.Millisecond, 400*time.Millisecond, "3"+number+"#")
	line, ok := d.waitLog(15*time.Second, `msg="ivr ticket status"`, "found=true", "ticket="+number)
	if !ok {
		t.Fatalf("no ticket status for %s in the log", number)
	}
	time.Sleep(9 * time.Second) // the number and its state are said
	if err := caller.Hangup(); err != nil {
		t.Fatal(err)
	}
	d.checkHeard(t, "ticket-state-is")
	d.checkHeard(t, "state-in_progress")
	if !strings.Contains(line, "state=in_progress") {
		t.Errorf("status line %q, want state=in_progress", line)
	}
	if _, ok := d.waitLog(5*time.Second, `msg="ivr call ended"`, "outcome=caller_hangup"); !ok {
		t.Error("the call did not end with the caller hanging up")
	}
	if n := d.countTickets(t); n != before {
		t.Errorf("%d tickets after a status call, want %d", n, before)
	}
}

// HangupAtWelcome: the caller hangs up during the welcome: no ticket, the
// IVR ends the call as the caller's hang-up.
func scHangupAtWelcome(t *testing.T, d *helpDesk) {
	before := d.countTickets(t)
	caller := d.softCaller(t, luciaPhone)
	time.Sleep(300 * time.Millisecond)
	if err := caller.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.waitLog(10*time.Second, `msg="ivr call ended"`, "outcome=caller_hangup"); !ok {
		t.Error("the call did not end with the caller hanging up")
	}
	if n := d.countTickets(t); n != before {
		t.Errorf("%d tickets after a hang-up at the welcome, want %d", n, before)
	}
}

// CallerHangsUpBridged: José (a baresip softphone, extension 60102) keys 2
// (requests) and 1 (videoconference); ana answers; José hangs up while
// they talk: ana's phone is hung up, the call is answered and the ticket
// hers.
func scCallerHangsUpBridged(t *testing.T, d *helpDesk) {
	ana := d.agent(t, "1001", true)
	d.available(t, "ana")
	jose := d.softCaller(t, "60102")
	press(t, jose, 1500*time.Millisecond, 700*time.Millisecond, "21")
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 45*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\n%s", err, tail(d.Logs.String(), 4000))
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if tk.Service != "videoconference" || tk.Kind != tickets.ChangeRequest || tk.Caller.Name != "José Hernández" ||
		tk.Caller.Extension != "60102" || !slices.Equal(tk.IVRPath, []string{"main:2", "requests:1"}) {
		t.Errorf("ticket %s: service %s kind %s caller %+v path %q", tk.Number, tk.Service, tk.Kind, tk.Caller, tk.IVRPath)
	}
	time.Sleep(time.Second)
	if err := jose.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Errorf("ana's phone after the caller hung up: %v", err)
	}
	rec := d.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" || rec.AnsweredAt == nil {
		t.Errorf("call record %+v", rec)
	}
	if !waitFor(5*time.Second, func() bool { return d.ticket(t, tk.Number).Assignee == "ana" }) {
		t.Errorf("ticket %s not assigned to ana", tk.Number)
	}
}

// KeypadSurvey: ana takes the call and hangs up first; the caller stays,
// hears the survey offer and presses 4: the score is recorded for ana and
// the ticket, and the caller is thanked and hung up on.
func scKeypadSurvey(t *testing.T, d *helpDesk) {
	ana := d.agent(t, "1001", true)
	d.available(t, "ana")
	caller := d.softCaller(t, luciaPhone)
	press(t, caller, 1500*time.Millisecond, 0, "0")
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 45*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\ncaller: %s", err, caller.Output())
	}
	time.Sleep(time.Second) // talk
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	press(t, caller, 2500*time.Millisecond, 0, "4") // during the survey offer
	if _, err := caller.WaitEvent("CALL_CLOSED", 20*time.Second); err != nil {
		t.Fatalf("caller not hung up after the survey: %v", err)
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if _, ok := d.waitLog(5*time.Second, `msg="ivr survey"`, "ticket="+tk.Number, "agent=ana", "score=4"); !ok {
		t.Errorf("no survey score 4 for ana on ticket %s", tk.Number)
	}
	if !waitFor(5*time.Second, func() bool { return d.metric(t, "atiende_survey_score_total", `score="4"`) == 1 }) {
		t.Errorf("atiende_survey_score_total{score=4} = %v, want 1", d.metric(t, "atiende_survey_score_total", `score="4"`))
	}
	d.checkHeard(t, "survey-offer")
	d.checkHeard(t, "survey-thanks")
}

// MaintenanceNotice: a planned maintenance window on internet_failure is in
// progress; María keys 1 (failures) and 1 (internet): she is told of the
// maintenance before anything else, then offered her open ticket (2: a
// new one), and queues; she hangs up in the queue.
func scMaintenanceNotice(t *testing.T, d *helpDesk) {
	now := time.Now()
	m := &escalation.Maintenance{Services: []string{"internet_failure"}, Start: now.Add(-time.Minute), End: now.Add(time.Hour),
		SummaryES: "Cambio del enlace principal", SummaryEN: "Main link replacement", CreatedBy: "supervisora"}
	if err := d.store().CreateMaintenance(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	caller := d.softCaller(t, mariaPhone)
	press(t, caller, 1500*time.Millisecond, 700*time.Millisecond, "11")
	if _, ok := d.waitLog(15*time.Second, `msg="ivr step"`, "node=maintenance_notice"); !ok {
		t.Error("the IVR did not reach the maintenance notice")
	}
	press(t, caller, 6*time.Second, 0, "2")
	if _, ok := d.waitLog(25*time.Second, `msg="ivr enqueue"`, "queue=network"); !ok {
		t.Fatalf("the call never reached the queue\n%s", tail(d.Logs.String(), 4000))
	}
	if err := caller.Hangup(); err != nil {
		t.Fatal(err)
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if tk.Service != "internet_failure" || tk.Caller.Name != "María López" {
		t.Errorf("ticket %s: service %s caller %q", tk.Number, tk.Service, tk.Caller.Name)
	}
	d.checkHeard(t, "maintenance")
}

// UnreachableAgentNextAgent: beto (idle longest) is available but his
// phone is not registered: the call goes to ana at once, not after a ring
// timeout, and beto is paused as unreachable.
func scUnreachableAgent(t *testing.T, d *helpDesk) {
	admin := d.login(t, "admin", adminPassword)
	ana := d.agent(t, "1001", true)
	d.available(t, "beto")
	time.Sleep(100 * time.Millisecond)
	d.available(t, "ana")
	caller := d.softCaller(t, mariaPhone)
	press(t, caller, 1500*time.Millisecond, 0, "0")
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 45*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\n%s", err, tail(d.Logs.String(), 4000))
	}
	if line, ok := d.findLog(`msg="agent did not take call"`, "agent=beto"); !ok || !strings.Contains(line, "reason=unreachable") {
		t.Errorf("beto's offer: %q, want reason=unreachable", line)
	}
	if st := admin.agents()["beto"]; st.State != "paused" || st.Reason != "unreachable" {
		t.Errorf("beto after the offer to his unregistered phone: %+v", st)
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if rec := d.agentEndsCall(t, ana, caller, 500*time.Millisecond, tk.Number); rec.Outcome != "answered" || rec.Agent != "ana" {
		t.Errorf("call record %+v", rec)
	}
}

// BusyAgentNextAgent: beto's phone rings and he rejects the call (baresip
// answers 486 Busy Here): the call goes to ana without waiting for the
// ring timeout, and beto is not paused (busy is no missed call).
func scBusyAgent(t *testing.T, d *helpDesk) {
	admin := d.login(t, "admin", adminPassword)
	beto := d.agent(t, "1002", false)
	ana := d.agent(t, "1001", true)
	d.available(t, "beto")
	time.Sleep(100 * time.Millisecond)
	d.available(t, "ana")
	caller := d.softCaller(t, mariaPhone)
	press(t, caller, 1500*time.Millisecond, 0, "0")
	if _, err := beto.WaitEvent("CALL_INCOMING", 45*time.Second); err != nil {
		t.Fatalf("beto's phone never rang: %v", err)
	}
	if err := beto.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\n%s", err, tail(d.Logs.String(), 4000))
	}
	line, ok := d.findLog(`msg="agent did not take call"`, "agent=beto")
	if !ok || !strings.Contains(line, "reason=busy") {
		t.Errorf("beto's offer: %q, want reason=busy", line)
	}
	if st := admin.agents()["beto"]; st.State == "paused" {
		t.Errorf("beto paused after rejecting one call as busy: %+v", st)
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if rec := d.agentEndsCall(t, ana, caller, 500*time.Millisecond, tk.Number); rec.Outcome != "answered" || rec.Agent != "ana" {
		t.Errorf("call record %+v", rec)
	}
}

// WelcomeHeard: the caller hears the welcome, then the main menu: the
// loudness of the audio that reaches a plain RTP socket (the sipp caller's
// media address) follows that of es/welcome.wav and es/main-menu.wav, 20 ms
// frame by frame.
func scWelcomeHeard(t *testing.T, d *helpDesk) {
	sink := newRTPSink(t)
	sc := strings.Replace(callerHead, "m=audio [media_port]", fmt.Sprintf("m=audio %d", sink.port()), 1) +
		"  <pause milliseconds=\"5000\"/>\n" + callerHangup
	path := filepath.Join(t.TempDir(), "sink_caller.xml")
	if err := os.WriteFile(path, []byte(sc), 0o600); err != nil {
		t.Fatal(err)
	}
	p := sippeer.StartSipp(t, sippeer.SippOptions{Scenario: path, Remote: d.phones, Timeout: 60 * time.Second,
		Keys: []string{"caller=" + luciaPhone}, Args: []string{"-s", "6000", "-m", "1"}})
	if err := p.Wait(60 * time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, p.Output())
	}
	time.Sleep(200 * time.Millisecond) // the last packets in flight
	got := loudness(sink.frames())
	// The welcome, then (after the lookups between them) the first 2 s of
	// the main menu.
	welcome := loudness(promptFrames(t, "es/welcome.wav"))
	menu := loudness(promptFrames(t, "es/main-menu.wav")[:100])
	lag, r := bestMatch(got, welcome)
	t.Logf("%d frames heard; the welcome (%d frames) matches from frame %d with correlation %.3f", len(got), len(welcome), lag, r)
	if r < 0.9 {
		t.Fatalf("the caller did not hear the welcome: best correlation %.3f (at frame %d of %d)", r, lag, len(got))
	}
	after := max(lag+len(welcome)-5, 0) // a frame of silence may end the welcome
	gap, r := bestMatch(smooth(got[after:]), smooth(menu))
	gap += after - (lag + len(welcome))
	t.Logf("the menu's start (%d frames) matches %d frames after the welcome with correlation %.3f", len(menu), gap, r)
	if r < 0.9 {
		t.Errorf("the caller did not hear the main menu after the welcome: best correlation %.3f (%d frames after it)", r, gap)
	}
}

// promptFrames is a prompt's audio in 20 ms frames.
func promptFrames(t *testing.T, name string) [][]float64 {
	t.Helper()
	_, pcm, err := ivr.CheckPromptWAV(mustRead(t, name))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for len(pcm) >= 320 {
		f := make([]float64, 160)
		for i := range f {
			f[i] = float64(int16(binary.LittleEndian.Uint16(pcm[2*i:])))
		}
		out = append(out, f)
		pcm = pcm[320:]
	}
	return out
}

// smooth averages each level with its neighbours (100 ms), so that one
// frame more or less between two prompts does not count.
func smooth(x []float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		lo, hi := max(i-2, 0), min(i+3, len(x))
		for _, v := range x[lo:hi] {
			out[i] += v
		}
		out[i] /= float64(hi - lo)
	}
	return out
}

// loudness is each frame's RMS level.
func loudness(frames [][]float64) []float64 {
	out := make([]float64, len(frames))
	for i, f := range frames {
		var e float64
		for _, v := range f {
			e += v * v
		}
		out[i] = math.Sqrt(e / float64(len(f)))
	}
	return out
}

// bestMatch slides want along the first frames of got and returns the
// offset of the highest Pearson correlation, and that correlation.
func bestMatch(got, want []float64) (int, float64) {
	best, at := -1.0, -1
	for lag := 0; lag+len(want) <= len(got) && lag <= 150; lag++ {
		if r := pearson(got[lag:lag+len(want)], want); r > best {
			best, at = r, lag
		}
	}
	return at, best
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
	}
	mx, my := sx/n, sy/n
	var cov, vx, vy float64
	for i := range x {
		cov += (x[i] - mx) * (y[i] - my)
		vx += (x[i] - mx) * (x[i] - mx)
		vy += (y[i] - my) * (y[i] - my)
	}
	if vx == 0 || vy == 0 {
		return 0
	}
	return cov / math.Sqrt(vx*vy)
}

// HangupDuringReadBack: María hangs up while her new ticket's number is
// read to her: the ticket stays with her data, and the call never queues.
func scHangupDuringReadBack(t *testing.T, d *helpDesk) {
	caller := d.softCaller(t, mariaPhone)
	press(t, caller, 1500*time.Millisecond, 700*time.Millisecond, "112")
	if _, ok := d.waitLog(15*time.Second, `msg="ivr ticket created"`); !ok {
		t.Fatal("no ticket created")
	}
	time.Sleep(time.Second) // "your ticket number is ..."
	if err := caller.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.waitLog(10*time.Second, `msg="ivr call ended"`, "outcome=caller_hangup"); !ok {
		t.Error("the call did not end with the caller hanging up")
	}
	tk := d.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if tk.Service != "internet_failure" || tk.Caller.Name != "María López" || tk.Caller.Phone != mariaPhone {
		t.Errorf("ticket %s: service %s caller %+v", tk.Number, tk.Service, tk.Caller)
	}
	if _, ok := d.findLog(`msg="ivr enqueue"`); ok {
		t.Error("the call was queued after the caller hung up")
	}
	// The ticket's call record ends with the call: no queue will end it.
	rec := d.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "abandoned_ivr" || rec.EndedAt == nil || rec.QueuedAt != nil || rec.CallerID != mariaPhone {
		t.Errorf("call record %+v, want abandoned_ivr, ended, never queued", rec)
	}
}
