package main

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
)

func TestDrainWaitsForCallsAndTurnsNewOnesAway(t *testing.T) {
	var d drain
	release := make(chan struct{})
	h := d.handler(ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) { <-release }))
	inCall := make(chan struct{})
	go func() {
		h.HandleCall(context.Background(), ivrtest.NewCall("c1", ivr.Party{Number: "7222769600"}, "6000"))
		close(inCall)
	}()
	for d.inflight.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	d.close()
	late := ivrtest.NewCall("c2", ivr.Party{Number: "7222769601"}, "6000")
	h.HandleCall(context.Background(), late)
	if by, cause := late.HungUp(); by != "atiende" || cause != ivr.CauseUnavailable {
		t.Fatalf("a call during the drain: hung up by %q, cause %q", by, cause)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if n := d.wait(ctx); n != 1 {
		t.Fatalf("wait with a call in progress: %d, want 1", n)
	}
	close(release)
	<-inCall
	if n := d.wait(context.Background()); n != 0 {
		t.Fatalf("wait after the call ended: %d", n)
	}
}
