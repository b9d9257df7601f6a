package acd

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/metrics/benchload"
)

// BenchmarkBacklog: 20 agents whose calls last 2 ms or 20 ms (issue 3's 2 s,
// scaled by 1/1000 and 1/100) and a backlog of b.N callers queued at once. It reports calls
// answered per second and the idle gap of an agent between the end of one
// call and the ring of the next (p50, p99), measured at the fake engine.
//
// Issue 3 asks for 9.5 calls/s from 20 agents on 2 s calls (95% occupancy);
// %busy is that occupancy here, from the talk time the fake actually gave.
func BenchmarkBacklog(b *testing.B) {
	for _, talk := range []time.Duration{2 * time.Millisecond, 20 * time.Millisecond} {
		b.Run("talk="+talk.String(), func(b *testing.B) { benchBacklog(b, talk) })
	}
}

func benchBacklog(b *testing.B, talk time.Duration) {
	defer benchload.Report(b)
	const agents = 20
	eng := newFakeEngine()
	a := New(Config{}, eng, agentdesk.Discard, nil, nil)
	defer a.Close()
	if err := a.AddQueue(agentdesk.QueueConfig{Name: "q", WrapUp: -1, MaxWait: -1}); err != nil {
		b.Fatal(err)
	}
	for i := range agents {
		ext := fmt.Sprintf("x%02d", i)
		eng.phone(ext, behavior{talk: talk})
		if err := a.AddAgent(agentdesk.Agent{Username: ext, Extension: ext, Skills: map[string]int{"q": 0}, State: agentdesk.StatePaused}); err != nil {
			b.Fatal(err)
		}
	}
	// Queue the backlog while every agent is paused, then open the doors.
	var wg sync.WaitGroup
	answered := make(chan bool, b.N)
	queued := make(chan struct{}, b.N)
	for i := range b.N {
		c := newFakeCall(fmt.Sprint("c", i), "55", "")
		wg.Go(func() {
			queued <- struct{}{}
			r, err := a.Enqueue(context.Background(), c, CallInfo{Queue: "q"})
			answered <- err == nil && r.Outcome == agentdesk.OutcomeAnswered
		})
	}
	for range b.N {
		<-queued
	}
	for waiting := 0; waiting < b.N; {
		waiting = a.Snapshot().Queues[0].Waiting
		time.Sleep(time.Millisecond)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range agents {
		if err := a.SetAgentState(fmt.Sprintf("x%02d", i), agentdesk.StateAvailable, ""); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	n := 0
	for range b.N {
		if <-answered {
			n++
		}
	}
	if n != b.N {
		b.Fatalf("%d of %d answered", n, b.N)
	}
	eng.mu.Lock()
	gaps := slices.Clone(eng.gaps)
	var talked time.Duration
	for _, d := range eng.talks {
		talked += d
	}
	eng.mu.Unlock()
	slices.Sort(gaps)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "calls/s")
	// Occupancy counts the talk time the fake actually gave (its timers run
	// late on a loaded machine), so 100 - %busy is time lost to the ACD.
	b.ReportMetric(talked.Seconds()/(agents*elapsed.Seconds())*100, "%busy")
	if len(gaps) > 0 {
		b.ReportMetric(float64(gaps[len(gaps)/2].Microseconds()), "idle-p50-µs")
		b.ReportMetric(float64(gaps[len(gaps)*99/100].Microseconds()), "idle-p99-µs")
	}
}
