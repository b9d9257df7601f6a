package sipengine

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

func TestSippRegisterUnregister(t *testing.T) {
	for _, transport := range []string{"u1", "t1"} {
		t.Run(transport, func(t *testing.T) { testSippRegisterUnregister(t, transport) })
	}
}

func testSippRegisterUnregister(t *testing.T, transport string) {
	e := startEngine(t, testConfig(t), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/agent_register.xml", Remote: e.Addr().String(),
		Keys: []string{"agent=1001", "uas_port=" + strconv.Itoa(sippeer.FreePort(t))},
		Args: []string{"-t", transport, "-au", "1001", "-ap", "secret1", "-m", "1", "-d", "1500"},
	})
	st := waitStatus(t, events, "1001", ivr.ExtRegistered, 5*time.Second)
	if st.UserAgent != "sipp-agent-1001" || st.Contact == "" {
		t.Errorf("registered status = %+v", st)
	}
	exts, _ := e.Extensions(ctx)
	if len(exts) != 3 || exts[0].State != ivr.ExtRegistered || exts[1].State != ivr.ExtUnregistered {
		t.Errorf("Extensions() = %+v", exts)
	}
	st = waitStatus(t, events, "1001", ivr.ExtUnregistered, 5*time.Second)
	if st.Reason != "unregistered" {
		t.Errorf("unregister reason %q", st.Reason)
	}
	if err := s.Wait(10 * time.Second); err != nil {
		t.Fatalf("sipp: %v", err)
	}
}

func TestSippHelpDeskDTMF(t *testing.T) {
	cases := []struct{ scenario, want string }{
		{"testdata/caller_dtmf.xml", "12#"},     // RFC 4733, stock pcaps (first packet duration 0)
		{"testdata/caller_info_dtmf.xml", "5#"}, // SIP INFO dtmf-relay and dtmf
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) { testSippHelpDeskDTMF(t, tc.scenario, tc.want) })
	}
}

func testSippHelpDeskDTMF(t *testing.T, scenario, want string) {
	got := make(chan string, 1)
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			t.Errorf("answer: %v", err)
			return
		}
		keys := ""
		// The first key arrives while the prompt plays.
		if err := c.Play(ctx, ivr.Prompt{Sound: "es/welcome"}); err != nil {
			t.Errorf("play: %v", err)
		}
		timeout := time.After(8 * time.Second)
		for len(keys) < len(want) {
			select {
			case k := <-c.DTMF():
				keys += string(k)
			case <-timeout:
				got <- keys
				return
			}
		}
		got <- keys
	})
	e := startEngine(t, testConfig(t), h)
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: scenario, Remote: e.Addr().String(),
		Keys: []string{"caller=5551234"}, Args: []string{"-s", "6000", "-m", "1"},
	})
	select {
	case keys := <-got:
		if keys != want {
			t.Errorf("keys = %q, want %q", keys, want)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("handler got no keys")
	}
	if err := s.Wait(15 * time.Second); err != nil {
		t.Fatalf("sipp: %v", err)
	}
}

// TestSippNotOurs: an unauthenticated INVITE to a number that is not ours
// and one to an extension get the same challenge (alwaysauthreject), and
// neither reaches the handler.
func TestSippNotOurs(t *testing.T) {
	var called atomic.Bool
	e := startEngine(t, testConfig(t), ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) { called.Store(true) }))
	for _, number := range []string{"7777", "1001"} {
		s := sippeer.StartSipp(t, sippeer.SippOptions{
			Scenario: "testdata/caller_unauthenticated.xml", Remote: e.Addr().String(),
			Keys: []string{"caller=5551234"}, Args: []string{"-s", number, "-m", "1"},
		})
		if err := s.Wait(10 * time.Second); err != nil {
			t.Errorf("sipp to %s (expects 401): %v", number, err)
		}
	}
	if called.Load() {
		t.Error("handler called for a number that is not ours")
	}
}

func TestSippHangupDuringPrompt(t *testing.T) {
	res := make(chan error, 1)
	ctxDone := make(chan struct{})
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			res <- err
			return
		}
		res <- c.Play(ctx, ivr.Prompt{Sound: "es/long"})
		select {
		case <-ctx.Done():
			close(ctxDone)
		case <-time.After(2 * time.Second):
		}
	})
	e := startEngine(t, testConfig(t), h)
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/caller_hangup.xml", Remote: e.Addr().String(),
		Keys: []string{"caller=5551234"}, Args: []string{"-s", "*626", "-m", "1", "-d", "1000"},
	})
	select {
	case err := <-res:
		if !errors.Is(err, ivr.ErrHungUp) {
			t.Errorf("Play = %v, want ErrHungUp", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Play did not return after hang-up")
	}
	select {
	case <-ctxDone:
	case <-time.After(3 * time.Second):
		t.Error("handler ctx not cancelled after hang-up")
	}
	if err := s.Wait(10 * time.Second); err != nil {
		t.Fatalf("sipp: %v", err)
	}
}

// registerSippAgent registers ext with sipp, its contact pointing at a sipp
// UAS running uasScenario.
func registerSippAgent(t *testing.T, e *Engine, ext, pw, uasScenario string) *sippeer.Sipp {
	uasPort := sippeer.FreePort(t)
	uas := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: uasScenario, Remote: e.Addr().String(), Port: uasPort,
		Keys: []string{"agent=" + ext}, Args: []string{"-m", "1", "-rtp_echo"},
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)
	sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/agent_register.xml", Remote: e.Addr().String(),
		Keys: []string{"agent=" + ext, "uas_port=" + strconv.Itoa(uasPort)},
		Args: []string{"-au", ext, "-ap", pw, "-m", "1", "-d", "25000"},
	})
	waitStatus(t, events, ext, ivr.ExtRegistered, 5*time.Second)
	return uas
}

func TestSippDialNoAnswer(t *testing.T) {
	cfg := testConfig(t)
	cfg.QualifyInterval = 0 // sipp's UAS answers one OPTIONS only
	e := startEngine(t, cfg, nil)
	ctx := context.Background()
	if _, err := e.Dial(ctx, "1002", ivr.DialOptions{Timeout: time.Second}); !errors.Is(err, ivr.ErrUnreachable) {
		t.Errorf("dial unregistered = %v, want ErrUnreachable", err)
	}
	uas := registerSippAgent(t, e, "1001", "secret1", "testdata/agent_uas_noanswer.xml")
	var rang atomic.Bool
	start := time.Now()
	_, err := e.Dial(ctx, "1001", ivr.DialOptions{Timeout: 2 * time.Second, OnRinging: func() { rang.Store(true) }})
	if !errors.Is(err, ivr.ErrNoAnswer) {
		t.Fatalf("dial = %v, want ErrNoAnswer", err)
	}
	if el := time.Since(start); el < 2*time.Second || el > 6*time.Second {
		t.Errorf("dial took %v", el)
	}
	if !rang.Load() {
		t.Error("OnRinging not called")
	}
	if err := uas.Wait(10 * time.Second); err != nil {
		t.Errorf("sipp uas (expects CANCEL): %v", err)
	}
}

func TestSippDialBusy(t *testing.T) {
	cfg := testConfig(t)
	cfg.QualifyInterval = 0
	e := startEngine(t, cfg, nil)
	uas := registerSippAgent(t, e, "1001", "secret1", "testdata/agent_uas_busy.xml")
	if _, err := e.Dial(context.Background(), "1001", ivr.DialOptions{Timeout: 5 * time.Second}); !errors.Is(err, ivr.ErrBusy) {
		t.Fatalf("dial = %v, want ErrBusy", err)
	}
	if err := uas.Wait(10 * time.Second); err != nil {
		t.Errorf("sipp uas: %v", err)
	}
}

// TestDialSilentPhone: the contact is registered but answers nothing.
func TestDialSilentPhone(t *testing.T) {
	cfg := testConfig(t)
	cfg.QualifyInterval = 0
	e := startEngine(t, cfg, nil)
	u := newRawUA(t, e)
	res := u.register("1001", "", 60)
	if got := status(u.register("1001", authorize(t, res, "1001", "secret1"), 60)); got != "SIP/2.0 200 OK" {
		t.Fatalf("register: %q", got)
	}
	start := time.Now()
	_, err := e.Dial(context.Background(), "1001", ivr.DialOptions{Timeout: 5 * time.Second})
	if !errors.Is(err, ivr.ErrUnreachable) {
		t.Fatalf("dial = %v, want ErrUnreachable", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("dial took %v; want about QualifyTimeout", el)
	}
}
