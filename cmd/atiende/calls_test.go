package main

// End-to-end calls with real peers: Atiende runs through Main serve with a
// PostgreSQL database and the demo data; sipp and baresip are the callers
// and the agents' phones. Each subtest has its own Atiende and database and
// runs in parallel with the others (most of the time is prompts playing).

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
)

// testQueues: a short ring timeout so ring-no-answer is seen in seconds,
// and a short wrap-up.
const testQueues = "  ring_timeout: 3s\n  wrap_up: 2s\n"

// María López, a demo contact (Dirección de Finanzas), by her E.164 number.
const (
	mariaPhone = "+527222769600"
	luciaPhone = "+525551234567"
	josePhone  = "+527222154400"
)

func TestCalls(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	t.Run("MenuInternetFailure", testMenuInternetFailure)
	t.Run("TicketStatus", testTicketStatus)
	t.Run("InvalidTwiceGoesToAgent", testInvalidTwice)
	t.Run("HangupInQueue", testHangupInQueue)
	t.Run("BaresipCaller", testBaresipCaller)
	t.Run("RingNoAnswer", testRingNoAnswer)
}

// metric returns the value of the first sample of name whose labels
// contain every one of labels (e.g. `outcome="answered"`), or -1.
func (a *atiende) metric(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	resp, err := http.Get(a.Base + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if !ok {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			return v
		}
	}
	return -1
}

// available logs user in and makes them available, as an agent does.
func (a *atiende) available(t testing.TB, user string) {
	t.Helper()
	a.login(t, user, DemoPassword).setState(user, "available", "")
}

// (a) A known caller presses 1 (failures) then 1 (internet); she has an
// open internet ticket from the demo data and presses 2 to open a new one.
// The ticket is in PostgreSQL before the queue, the call rings ana's
// baresip (skill network), and after the call the ticket is ana's and its
// call record says answered.
func testMenuInternetFailure(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	admin := a.login(t, "admin", adminPassword)
	ana := a.baresipAgent(t, "1001", "demo1001")
	a.available(t, "ana")
	w := admin.watchStates()

	caller := a.startCaller(t, mariaPhone, keys(1500*time.Millisecond, 700*time.Millisecond, "112"), 0)
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 40*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\ncaller: %s", err, caller.Output())
	}
	ts := a.waitPhoneTickets(t, 1, 5*time.Second)
	tk := ts[0]
	if tk.Service != "internet_failure" || tk.Kind != tickets.Incident || tk.Channel != tickets.Phone ||
		tk.State != tickets.Registered || tk.Queue != "network" {
		t.Errorf("ticket %s: service %s kind %s channel %s state %s queue %s", tk.Number, tk.Service, tk.Kind, tk.Channel, tk.State, tk.Queue)
	}
	if tk.Caller.Name != "María López" || tk.Caller.Phone != mariaPhone || tk.Caller.Department != "Dirección de Finanzas" ||
		tk.Caller.Email != "maria.lopez@edomex.example.mx" {
		t.Errorf("caller %+v", tk.Caller)
	}
	if want := []string{"main:1", "failures:1", "existing_ticket:2"}; !slices.Equal(tk.IVRPath, want) {
		t.Errorf("ivr_path %q, want %q", tk.IVRPath, want)
	}
	if st := admin.agents()["ana"]; st.State != "on_call" {
		t.Errorf("ana during the call: %+v", st)
	}
	time.Sleep(time.Second) // talk
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" || rec.Queue != "network" || rec.CallerID != mariaPhone ||
		rec.QueuedAt == nil || rec.AnsweredAt == nil || rec.EndedAt == nil {
		t.Errorf("call record %+v", rec)
	}
	if !waitFor(5*time.Second, func() bool { return a.ticket(t, tk.Number).Assignee == "ana" }) {
		t.Errorf("ticket %s assignee %q, want ana", tk.Number, a.ticket(t, tk.Number).Assignee)
	}
	if !waitFor(5*time.Second, func() bool { return admin.agents()["ana"].State == "available" }) {
		t.Errorf("ana after wrap-up: %+v", admin.agents()["ana"])
	}
	changes := w.Stop()
	t.Logf("ana's states: %v", changes["ana"])
	// (The return to available is checked above: the last poll may be
	// earlier.)
	if !hasSequence(changes["ana"], "available", "on_call", "wrap_up") {
		t.Errorf("ana's states %v: want available, on_call, wrap_up", changes["ana"])
	}
	// The events reached the metrics: one answered call in network.
	if v := a.metric(t, "atiende_queue_calls_total", `queue="network"`, `outcome="answered"`); v != 1 {
		t.Errorf("atiende_queue_calls_total{network,answered} = %v, want 1", v)
	}
	if n := a.countTickets(t); n != len(demoTickets)+1 {
		t.Errorf("%d tickets, want the demo ones and one new", n)
	}
}

// (b) A caller presses 3, keys the number of a demo ticket (in progress)
// and #: Atiende looks it up and says its state; no ticket is created and
// the call ends normally when the caller hangs up.
func testTicketStatus(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	list, _, err := a.store().ListTickets(context.Background(), tickets.Filter{Service: "email_failure", Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("demo email ticket: %v %d", err, len(list))
	}
	number := list[0].Number
	before := a.countTickets(t)
	steps := keys(1500*time.Millisecond, 400*time.Millisecond, "3"+number+"#")
	caller := a.startCaller(t, josePhone, steps, 10*time.Second)
	if err := caller.Wait(40 * time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	line, ok := a.waitLog(5*time.Second, `msg="ivr ticket status"`, "found=true", "ticket="+number)
	if !ok {
		t.Fatalf("no ticket status for %s in the log", number)
	}
	if !strings.Contains(line, "state=in_progress") {
		t.Errorf("status line %q, want state=in_progress", line)
	}
	if _, ok := a.waitLog(5*time.Second, `msg="ivr call ended"`, "outcome=caller_hangup"); !ok {
		t.Error("the call did not end with the caller hanging up")
	}
	if n := a.countTickets(t); n != before {
		t.Errorf("%d tickets after a status call, want %d", n, before)
	}
}

// (c) Two invalid keys in the main menu send the caller to an agent: a
// ticket (other_request) is created and the call is offered to an agent
// with the general skill (ana), never to carla, who is available and idle
// longer but has no general skill (and no phone).
func testInvalidTwice(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	admin := a.login(t, "admin", adminPassword)
	ana := a.baresipAgent(t, "1001", "demo1001")
	a.available(t, "carla")
	time.Sleep(50 * time.Millisecond)
	a.available(t, "ana")
	w := admin.watchStates()

	caller := a.startCaller(t, luciaPhone, keys(1500*time.Millisecond, 1500*time.Millisecond, "78"), 0)
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 45*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\ncaller: %s", err, caller.Output())
	}
	tk := a.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if tk.Service != "other_request" || tk.Kind != tickets.ChangeRequest || tk.Queue != "general" ||
		tk.Caller.Name != "Lucía Torres" || tk.Channel != tickets.Phone {
		t.Errorf("ticket %s: service %s kind %s queue %s caller %+v", tk.Number, tk.Service, tk.Kind, tk.Queue, tk.Caller)
	}
	if len(tk.IVRPath) != 0 {
		t.Errorf("ivr_path %q: invalid keys are not choices", tk.IVRPath)
	}
	time.Sleep(500 * time.Millisecond)
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" || rec.Queue != "general" {
		t.Errorf("call record %+v", rec)
	}
	if v := a.metric(t, "atiende_queue_calls_total", `queue="general"`, `outcome="answered"`); v != 1 {
		t.Errorf("atiende_queue_calls_total{general,answered} = %v, want 1", v)
	}
	changes := w.Stop()
	if slices.Contains(changes["carla"], "ringing") || admin.agents()["carla"].State != "available" {
		t.Errorf("carla (no general skill) was offered the call: %v", changes["carla"])
	}
	if _, ok := a.findLog(`msg="ivr menu miss"`); ok {
		t.Log("menu misses logged")
	}
}

// (d) The only agent with the skill is paused: the caller waits in the
// queue and hangs up. The ticket exists and its call is abandoned.
func testHangupInQueue(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	anaAPI := a.login(t, "ana", DemoPassword)
	anaAPI.setState("ana", "available", "")
	anaAPI.setState("ana", "paused", "break")

	// Keys at 1.5-2.9 s; the ticket number and the transfer prompt take
	// about 8 s more; the caller hangs up 16 s after the last key.
	caller := a.startCaller(t, mariaPhone, keys(1500*time.Millisecond, 700*time.Millisecond, "112"), 16*time.Second)
	if _, ok := a.waitLog(25*time.Second, `msg="ivr enqueue"`, "queue=network"); !ok {
		t.Fatalf("the call never reached the queue\n%s", caller.Output())
	}
	if err := caller.Wait(30 * time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	tk := a.waitPhoneTickets(t, 1, 5*time.Second)[0]
	if tk.Service != "internet_failure" || tk.Caller.Name != "María López" || tk.Assignee != "" {
		t.Errorf("ticket %s: service %s caller %q assignee %q", tk.Number, tk.Service, tk.Caller.Name, tk.Assignee)
	}
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "abandoned" || rec.Agent != "" || rec.QueuedAt == nil || rec.AnsweredAt != nil {
		t.Errorf("call record %+v, want abandoned after queueing", rec)
	}
	if v := a.metric(t, "atiende_queue_calls_total", `queue="network"`, `outcome="abandoned"`); v != 1 {
		t.Errorf("atiende_queue_calls_total{network,abandoned} = %v, want 1", v)
	}
}

// (e) baresip, a real softphone, calls 6000 as extension 60102 (José
// Hernández's) and keys 2 (requests) then 1 (videoconference) with RFC 4733
// DTMF; ana's baresip takes the call.
func testBaresipCaller(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	ana := a.baresipAgent(t, "1001", "demo1001")
	a.available(t, "ana")
	jose := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "60102", Timeout: 150 * time.Second})
	if err := jose.Dial("sip:6000@" + a.SIPAddr); err != nil {
		t.Fatal(err)
	}
	if _, err := jose.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, jose.Output())
	}
	time.Sleep(1500 * time.Millisecond)
	if err := jose.SendDTMF("2"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	if err := jose.SendDTMF("1"); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 40*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\n%s", err, tail(a.Logs.String(), 4000))
	}
	tk := a.waitPhoneTickets(t, 1, 5*time.Second)[0]
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
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" {
		t.Errorf("call record %+v", rec)
	}
	if !waitFor(5*time.Second, func() bool { return a.ticket(t, tk.Number).Assignee == "ana" }) {
		t.Errorf("ticket %s not assigned to ana", tk.Number)
	}
}

// (f) beto's phone (a sipp UAS registered as 1002) rings but never
// answers: after the 3 s ring timeout the call goes to ana, and beto is
// paused with reason "ring no answer".
func testRingNoAnswer(t *testing.T) {
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	admin := a.login(t, "admin", adminPassword)
	beto := a.sippAgent(t, "1002", "demo1002", "testdata/sipp/agent_uas_noanswer.xml")
	ana := a.baresipAgent(t, "1001", "demo1001")
	a.available(t, "beto") // idle longest: offered first
	time.Sleep(100 * time.Millisecond)
	a.available(t, "ana")
	w := admin.watchStates()

	start := time.Now()
	caller := a.startCaller(t, mariaPhone, keys(1500*time.Millisecond, 0, "0"), 0)
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 45*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\ncaller: %s", err, caller.Output())
	}
	t.Logf("answered by ana %v after the call started", time.Since(start).Round(time.Millisecond))
	if st := admin.agents()["ana"]; st.State != "on_call" {
		t.Errorf("ana during the call: %+v", st)
	}
	st := admin.agents()["beto"]
	if st.State != "paused" || st.Reason != "ring no answer" {
		t.Errorf("beto after ringing out: %+v", st)
	}
	if err := beto.Wait(10 * time.Second); err != nil {
		t.Errorf("beto's phone (expects CANCEL): %v\n%s", err, beto.Output())
	}
	if line, ok := a.findLog(`msg="agent did not take call"`, "agent=beto"); !ok || !strings.Contains(line, "reason=no_answer") {
		t.Errorf("no ring-no-answer log for beto: %q", line)
	}
	time.Sleep(500 * time.Millisecond) // talk
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	tk := a.waitPhoneTickets(t, 1, 5*time.Second)[0]
	rec := a.waitCallOutcome(t, tk.Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" || tk.Service != "other_request" {
		t.Errorf("ticket %s service %s, call record %+v", tk.Number, tk.Service, rec)
	}
	if v := a.metric(t, "atiende_queue_calls_total", `queue="general"`, `outcome="answered"`); v != 1 {
		t.Errorf("atiende_queue_calls_total{general,answered} = %v, want 1", v)
	}
	changes := w.Stop()
	t.Logf("beto's states: %v; ana's: %v", changes["beto"], changes["ana"])
	if !hasSequence(changes["beto"], "available", "ringing", "paused(ring no answer)") {
		t.Errorf("beto's states %v", changes["beto"])
	}
	// Polling every 40 ms may miss the short ringing; the call itself
	// (on_call, checked above) is followed by wrap-up.
	if !hasSequence(changes["ana"], "available", "wrap_up") {
		t.Errorf("ana's states %v", changes["ana"])
	}
}

// callerAfterAgentHangsUp bounds how long a sipp caller stays after the
// agent hangs up: the default flow offers it the keypad survey (two tries
// of 6 s, prompts included) before saying goodbye.
const callerAfterAgentHangsUp = 45 * time.Second
