package asterisk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// A caller whose phone sends no RTP (gone without a BYE) is hung up by
// Asterisk itself: deploy/asterisk/pjsip.conf sets rtp_timeout = 20 on the
// trunk, so the call ends within 30 s although Atiende would play to it
// for ever, and nothing is left behind.
func TestRealRTPTimeout(t *testing.T) {
	a := asterisklab.Start(t, asterisklab.Options{})
	answered, ended := make(chan time.Time, 1), make(chan time.Time, 1)
	serveReal(t, realConfig(a), ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			t.Errorf("answer: %v", err)
			return
		}
		answered <- time.Now()
		// Music until the call ends (or the test does).
		for c.Play(ctx, ivr.Prompt{Sound: "es/moh"}) == nil {
		}
		select {
		case <-c.Done():
			ended <- time.Now()
		case <-time.After(5 * time.Second):
		}
	}))
	s := sippeer.StartSipp(t, sippeer.SippOptions{ // sends no RTP; answers the BYE
		Scenario: "testdata/caller_wait_bye.xml", Remote: a.SIPAddr(),
		Keys: []string{"caller=+15551230001"}, Args: []string{"-s", "6000", "-m", "1"},
	})
	var start time.Time
	select {
	case start = <-answered:
	case <-time.After(30 * time.Second):
		t.Fatal("no call reached the handler")
	}
	select {
	case end := <-ended:
		t.Logf("Asterisk hung up the silent call %v after the answer", end.Sub(start).Round(100*time.Millisecond))
	case <-time.After(45 * time.Second):
		t.Fatalf("the silent call is still up %v after the answer", time.Since(start).Round(time.Second))
	}
	if log := a.Log(); !strings.Contains(log, "for lack of audio RTP activity") {
		t.Errorf("Asterisk's log does not say why it hung up:\n%s", log)
	}
	if err := s.Wait(20 * time.Second); err != nil {
		t.Errorf("sipp: %v", err)
	}
	a.CheckClean(t)
}
