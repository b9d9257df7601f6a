package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// liveQueues reads the desk's snapshot as the wallboard gets it: the first
// snapshot message on /ws.
func (c *apiClient) liveQueues(t testing.TB) map[string]agentdesk.QueueStats {
	t.Helper()
	base, _ := url.Parse(c.base)
	var cookies []string
	for _, ck := range c.c.Jar.Cookies(base) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	h := http.Header{"Cookie": {strings.Join(cookies, "; ")}, "Origin": {c.base}}
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+base.Host+"/ws", h)
	if err != nil {
		t.Fatalf("/ws: %v", err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m hub.Message
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("/ws: no snapshot: %v", err)
		}
		if m.Type == hub.TypeSnapshot && m.Snapshot != nil {
			out := map[string]agentdesk.QueueStats{}
			for _, q := range m.Snapshot.Queues {
				out[q.Name] = q.Stats
			}
			return out
		}
	}
}

// dayTotals reads the wallboard's day chart totals per queue.
func (c *apiClient) dayTotals(t testing.TB) map[string]agentdesk.CallFigures {
	t.Helper()
	var day struct {
		Totals map[string]agentdesk.CallFigures `json:"totals"`
	}
	if code := c.do("GET", "/api/v1/wallboard/day", nil, &day); code != 200 {
		t.Fatalf("GET /api/v1/wallboard/day: %d", code)
	}
	return day.Totals
}

// checkLiveAgreesWithDay compares the live table's counters with the day
// chart's totals, queue by queue; want is the day's total of offered calls.
func checkLiveAgreesWithDay(t testing.TB, c *apiClient, when string, want int) {
	t.Helper()
	live, day := c.liveQueues(t), c.dayTotals(t)
	offered := 0
	for q, d := range day {
		offered += d.Offered
		l := live[q]
		got := [6]int{l.Entered, l.Answered, l.AnsweredInSL, l.Abandoned, l.ShortAbandoned, l.Callbacks}
		exp := [6]int{d.Offered, d.Answered, d.AnsweredInSL, d.Abandoned + d.ShortAbandoned, d.ShortAbandoned, d.Callbacks}
		if got != exp {
			t.Errorf("%s: queue %s live (entered, answered, in SL, abandoned, short, callbacks) %v, day chart %v", when, q, got, exp)
		}
	}
	for q, l := range live {
		if _, ok := day[q]; !ok && l.Entered+l.Answered+l.Abandoned+l.Callbacks > 0 {
			t.Errorf("%s: queue %s live %+v, none in the day chart", when, q, l)
		}
	}
	if offered != want {
		t.Errorf("%s: the day chart counts %d calls, want %d", when, offered, want)
	}
}

// answeredCall: María calls, presses 1 1 2, ana's phone answers; the call
// record of the new ticket is final and answered.
func answeredCall(t *testing.T, a *atiende, ana *sippeer.Baresip, n int) {
	t.Helper()
	caller := a.startCaller(t, mariaPhone, keys(1500*time.Millisecond, 700*time.Millisecond, "112"), 0)
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 40*time.Second); err != nil {
		t.Fatalf("call %d: ana's phone: %v\ncaller: %s", n, err, caller.Output())
	}
	ts := a.waitPhoneTickets(t, n, 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	for _, tk := range ts {
		if rec := a.waitCallOutcome(t, tk.Number, 10*time.Second); rec.Outcome != "answered" || rec.Agent != "ana" {
			t.Fatalf("call %d: ticket %s record %+v", n, tk.Number, rec)
		}
	}
}

// TestRestartKeepsPhonesAgentsAndCounters: ana's baresip registers and
// she is available; a call is answered; Atiende stops (the SIGTERM drain)
// and starts again on the same database and address. Without registering
// again, her phone is registered (restored, then qualified with OPTIONS),
// she is still available, the live queue table agrees with the day chart,
// and the next call reaches her phone.
func TestRestartKeepsPhonesAgentsAndCounters(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	ana := a.baresipAgent(t, "1001", "demo1001") // registers for 600 s
	a.available(t, "ana")
	answeredCall(t, a, ana, 1)
	sup := a.login(t, "admin", adminPassword)
	if !waitFor(10*time.Second, func() bool { return sup.agents()["ana"].State == "available" }) {
		t.Fatalf("ana after wrap-up: %+v", sup.agents()["ana"])
	}
	checkLiveAgreesWithDay(t, sup, "before the restart", 1)
	before := sup.liveQueues(t)["network"]
	dbURL, sipAddr := a.DBURL, a.SIPAddr
	a.stop()

	b := startAtiende(t, harnessOptions{Queues: testQueues, DBURL: dbURL, SIPAddr: sipAddr})
	if _, ok := b.waitLog(15*time.Second, `msg="extension status"`, "extension=1001", "state=registered", `reason="qualify ok"`); !ok {
		t.Fatalf("1001 was not restored and qualified after the restart")
	}
	if line, ok := b.findLog(`msg="extension status"`, "extension=1001", "reason=registered"); ok {
		t.Errorf("the phone had to register again: %s", line)
	}
	sup = b.login(t, "admin", adminPassword)
	type ext struct{ Extension, State string }
	var exts struct{ Extensions []ext }
	if code := sup.do("GET", "/api/v1/extensions", nil, &exts); code != 200 {
		t.Fatalf("GET /api/v1/extensions: %d", code)
	}
	if i := slices.IndexFunc(exts.Extensions, func(x ext) bool { return x.Extension == "1001" }); i < 0 || exts.Extensions[i].State != "registered" {
		t.Errorf("extensions after the restart: %+v", exts)
	}
	if st := sup.agents()["ana"]; st.State != "available" {
		t.Errorf("ana after the restart: %+v, want available", st)
	}
	checkLiveAgreesWithDay(t, sup, "after the restart", 1)
	// The average speed of answer and the talk time come back too (the
	// records keep microseconds).
	after := sup.liveQueues(t)["network"]
	near := func(x, y time.Duration) bool { return (x - y).Abs() <= time.Millisecond }
	if !near(after.TotalAnswerWait, before.TotalAnswerWait) || !near(after.TotalTalk, before.TotalTalk) || before.TotalTalk == 0 {
		t.Errorf("answer wait, talk: %v, %v before the restart; %v, %v after", before.TotalAnswerWait, before.TotalTalk,
			after.TotalAnswerWait, after.TotalTalk)
	}

	answeredCall(t, b, ana, 2)
	if !waitFor(10*time.Second, func() bool { return sup.agents()["ana"].State == "available" }) {
		t.Errorf("ana after the second call: %+v", sup.agents()["ana"])
	}
	checkLiveAgreesWithDay(t, sup, "after a call after the restart", 2)
}

// TestRestartPhoneGonePausesAgent: ana's phone registered and she was
// available; while Atiende is stopped the phone dies without unregistering.
// After the restart its binding is restored, the OPTIONS at start goes
// unanswered, the extension is unreachable and ana is paused as
// unreachable, so no caller waits on a dead phone.
func TestRestartPhoneGonePausesAgent(t *testing.T) {
	sippeer.Need(t, "baresip")
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	ana := a.baresipAgent(t, "1001", "demo1001")
	a.available(t, "ana")
	a.login(t, "beto", DemoPassword).setState("beto", "paused", "lunch")
	dbURL, sipAddr := a.DBURL, a.SIPAddr
	time.Sleep(300 * time.Millisecond) // the presence writer
	a.stop()
	ana.Kill() // no REGISTER with expires 0

	b := startAtiende(t, harnessOptions{Queues: testQueues, DBURL: dbURL, SIPAddr: sipAddr})
	if _, ok := b.waitLog(15*time.Second, `msg="extension status"`, "extension=1001", "state=unreachable"); !ok {
		t.Fatalf("1001 was not restored, then unreachable")
	}
	sup := b.login(t, "admin", adminPassword)
	if !waitFor(5*time.Second, func() bool {
		st := sup.agents()["ana"]
		return st.State == "paused" && st.Reason == "unreachable"
	}) {
		t.Errorf("ana after the restart with her phone gone: %+v, want paused (unreachable)", sup.agents()["ana"])
	}
	if st := sup.agents()["beto"]; st.State != "paused" || st.Reason != "lunch" {
		t.Errorf("beto after the restart: %+v, want paused (lunch)", st)
	}
}
