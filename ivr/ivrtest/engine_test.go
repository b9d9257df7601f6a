package ivrtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
)

const wait = 2 * time.Second

func serve(t *testing.T, e *ivrtest.Engine, h ivr.HandlerFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Serve(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("Serve did not return")
		}
	})
}

func TestInboundCallPlaysAndReadsKeys(t *testing.T) {
	e := ivrtest.NewEngine()
	got := make(chan rune, 1)
	serve(t, e, func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			return
		}
		c.Play(ctx, ivr.Prompt{Sound: "es/welcome"}, ivr.Prompt{Digits: "12", Lang: "es"})
		select {
		case k := <-c.DTMF():
			got <- k
		case <-c.Done():
		}
	})
	c := e.Call(ivr.Party{Number: "+525550001111"}, "6000")
	if err := c.Expect("es/welcome", wait); err != nil {
		t.Fatal(err)
	}
	if err := c.Expect("digits:es:12", wait); err != nil {
		t.Fatal(err)
	}
	c.Press("7")
	if err := c.WaitHandled(wait); err != nil {
		t.Fatal(err)
	}
	if k := <-got; k != '7' {
		t.Errorf("key %q, want 7", k)
	}
	if by, cause := c.HungUp(); by != "atiende" || cause != ivr.CauseNormal {
		t.Errorf("hung up by %q cause %q", by, cause)
	}
	if !c.Answered() {
		t.Error("not answered")
	}
}

func TestCallerHangupDuringPrompt(t *testing.T) {
	e := ivrtest.NewEngine()
	e.SetPlayDuration(time.Hour)
	res := make(chan error, 1)
	serve(t, e, func(ctx context.Context, c ivr.Call) {
		c.Answer(ctx)
		res <- c.Play(ctx, ivr.Prompt{Sound: "es/long"})
	})
	c := e.Call(ivr.Party{Number: "100"}, "6000")
	if err := c.WaitPlaying(wait); err != nil {
		t.Fatal(err)
	}
	c.CallerHangup()
	if err := c.WaitHandled(wait); err != nil {
		t.Fatal(err)
	}
	if err := <-res; !errors.Is(err, ivr.ErrHungUp) {
		t.Errorf("Play = %v, want ErrHungUp", err)
	}
	if by, _ := c.HungUp(); by != "caller" {
		t.Errorf("hung up by %q", by)
	}
	c.Press("1") // dropped, must not block
}

func TestPhones(t *testing.T) {
	e := ivrtest.NewEngine()
	ctx := context.Background()
	e.AddPhone("1001", ivrtest.Answers, 10*time.Millisecond)
	e.AddPhone("1002", ivrtest.NeverAnswer, 0)
	e.AddPhone("1003", ivrtest.Busy, 0)
	e.AddPhone("1004", ivrtest.Unreachable, 0)
	e.AddPhone("1005", ivrtest.Declines, 0)
	rang := false
	a, err := e.Dial(ctx, "1001", ivr.DialOptions{CallerID: "6000", OnRinging: func() { rang = true }})
	if err != nil || !rang {
		t.Fatalf("dial 1001: %v rang=%v", err, rang)
	}
	if got, err := e.Phone("1001").WaitAnswered(wait); err != nil || got != a {
		t.Fatalf("answered %v %v", got, err)
	}
	for ext, want := range map[string]error{
		"1002": ivr.ErrNoAnswer, "1003": ivr.ErrBusy, "1004": ivr.ErrUnreachable,
		"1005": ivr.ErrDeclined, "9999": ivr.ErrUnreachable,
	} {
		if _, err := e.Dial(ctx, ext, ivr.DialOptions{Timeout: 20 * time.Millisecond}); !errors.Is(err, want) {
			t.Errorf("dial %s = %v, want %v", ext, err, want)
		}
	}
	if d, err := e.WaitDials(6, wait); err != nil || d[0].Target != "1001" || d[0].Opts.CallerID != "6000" {
		t.Errorf("dials %v %v", d, err)
	}
	// A bridge ends when the agent hangs up.
	caller := ivrtest.NewCall("c1", ivr.Party{Number: "100"}, "6000")
	res := make(chan error, 1)
	go func() { res <- caller.Bridge(ctx, a) }()
	if err := caller.WaitBridged(wait); err != nil {
		t.Fatal(err)
	}
	a.(*ivrtest.Call).CallerHangup()
	select {
	case err := <-res:
		if err != nil {
			t.Errorf("Bridge = %v", err)
		}
	case <-time.After(wait):
		t.Fatal("bridge did not end")
	}
}

func TestOnDialAndCancel(t *testing.T) {
	e := ivrtest.NewEngine()
	e.OnDial(func(target string, opts ivr.DialOptions) (ivr.Call, error) {
		return ivrtest.NewCall("x", ivr.Party{}, target), nil
	})
	c, err := e.Dial(context.Background(), "anything", ivr.DialOptions{})
	if err != nil || c.To() != "anything" {
		t.Fatalf("%v %v", c, err)
	}
	e.OnDial(nil)
	e.AddPhone("1002", ivrtest.NeverAnswer, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Dial(ctx, "1002", ivr.DialOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("dial = %v", err)
	}
}

func TestExtensions(t *testing.T) {
	e := ivrtest.NewEngine()
	ctx, cancel := context.WithCancel(context.Background())
	w := e.WatchExtensions(ctx)
	e.SetExtension(ivr.ExtensionStatus{Extension: "1002", State: ivr.ExtRegistered})
	e.SetExtension(ivr.ExtensionStatus{Extension: "1001", State: ivr.ExtUnregistered})
	if st := <-w; st.Extension != "1002" {
		t.Errorf("first change %v", st)
	}
	if st := <-w; st.State != ivr.ExtUnregistered {
		t.Errorf("second change %v", st)
	}
	all, _ := e.Extensions(ctx)
	if len(all) != 2 || all[0].Extension != "1001" {
		t.Errorf("extensions %v", all)
	}
	cancel()
	for range w {
	}
}

func TestServeStopsWithRunningCalls(t *testing.T) {
	e := ivrtest.NewEngine()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- e.Serve(ctx, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) { <-ctx.Done() }))
	}()
	c := e.Call(ivr.Party{}, "6000")
	cancel()
	if err := c.WaitHandled(wait); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}
