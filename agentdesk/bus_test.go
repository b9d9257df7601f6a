package agentdesk_test

import (
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
)

func TestBusFanOutAndDrops(t *testing.T) {
	b := agentdesk.NewBus()
	fast, cancelFast := b.Subscribe(10)
	slow, cancelSlow := b.Subscribe(2) // never read until the end
	defer cancelSlow()
	for i := 1; i <= 5; i++ {
		b.Publish(agentdesk.Event{Seq: uint64(i), Kind: agentdesk.CallQueued})
	}
	for i := 1; i <= 5; i++ {
		if e := <-fast; e.Seq != uint64(i) {
			t.Fatalf("fast got seq %d, want %d", e.Seq, i)
		}
	}
	st := b.Stats()
	if st.Published != 5 || st.Dropped != 3 || st.Subscribers != 2 {
		t.Fatalf("stats %+v", st)
	}
	if e := <-slow; e.Seq != 1 {
		t.Fatalf("slow kept seq %d", e.Seq)
	}
	cancelFast()
	cancelFast() // twice is fine
	if _, ok := <-fast; ok {
		t.Fatal("cancelled channel still open")
	}
	b.Publish(agentdesk.Event{Seq: 6}) // no panic on the closed channel
	if st := b.Stats(); st.Subscribers != 1 || len(st.Drops) != 1 || st.Drops[0] != 3 {
		t.Fatalf("stats after cancel %+v", st)
	}
	// The slow subscriber sees the gap 2 -> 6 and knows it must resync.
	if a, b := <-slow, <-slow; a.Seq != 2 || b.Seq != 6 {
		t.Fatalf("slow got %d then %d", a.Seq, b.Seq)
	}
}

func TestBusNeverBlocks(t *testing.T) {
	b := agentdesk.NewBus()
	_, cancel := b.Subscribe(1)
	defer cancel()
	done := make(chan struct{})
	go func() {
		for i := range 10000 {
			b.Publish(agentdesk.Event{Seq: uint64(i + 1)})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a stalled subscriber")
	}
}

func TestQueueConfigDefaults(t *testing.T) {
	qc := agentdesk.QueueConfig{Name: "email", WrapUp: -1}.WithDefaults()
	if qc.Skill != "email" || qc.Strategy != agentdesk.LongestIdle || qc.RingTimeout != 15*time.Second ||
		qc.WrapUp != -1 || qc.MaxWait != 120*time.Second || qc.AnnounceInterval != 30*time.Second ||
		qc.ServiceLevel != 20*time.Second || !qc.AutoPauses() {
		t.Fatalf("defaults %+v", qc)
	}
	for _, bad := range []agentdesk.QueueConfig{{}, {Name: "x", Strategy: "random"}, {Name: "x", RingTimeout: -1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestQueueStats(t *testing.T) {
	s := agentdesk.QueueStats{Answered: 8, AnsweredInSL: 6, Abandoned: 4, ShortAbandoned: 2, TotalAnswerWait: 80 * time.Second}
	if s.ASA() != 10*time.Second || s.ServiceLevelShare() != 0.6 || s.AbandonRate() != 4.0/12 {
		t.Fatalf("ASA %v SL %v abandon %v", s.ASA(), s.ServiceLevelShare(), s.AbandonRate())
	}
}
