package ivr_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
)

// activityRec records CallActivity as "+ext peer" / "-ext peer".
type activityRec struct {
	mu  sync.Mutex
	log []string
}

func (a *activityRec) InternalCallStarted(ext, peer string) { a.add("+" + ext + " " + peer) }
func (a *activityRec) InternalCallEnded(ext, peer string)   { a.add("-" + ext + " " + peer) }
func (a *activityRec) add(s string)                         { a.mu.Lock(); a.log = append(a.log, s); a.mu.Unlock() }
func (a *activityRec) get() []string                        { a.mu.Lock(); defer a.mu.Unlock(); return slices.Clone(a.log) }

// balanced checks every start has its end.
func (a *activityRec) balanced(t *testing.T) {
	t.Helper()
	n := map[string]int{}
	for _, s := range a.get() {
		if s[0] == '+' {
			n[s[1:]]++
		} else {
			n[s[1:]]--
		}
	}
	for k, v := range n {
		if v != 0 {
			t.Errorf("activity %q left at %d: %v", k, v, a.get())
		}
	}
}

func TestExtRouter(t *testing.T) {
	type phone struct {
		b     ivrtest.Behavior
		delay time.Duration
	}
	cases := []struct {
		name   string
		phones map[string]phone
		rule   ivr.ExtRule
		// want: the extension bridged ("" none), what the router did, the
		// caller's hang-up cause when not bridged.
		bridged   string
		queued    bool
		menu      bool
		cause     ivr.HangupCause
		dials     []string
		wantStart []string
	}{
		{name: "answers", phones: map[string]phone{"1002": {ivrtest.Answers, 0}},
			bridged: "1002", dials: []string{"1002"}, wantStart: []string{"+1001 1002", "+1002 1001"}},
		{name: "busy, no rule", phones: map[string]phone{"1002": {ivrtest.Busy, 0}},
			cause: ivr.CauseBusy, dials: []string{"1002"}},
		{name: "unregistered, no rule", cause: ivr.CauseUnavailable, dials: []string{"1002"}},
		{name: "no answer, forward", phones: map[string]phone{"1002": {ivrtest.NeverAnswer, 0}, "1003": {ivrtest.Answers, 0}},
			rule: ivr.ExtRule{RingTimeout: time.Second, Forward: "1003"}, bridged: "1003", dials: []string{"1002", "1003"},
			wantStart: []string{"+1001 1002", "+1001 1003", "+1003 1001"}},
		{name: "forward target busy too", phones: map[string]phone{"1002": {ivrtest.Busy, 0}, "1003": {ivrtest.Busy, 0}},
			rule: ivr.ExtRule{Forward: "1003"}, cause: ivr.CauseBusy, dials: []string{"1002", "1003"}},
		{name: "busy, queue", phones: map[string]phone{"1002": {ivrtest.Busy, 0}},
			rule: ivr.ExtRule{Queue: "network"}, queued: true, dials: []string{"1002"}, wantStart: []string{"+1001 1002", "+1001 "}},
		{name: "unregistered, menu", rule: ivr.ExtRule{Menu: true}, menu: true, dials: []string{"1002"}},
		{name: "declined, menu", phones: map[string]phone{"1002": {ivrtest.Declines, 0}}, rule: ivr.ExtRule{Menu: true},
			menu: true, dials: []string{"1002"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eng := ivrtest.NewEngine()
			for ext, p := range tc.phones {
				eng.AddPhone(ext, p.b, p.delay)
			}
			act := &activityRec{}
			var mu sync.Mutex
			var queued []string
			menu := make(chan string, 1)
			r := &ivr.ExtRouter{Dialer: eng, RingTimeout: 5 * time.Second, Rules: map[string]ivr.ExtRule{"1002": tc.rule},
				Activity: act,
				Queue: func(ctx context.Context, c ivr.Call, q string) error {
					mu.Lock()
					queued = append(queued, q)
					mu.Unlock()
					return nil
				},
				Menu: ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) { menu <- c.To() }),
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() { _ = eng.Serve(ctx, r) }()
			c := eng.Call(ivr.Party{Number: "1001"}, "1002")
			if tc.bridged != "" {
				if err := c.WaitBridged(5 * time.Second); err != nil {
					t.Fatal(err)
				}
				legs := eng.Phone(tc.bridged).Calls()
				if len(legs) != 1 || c.Bridges()[0] != legs[0] || !c.Answered() {
					t.Fatalf("caller bridged to %v, want %s's leg %v", c.Bridges(), tc.bridged, legs)
				}
				if got := startsOnly(act.get()); !slices.Equal(got, tc.wantStart) {
					t.Errorf("activity while bridged %v, want %v", got, tc.wantStart)
				}
				legs[0].CallerHangup() // the called extension hangs up
			}
			if err := c.WaitHandled(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			var dials []string
			for _, d := range eng.Dials() {
				dials = append(dials, d.Target)
				if d.Opts.CallerID != "1001" {
					t.Errorf("dial %s shows caller %q", d.Target, d.Opts.CallerID)
				}
			}
			if !slices.Equal(dials, tc.dials) {
				t.Errorf("dials %v, want %v", dials, tc.dials)
			}
			if tc.rule.RingTimeout > 0 && eng.Dials()[0].Opts.Timeout != tc.rule.RingTimeout {
				t.Errorf("rang 1002 for %v, want its %v", eng.Dials()[0].Opts.Timeout, tc.rule.RingTimeout)
			}
			mu.Lock()
			gotQueued := slices.Clone(queued)
			mu.Unlock()
			if tc.queued != (len(gotQueued) == 1 && gotQueued[0] == "network") {
				t.Errorf("queued %v, want %v", gotQueued, tc.queued)
			}
			if tc.queued && !c.Answered() {
				t.Error("queued without answering the caller")
			}
			select {
			case to := <-menu:
				if !tc.menu || to != "1002" {
					t.Errorf("menu ran for %s; want menu=%v", to, tc.menu)
				}
			default:
				if tc.menu {
					t.Error("menu did not run")
				}
			}
			if tc.cause != "" {
				by, cause := c.HungUp()
				if by != "atiende" || cause != tc.cause {
					t.Errorf("caller hung up by %q with %q, want atiende %q", by, cause, tc.cause)
				}
				if c.Answered() {
					t.Error("caller answered though nothing connected")
				}
			}
			if got := startsOnly(act.get()); tc.wantStart != nil && !slices.Equal(got, tc.wantStart) {
				t.Errorf("calls started %v, want %v", got, tc.wantStart)
			}
			act.balanced(t)
		})
	}
}

func startsOnly(log []string) []string {
	var out []string
	for _, s := range log {
		if strings.HasPrefix(s, "+") {
			out = append(out, s)
		}
	}
	return out
}

func TestCheckRules(t *testing.T) {
	known := func(x string) bool { return x == "1001" || x == "1002" || x == "1003" }
	queue := func(q string) bool { return q == "network" }
	cases := []struct {
		rules map[string]ivr.ExtRule
		want  string
	}{
		{map[string]ivr.ExtRule{"1002": {Forward: "1003"}, "1003": {Queue: "network", RingTimeout: 10 * time.Second}, "1001": {Menu: true}}, ""},
		{map[string]ivr.ExtRule{"1002": {Forward: "1003", Menu: true}}, "extension 1002: choose one of forward, queue and menu"},
		{map[string]ivr.ExtRule{"1002": {Forward: "1002"}}, "extension 1002: forward to itself"},
		{map[string]ivr.ExtRule{"1002": {Forward: "1009"}}, "extension 1002: forward to 1009, which is not an extension"},
		{map[string]ivr.ExtRule{"1009": {Menu: true}}, "extension 1009: no such extension"},
		{map[string]ivr.ExtRule{"1002": {Queue: "sales"}}, `extension 1002: queue "sales" does not exist`},
		{map[string]ivr.ExtRule{"1002": {RingTimeout: time.Millisecond}}, "extension 1002: ring_timeout 1ms is under 1s"},
	}
	for i, tc := range cases {
		err := ivr.CheckRules(tc.rules, known, queue)
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && !strings.Contains(got, tc.want)) {
			t.Errorf("case %d: %v, want %q", i, err, tc.want)
		}
	}
}

// ctxDialer rings through an ivrtest engine, and its legs hang up as a
// real engine's do: by a request that fails on a spent context (Asterisk's
// DELETE /channels/{id}); ivrtest's own Hangup ignores the context.
type ctxDialer struct{ eng *ivrtest.Engine }

func (d ctxDialer) Dial(ctx context.Context, target string, opts ivr.DialOptions) (ivr.Call, error) {
	c, err := d.eng.Dial(ctx, target, opts)
	if err != nil {
		return nil, err
	}
	return ctxCall{c}, nil
}

type ctxCall struct{ ivr.Call }

func (c ctxCall) Hangup(ctx context.Context, cause ivr.HangupCause) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.Call.Hangup(ctx, cause)
}

// An internal call longer than the router's 5 s budget for hanging up the
// called leg: when the caller hangs up, the called extension's leg is hung
// up too. (The budget used to start when the extension answered, so after
// 5 s of talk the hang-up request failed and, on Asterisk, the called
// phone's channel stayed up.)
func TestExtRouterHangsUpCalleeAfterLongCall(t *testing.T) {
	eng := ivrtest.NewEngine()
	eng.AddPhone("1002", ivrtest.Answers, 0)
	r := &ivr.ExtRouter{Dialer: ctxDialer{eng}, RingTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = eng.Serve(ctx, r) }()
	c := eng.Call(ivr.Party{Number: "1001"}, "1002")
	if err := c.WaitBridged(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * time.Second) // they talk, longer than the 5 s budget
	c.CallerHangup()
	if err := c.WaitHandled(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	legs := eng.Phone("1002").Calls()
	if len(legs) != 1 {
		t.Fatalf("%d legs to 1002, want 1", len(legs))
	}
	if by, _ := legs[0].HungUp(); by != "atiende" {
		t.Errorf("1002's leg after the caller hung up: hung up by %q, want atiende", by)
	}
}
