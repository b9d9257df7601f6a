package asterisk_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk"
	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// ext1003 is one more agent endpoint, as deploy/asterisk/pjsip.conf's.
const ext1003 = `
[1003](agent-endpoint)
auth = 1003
aors = 1003
callerid = "Agent 1003" <1003>
[1003](agent-auth)
username = 1003
password = 1003
[1003](agent-aor)
`

type engineDialer struct {
	e atomic.Pointer[asterisk.Engine]
}

func (d *engineDialer) Dial(ctx context.Context, target string, opts ivr.DialOptions) (ivr.Call, error) {
	return d.e.Load().Dial(ctx, target, opts)
}

type activity struct {
	mu  sync.Mutex
	log []string
}

func (a *activity) InternalCallStarted(ext, peer string) { a.add("+" + ext + ":" + peer) }
func (a *activity) InternalCallEnded(ext, peer string)   { a.add("-" + ext + ":" + peer) }
func (a *activity) add(s string)                         { a.mu.Lock(); a.log = append(a.log, s); a.mu.Unlock() }
func (a *activity) get() []string                        { a.mu.Lock(); defer a.mu.Unlock(); return slices.Clone(a.log) }

// TestRealExtensionRouting: on the real Asterisk with deploy/asterisk's
// dialplan, 1001 (baresip) calls 1002 and Atiende routes the call through
// ARI: 1002 answers and both are bridged; or 1002 rings past its ring
// timeout and the call is forwarded to 1003 by 1002's rule; or 1002 is not
// registered and its rule sends the call to the help-desk menu.
func TestRealExtensionRouting(t *testing.T) {
	cases := []struct {
		name     string
		rule     ivr.ExtRule
		phone    string // 1002: "answers", "rings" or "" (not registered)
		bridged  string // the phone connected with 1001
		menu     bool
		activity []string
	}{
		{name: "answers", phone: "answers", bridged: "1002", activity: []string{"+1001:1002", "+1002:1001"}},
		{name: "no answer, forward", phone: "rings", rule: ivr.ExtRule{RingTimeout: 3 * time.Second, Forward: "1003"},
			bridged: "1003", activity: []string{"+1001:1002", "-1001:1002", "+1001:1003", "+1003:1001"}},
		{name: "unregistered, menu", rule: ivr.ExtRule{Menu: true}, menu: true, activity: []string{"+1001:1002", "-1001:1002", "+1001:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := asterisklab.Start(t, asterisklab.Options{Extra: map[string]string{"pjsip.conf": ext1003}})
			d := &engineDialer{}
			act := &activity{}
			menuFor := make(chan string, 1)
			cfg := realConfig(a)
			cfg.Internal = &ivr.ExtRouter{Dialer: d, Rules: map[string]ivr.ExtRule{"1002": tc.rule}, Activity: act,
				Menu: ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
					if err := c.Answer(ctx); err != nil {
						t.Errorf("menu: answer: %v", err)
						return
					}
					menuFor <- c.From().Number + "->" + c.To()
					<-ctx.Done()
				})}
			eng := serveReal(t, cfg, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {}))
			d.e.Store(eng)
			phones := map[string]*sippeer.Baresip{}
			start := func(ext string, auto bool) {
				phones[ext] = sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: ext, Password: ext, Registrar: a.SIPAddr(), AutoAnswer: auto})
				waitFor(t, ext+" registered", func() bool { return extState(t, eng, ext) == ivr.ExtRegistered })
			}
			if tc.phone != "" {
				start("1002", tc.phone == "answers")
			}
			if tc.bridged == "1003" {
				start("1003", true)
			}
			start("1001", false)
			if err := phones["1001"].Dial(fmt.Sprintf("sip:1002@%s", a.SIPAddr())); err != nil {
				t.Fatal(err)
			}
			if _, err := phones["1001"].WaitEvent("CALL_ESTABLISHED", 20*time.Second); err != nil {
				t.Fatalf("1001 not connected: %v", err)
			}
			if tc.bridged != "" {
				if _, err := phones[tc.bridged].WaitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
					t.Fatalf("%s not connected: %v", tc.bridged, err)
				}
			}
			if tc.menu {
				select {
				case got := <-menuFor:
					if got != "1001->1002" {
						t.Errorf("menu for %q, want 1001->1002", got)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("menu did not run")
				}
			}
			for _, s := range tc.activity {
				if !slices.Contains(act.get(), s) {
					t.Errorf("activity %q missing: %v", s, act.get())
				}
			}
			_ = phones["1001"].Hangup()
			if tc.bridged != "" {
				if _, err := phones[tc.bridged].WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
					t.Errorf("%s not hung up: %v", tc.bridged, err)
				}
			}
			a.CheckClean(t)
			waitFor(t, "activity balanced", func() bool {
				n := 0
				for _, s := range act.get() {
					if s[0] == '+' {
						n++
					} else {
						n--
					}
				}
				return n == 0
			})
		})
	}
}
