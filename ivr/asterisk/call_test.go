package asterisk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk"
	"github.com/atiende/atiende/ivr/asterisk/aritest"
)

// Transcript 01: StasisStart, answer, play, DTMF 1 2 #, hang up.
func TestInboundAnswerPlayDTMFHangup(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	id, c := r.inbound("+15551230001", "6000")
	if c.ID() != id || c.From().Number != "+15551230001" || c.To() != "6000" {
		t.Fatalf("call = %s from %+v to %s", c.ID(), c.From(), c.To())
	}
	if err := c.Answer(ctx); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if st := r.srv.Channel(id); st.State != "Up" {
		t.Fatalf("channel state %q after answer", st.State)
	}
	err := c.Play(ctx, ivr.Prompt{Sound: "es/welcome"}, ivr.Prompt{Digits: "26", Lang: "es"})
	if err != nil {
		t.Fatalf("Play: %v", err)
	}
	plays := r.srv.Find("POST /channels/" + id + "/play/")
	if len(plays) != 1 {
		t.Fatalf("%d play requests, want one playlist", len(plays))
	}
	want := "sound:atiende/es/welcome,sound:atiende/es/digit-2,sound:atiende/es/digit-6"
	if got := plays[0].Query["media"]; len(got) != 1 || got[0] != want {
		t.Fatalf("media = %q, want one value %q", got, want)
	}
	r.srv.Press(id, "12#")
	var keys []rune
	for len(keys) < 3 {
		select {
		case k := <-c.DTMF():
			keys = append(keys, k)
		case <-time.After(5 * time.Second):
			t.Fatalf("keys so far %q", string(keys))
		}
	}
	if string(keys) != "12#" {
		t.Fatalf("keys %q", string(keys))
	}
	if err := c.Hangup(ctx, ivr.CauseNormal); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	if !isDone(c) {
		t.Fatal("Done not closed after Hangup")
	}
	if err := c.Hangup(ctx, ivr.CauseNormal); err != nil {
		t.Fatalf("second Hangup: %v", err)
	}
	del := r.srv.Find("DELETE /channels/" + id)
	if len(del) != 1 || del[0].Query.Get("reason") != "normal" || del[0].Status != 204 {
		t.Fatalf("hang-up requests %+v", del)
	}
	waitFor(t, "channel gone", func() bool { return !r.srv.Channel(id).Exists })
}

func TestHandlerReturnHangsUp(t *testing.T) {
	srv := aritest.New(t, aritest.Options{App: "desk2"})
	r := &rig{t: t, srv: srv}
	r.start(asterisk.Config{URL: srv.URL, User: "atiende", Password: "secret", App: "desk2",
		HelpDeskNumbers: []string{"6000", "*626"}},
		ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) { _ = c.Answer(ctx) }))
	id, err := srv.Inbound("+15551230001", "", "*626")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "handler's call hung up", func() bool { return !srv.Channel(id).Exists })
	// Not a help-desk number: rejected without reaching the handler.
	id2, err := srv.Inbound("+15551230001", "", "7000")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "rejected", func() bool { return !srv.Channel(id2).Exists })
	del := srv.Find("DELETE /channels/" + id2)
	if len(del) != 1 || del[0].Query.Get("reason") != "rejected" {
		t.Fatalf("reject requests %+v", del)
	}
	if n := len(srv.Find("POST /channels/" + id2 + "/answer")); n != 0 {
		t.Fatal("the handler answered a call to a number that is not ours")
	}
}

// Transcript 03: the caller hangs up (BYE) while a playlist plays.
func TestCallerHangsUpMidPrompt(t *testing.T) {
	r := newRig(t, func(o *aritest.Options, _ *asterisk.Config) { o.PlayItem = 2 * time.Second })
	ctx := ctxT(t)
	id, c := r.inbound("+15551230001", "6000")
	_ = c.Answer(ctx)
	played := async(func() error { return c.Play(ctx, ivr.Prompt{Sound: "es/welcome"}, ivr.Prompt{Sound: "es/menu-main"}) })
	waitFor(t, "playback", func() bool { return len(r.srv.Find("POST /channels/"+id+"/play")) == 1 })
	r.srv.RemoteHangup(id)
	if err := result(t, played, 5*time.Second); !errors.Is(err, ivr.ErrHungUp) {
		t.Fatalf("Play = %v, want ErrHungUp", err)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed")
	}
	if err := c.Play(ctx, ivr.Prompt{Sound: "es/welcome"}); !errors.Is(err, ivr.ErrHungUp) {
		t.Fatalf("Play after hang-up = %v", err)
	}
	if err := c.Hangup(ctx, ivr.CauseNormal); err != nil {
		t.Fatalf("Hangup after hang-up: %v", err)
	}
}

func TestBargeInStopsPlayback(t *testing.T) {
	r := newRig(t, func(o *aritest.Options, _ *asterisk.Config) { o.PlayItem = 5 * time.Second })
	id, c := r.inbound("+15551230001", "6000")
	pctx, cancel := context.WithCancel(ctxT(t))
	played := async(func() error { return c.Play(pctx, ivr.Prompt{Sound: "es/welcome"}) })
	waitFor(t, "playback", func() bool { return len(r.srv.Find("POST /channels/"+id+"/play")) == 1 })
	cancel()
	if err := result(t, played, 5*time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("Play = %v, want context.Canceled", err)
	}
	waitFor(t, "DELETE playback", func() bool { return len(r.srv.Find("DELETE /playbacks/")) == 1 })
}

// Transcript 07: an unknown media scheme starts and never finishes.
func TestUnknownMediaGuardedByTimeout(t *testing.T) {
	r := newRig(t, func(_ *aritest.Options, c *asterisk.Config) { c.PlayGuard = 300 * time.Millisecond })
	ctx := ctxT(t)
	_, c := r.inbound("+15551230001", "6000")
	start := time.Now()
	err := c.Play(ctx, ivr.Prompt{Sound: "bogus:thing"})
	if !errors.Is(err, asterisk.ErrPlaybackTimeout) {
		t.Fatalf("Play = %v, want ErrPlaybackTimeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("guard took %s", d)
	}
	if len(r.srv.Find("DELETE /playbacks/")) != 1 {
		t.Fatal("stuck playback not stopped")
	}
	r.srv.MissingSound("atiende/es/nope")
	if err := c.Play(ctx, ivr.Prompt{Sound: "es/nope"}); !errors.Is(err, asterisk.ErrPlaybackFailed) {
		t.Fatalf("missing sound: Play = %v, want ErrPlaybackFailed", err)
	}
	if err := c.Play(ctx, ivr.Prompt{Sound: "es/welcome"}); err != nil {
		t.Fatalf("the call is still usable: %v", err)
	}
}

func TestHoldMusicUntilCancelled(t *testing.T) {
	r := newRig(t)
	id, c := r.inbound("+15551230001", "6000")
	hctx, cancel := context.WithCancel(ctxT(t))
	held := async(func() error { return c.Play(hctx, ivr.Prompt{Sound: "es/moh"}) })
	waitFor(t, "moh on", func() bool { return r.srv.Channel(id).MOH })
	cancel()
	if err := result(t, held, 5*time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("hold = %v", err)
	}
	if r.srv.Channel(id).MOH {
		t.Fatal("moh still on")
	}
	moh := r.srv.Find("POST /channels/" + id + "/moh")
	if len(moh) != 1 || moh[0].Query.Get("mohClass") != "default" {
		t.Fatalf("moh requests %+v", moh)
	}
}

// Transcript 07: a channel that left Stasis gives 409 on answer/play.
func TestNotInStasis(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	id, c := r.inbound("+15551230001", "6000")
	_, other := r.inbound("+15551230002", "6000")
	r.srv.LeaveStasis(id) // also ends the call: StasisEnd
	waitFor(t, "Done", func() bool { return isDone(c) })

	// The call object refuses early; a call racing StasisEnd gets the 409.
	if err := c.Answer(ctx); !errors.Is(err, ivr.ErrHungUp) {
		t.Fatalf("Answer = %v", err)
	}
	id3, c3 := r.inbound("+15551230003", "6000")
	r.srv.LeaveStasisQuiet(id3)
	err := c3.Answer(ctx)
	if !errors.Is(err, ivr.ErrHungUp) || !errors.Is(err, asterisk.ErrNotInStasis) {
		t.Fatalf("Answer on a channel not in Stasis = %v", err)
	}
	err = c3.Play(ctx, ivr.Prompt{Sound: "es/welcome"})
	if !errors.Is(err, asterisk.ErrNotInStasis) {
		t.Fatalf("Play on a channel not in Stasis = %v", err)
	}
	err = other.Bridge(ctx, c3)
	if !errors.Is(err, asterisk.ErrNotInStasis) {
		t.Fatalf("Bridge with a channel not in Stasis = %v", err)
	}
	if n := r.srv.Bridges(); n != 0 {
		t.Fatalf("%d bridges left after a failed Bridge", n)
	}

	// A channel gone without a word: 404 Channel not found is ErrHungUp.
	id4, c4 := r.inbound("+15551230004", "6000")
	r.srv.Vanish(id4)
	if err := c4.Answer(ctx); !errors.Is(err, ivr.ErrHungUp) || errors.Is(err, asterisk.ErrNotInStasis) {
		t.Fatalf("Answer on a vanished channel = %v", err)
	}
	if !isDone(c4) {
		t.Fatal("a channel found gone must end its call")
	}
	if err := c4.Hangup(ctx, ivr.CauseNormal); err != nil || !isDone(c4) {
		t.Fatalf("Hangup of a vanished channel = %v (done %v)", err, isDone(c4))
	}
}
