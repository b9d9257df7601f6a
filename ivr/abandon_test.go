package ivr_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
)

type ivrCalls struct {
	mu   sync.Mutex
	list []string // call ID + " " + outcome
}

func (r *ivrCalls) RecordIVRCall(_ context.Context, s ivr.CallSession, outcome string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, s.CallID+" "+outcome)
	return nil
}

func (r *ivrCalls) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.list...)
}

// A caller whose phone sends no audio and who presses nothing reaches
// on_fail (agent) like a silent caller, but opens no ticket and waits for
// no agent: the call ends as abandoned in the IVR. With audio, the same
// silence still reaches an agent with a ticket.
func TestSilentGhostCallerGetsNoTicket(t *testing.T) {
	for _, tc := range []struct {
		media  ivr.MediaState
		ticket bool
	}{{ivr.MediaNone, false}, {ivr.MediaSeen, true}, {ivr.MediaUnknown, true}} {
		f := fastFlow(t)
		f.Nodes["main"].Timeout = 50 * time.Millisecond
		h := newHarness(t, f)
		rec := &ivrCalls{}
		h.runner.Abandoned = rec
		c := h.call()
		c.SetInboundMedia(tc.media)
		expect(t, c, "es/main-menu", "es/timeout", "es/main-menu", "es/timeout")
		handled(t, c)
		created, enqueued := h.svc.Created(), h.svc.Enqueued()
		if tc.ticket {
			if len(created) != 1 || len(enqueued) != 1 || len(rec.get()) != 0 {
				t.Errorf("media %v: created %d, enqueued %d, abandoned %v; want a ticket and the queue", tc.media, len(created), len(enqueued), rec.get())
			}
			continue
		}
		if len(created) != 0 || len(enqueued) != 0 {
			t.Errorf("no media: created %d tickets, enqueued %d; want none", len(created), len(enqueued))
		}
		if got := rec.get(); len(got) != 1 || got[0] != c.ID()+" abandoned_ivr" {
			t.Errorf("no media: recorded %v, want [%s abandoned_ivr]", got, c.ID())
		}
		if by, _ := c.HungUp(); by != "atiende" {
			t.Errorf("no media: hung up by %q, want atiende", by)
		}
	}
}

// A caller who hangs up in the menu, before choosing anything, is kept as
// a call abandoned in the IVR; one who hangs up in the queue has a ticket
// and is not.
func TestHangupBeforeChoosingIsAbandonedInIVR(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	rec := &ivrCalls{}
	h.runner.Abandoned = rec
	c := h.call()
	c.SetInboundMedia(ivr.MediaSeen)
	expect(t, c, "es/main-menu")
	c.CallerHangup()
	handled(t, c)
	if got := rec.get(); len(got) != 1 || got[0] != c.ID()+" abandoned_ivr" {
		t.Errorf("recorded %v, want [%s abandoned_ivr]", got, c.ID())
	}
	if ivr.OutcomeLabel(ivr.OutcomeAbandonedIVR, "es") != "Abandonada en el IVR" || ivr.OutcomeLabel(ivr.OutcomeAbandonedIVR, "en") != "Abandoned in the IVR" {
		t.Error("labels of abandoned_ivr")
	}
}
