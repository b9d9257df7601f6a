package sipengine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// TestBaresipCallerDTMF: baresip 1.0.0 sends DTMF as RFC 4733 only (it can
// receive SIP INFO but not send it); INFO is tested with sipp.
func TestBaresipCallerDTMF(t *testing.T) {
	got := make(chan rune, 8)
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			t.Errorf("answer: %v", err)
			return
		}
		for {
			select {
			case k, ok := <-c.DTMF():
				if !ok {
					return
				}
				got <- k
			case <-ctx.Done():
				return
			}
		}
	})
	e := startEngine(t, testConfig(t), h)
	b := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "5550001"})
	if err := b.Dial(fmt.Sprintf("sip:6000@%s", e.Addr())); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := b.SendDTMF("19#"); err != nil {
		t.Fatal(err)
	}
	keys := ""
	timeout := time.After(8 * time.Second)
	for len(keys) < 3 {
		select {
		case k := <-got:
			keys += string(k)
		case <-timeout:
			t.Fatalf("keys = %q, want \"19#\"", keys)
		}
	}
	if keys != "19#" {
		t.Errorf("keys = %q, want \"19#\"", keys)
	}
	_ = b.Hangup()
	if _, err := b.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Error(err)
	}
}

// TestBaresipAgentBridge: a sipp caller reaches the handler, which dials
// an auto-answering baresip agent and bridges; audio flows both ways.
func TestBaresipAgentBridge(t *testing.T) {
	type result struct {
		err            error
		toAgent, toCal uint64
	}
	res := make(chan result, 1)
	var e *Engine
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			res <- result{err: err}
			return
		}
		agent, err := e.Dial(ctx, "1001", ivr.DialOptions{Timeout: 5 * time.Second, CallerID: c.From().Number})
		if err != nil {
			res <- result{err: err}
			return
		}
		bctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_ = c.Bridge(bctx, agent)
		ac, cc := agent.(*call), c.(*call)
		r := result{toAgent: cc.relayed.Load(), toCal: ac.relayed.Load()}
		r.err = agent.Hangup(ctx, ivr.CauseNormal)
		res <- r
	})
	e = startEngine(t, testConfig(t), h)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)
	agent := sippeer.StartBaresip(t, sippeer.BaresipConfig{
		Account: "1001", Password: "secret1", Registrar: e.Addr().String(), AutoAnswer: true,
	})
	waitStatus(t, events, "1001", ivr.ExtRegistered, 10*time.Second)
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/caller_wait_bye.xml", Remote: e.Addr().String(),
		Keys: []string{"caller=5551234"}, Args: []string{"-s", "6000", "-m", "1", "-rtp_echo"},
	})
	select {
	case r := <-res:
		if r.err != nil {
			t.Fatalf("handler: %v", r.err)
		}
		if r.toAgent == 0 || r.toCal == 0 {
			t.Errorf("relayed packets: caller->agent %d, agent->caller %d", r.toAgent, r.toCal)
		}
		t.Logf("relayed packets: caller->agent %d, agent->caller %d", r.toAgent, r.toCal)
	case <-time.After(20 * time.Second):
		t.Fatal("handler did not finish")
	}
	if _, err := agent.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Error(err)
	}
	if err := s.Wait(10 * time.Second); err != nil {
		t.Errorf("sipp caller: %v", err)
	}
}

// TestBaresipExtensionRouting: registered 1002 calls registered 1001 through
// the engine (digest-authenticated), which rings 1001 and bridges.
func TestBaresipExtensionRouting(t *testing.T) {
	e := startEngine(t, testConfig(t), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)
	agent := sippeer.StartBaresip(t, sippeer.BaresipConfig{
		Account: "1001", Password: "secret1", Registrar: e.Addr().String(), AutoAnswer: true,
	})
	waitStatus(t, events, "1001", ivr.ExtRegistered, 10*time.Second)
	caller := sippeer.StartBaresip(t, sippeer.BaresipConfig{
		Account: "1002", Password: "secret2", Registrar: e.Addr().String(),
	})
	waitStatus(t, events, "1002", ivr.ExtRegistered, 10*time.Second)
	if err := caller.Dial(fmt.Sprintf("sip:1001@%s", e.Addr())); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("agent: %v", err)
	}
	if _, err := caller.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("caller: %v", err)
	}
	time.Sleep(time.Second)
	exts, _ := e.Extensions(ctx)
	for _, x := range exts {
		if x.Extension == "1001" && (x.State != ivr.ExtRegistered || x.RTT <= 0 || x.UserAgent == "") {
			t.Errorf("1001 after qualify: %+v", x)
		}
	}
	_ = caller.Hangup()
	if _, err := agent.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Errorf("agent not hung up: %v", err)
	}
}

// TestBaresipRoundTripAtRegister: a phone that registers is qualified at
// once, not at the next QualifyInterval: its round trip is announced to
// watchers (the network page) with the registration's Since, and listed.
func TestBaresipRoundTripAtRegister(t *testing.T) {
	cfg := testConfig(t)
	cfg.QualifyInterval, cfg.QualifyTimeout = time.Hour, 2*time.Second
	e := startEngine(t, cfg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)
	sippeer.StartBaresip(t, sippeer.BaresipConfig{
		Account: "1001", Password: "secret1", Registrar: e.Addr().String(), AutoAnswer: true,
	})
	reg := waitStatus(t, events, "1001", ivr.ExtRegistered, 10*time.Second)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case st := <-events:
			if st.Extension != "1001" {
				continue
			}
			if st.State != ivr.ExtRegistered || st.RTT <= 0 || !st.Since.Equal(reg.Since) || st.Reason != reg.Reason ||
				st.UserAgent != reg.UserAgent {
				t.Fatalf("after %+v came %+v, want the same registration with its round trip", reg, st)
			}
			exts, _ := e.Extensions(ctx)
			for _, x := range exts {
				if x.Extension == "1001" && x.RTT != st.RTT {
					t.Errorf("listed %+v, want RTT %v", x, st.RTT)
				}
			}
			return
		case <-timeout:
			t.Fatal("no round trip announced within 10 s of the registration (QualifyInterval is an hour)")
		}
	}
}
