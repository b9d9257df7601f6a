package acd_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
)

// At midnight in the help desk's zone the live counters start again, as
// the day chart does.
func TestResetStatsDaily(t *testing.T) {
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skip(err)
	}
	desk := acd.New(acd.Config{}, nil, nil, nil, nil)
	defer desk.Close()
	if err := desk.AddQueue(agentdesk.QueueConfig{Name: "network"}); err != nil {
		t.Fatal(err)
	}
	if err := desk.AddStats("network", agentdesk.QueueStats{Entered: 3, Answered: 2, AnsweredInSL: 2, Abandoned: 1}); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 12, 7, 23, 59, 30, 0, zone)
	ctx, cancel := context.WithCancel(context.Background())
	waits := make(chan time.Duration, 2)
	fire := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		defer close(done)
		desk.ResetStatsDaily(ctx, zone, func() time.Time { return clock }, func(d time.Duration) <-chan time.Time {
			waits <- d
			return fire
		})
	}()
	if d := <-waits; d != 30*time.Second {
		t.Errorf("waits %v for midnight, want 30s", d)
	}
	if s := desk.Snapshot().Queues[0].Stats; s.Entered != 3 {
		t.Fatalf("before midnight: %+v", s)
	}
	clock = clock.Add(30 * time.Second)
	fire <- clock
	if d := <-waits; d != 24*time.Hour {
		t.Errorf("then waits %v, want 24h", d)
	}
	if s := desk.Snapshot().Queues[0].Stats; s.Entered+s.Answered+s.AnsweredInSL+s.Abandoned != 0 {
		t.Errorf("after midnight: %+v", s)
	}
	cancel()
	<-done
}
