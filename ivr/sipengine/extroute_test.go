package sipengine

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// lateDialer lets the router be configured before the engine exists.
type lateDialer struct{ e atomic.Pointer[Engine] }

func (d *lateDialer) Dial(ctx context.Context, target string, opts ivr.DialOptions) (ivr.Call, error) {
	return d.e.Load().Dial(ctx, target, opts)
}

type activityLog struct {
	mu  sync.Mutex
	log []string
}

func (a *activityLog) InternalCallStarted(ext, peer string) { a.add("+" + ext + ":" + peer) }
func (a *activityLog) InternalCallEnded(ext, peer string)   { a.add("-" + ext + ":" + peer) }
func (a *activityLog) add(s string)                         { a.mu.Lock(); a.log = append(a.log, s); a.mu.Unlock() }
func (a *activityLog) has(s string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Contains(a.log, s)
}

// TestExtensionRules: 1001 (baresip) calls 1002 through the embedded engine.
// 1002 answers and both are bridged; or 1002 (a sipp phone) rings without
// answering past its ring timeout and the call follows 1002's rule: forward
// to 1003 (baresip, answers), to a queue, or to the help-desk menu.
func TestExtensionRules(t *testing.T) {
	cases := []struct {
		name       string
		rule       ivr.ExtRule
		answers    bool   // 1002 answers
		bridgedTo  string // the baresip that must be connected besides the caller
		queue      bool
		menu       bool
		activities []string
	}{
		{name: "answers", answers: true, bridgedTo: "1002", activities: []string{"+1001:1002", "+1002:1001"}},
		{name: "forward", rule: ivr.ExtRule{RingTimeout: 2 * time.Second, Forward: "1003"}, bridgedTo: "1003",
			activities: []string{"+1001:1002", "-1001:1002", "+1001:1003", "+1003:1001"}},
		{name: "queue", rule: ivr.ExtRule{RingTimeout: 2 * time.Second, Queue: "network"}, queue: true},
		{name: "menu", rule: ivr.ExtRule{RingTimeout: 2 * time.Second, Menu: true}, menu: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testExtensionRule(t, tc.rule, tc.answers, tc.bridgedTo, tc.queue, tc.menu, tc.activities)
		})
	}
}

func testExtensionRule(t *testing.T, rule ivr.ExtRule, answers bool, bridgedTo string, queue, menu bool, activities []string) {
	d := &lateDialer{}
	act := &activityLog{}
	queued := make(chan string, 1)
	menuFor := make(chan string, 1)
	router := &ivr.ExtRouter{Dialer: d, Rules: map[string]ivr.ExtRule{"1002": rule}, Activity: act,
		Queue: func(ctx context.Context, c ivr.Call, q string) error {
			queued <- q
			<-ctx.Done() // waits in the queue until the caller leaves
			return nil
		},
		Menu: ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
			if err := c.Answer(ctx); err != nil {
				t.Errorf("menu: answer: %v", err)
				return
			}
			menuFor <- c.From().Number + "->" + c.To()
			_ = c.Play(ctx, ivr.Prompt{Sound: "es/long"})
		}),
	}
	cfg := testConfig(t)
	cfg.QualifyInterval = 0 // sipp's UAS answers one OPTIONS only
	cfg.Internal = router
	e := startEngine(t, cfg, nil)
	d.e.Store(e)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)

	var uas *sippeer.Sipp
	phones := map[string]*sippeer.Baresip{}
	if answers {
		phones["1002"] = sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1002", Password: "secret2", Registrar: e.Addr().String(), AutoAnswer: true})
		waitStatus(t, events, "1002", ivr.ExtRegistered, 10*time.Second)
	} else {
		uas = registerSippAgent(t, e, "1002", "secret2", "testdata/agent_uas_noanswer.xml")
	}
	if bridgedTo == "1003" {
		phones["1003"] = sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1003", Password: "secret3", Registrar: e.Addr().String(), AutoAnswer: true})
		waitStatus(t, events, "1003", ivr.ExtRegistered, 10*time.Second)
	}
	caller := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1001", Password: "secret1", Registrar: e.Addr().String()})
	waitStatus(t, events, "1001", ivr.ExtRegistered, 10*time.Second)
	if err := caller.Dial(fmt.Sprintf("sip:1002@%s", e.Addr())); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.WaitEvent("CALL_ESTABLISHED", 15*time.Second); err != nil {
		t.Fatalf("caller not connected: %v", err)
	}
	if bridgedTo != "" {
		if _, err := phones[bridgedTo].WaitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
			t.Fatalf("%s not connected: %v", bridgedTo, err)
		}
	}
	if queue {
		select {
		case q := <-queued:
			if q != "network" {
				t.Errorf("queued in %q", q)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("not queued")
		}
	}
	if menu {
		select {
		case got := <-menuFor:
			if got != "1001->1002" {
				t.Errorf("menu for %q", got)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("menu did not run")
		}
	}
	for _, a := range activities {
		if !act.has(a) {
			t.Errorf("activity %q missing: %v", a, act.log)
		}
	}
	_ = caller.Hangup()
	if _, err := caller.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("caller: %v", err)
	}
	if bridgedTo != "" {
		if _, err := phones[bridgedTo].WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
			t.Errorf("%s not hung up: %v", bridgedTo, err)
		}
	}
	if uas != nil {
		if err := uas.Wait(10 * time.Second); err != nil {
			t.Errorf("sipp 1002 (rings, then expects CANCEL): %v", err)
		}
	}
	// Every call the activity saw start has ended.
	if !waitFor(5*time.Second, func() bool {
		act.mu.Lock()
		defer act.mu.Unlock()
		n := 0
		for _, s := range act.log {
			if s[0] == '+' {
				n++
			} else {
				n--
			}
		}
		return n == 0
	}) {
		t.Errorf("activity not balanced: %v", act.log)
	}
}

func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
