package sipengine

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// A call in the IVR holds only the goroutines it needs: the handler, the
// media reader, and what diago and sipgo keep per dialog. Nothing of ours
// waits for the dialog's end or the call's (context.AfterFunc does).
func TestGoroutinesPerCall(t *testing.T) {
	const calls = 10
	var answered sync.WaitGroup
	answered.Add(calls)
	release := make(chan struct{})
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			t.Errorf("answer: %v", err)
		}
		answered.Done()
		select {
		case <-release:
		case <-ctx.Done():
		}
	})
	e := startEngine(t, testConfig(t), h)
	time.Sleep(200 * time.Millisecond)
	before := runtime.NumGoroutine()
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/caller_wait_bye.xml", Remote: e.Addr().String(),
		Keys: []string{"caller=5551234"},
		Args: []string{"-s", "6000", "-m", strconv.Itoa(calls), "-r", "20", "-l", strconv.Itoa(calls)},
	})
	done := make(chan struct{})
	go func() { answered.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("calls not answered")
	}
	time.Sleep(300 * time.Millisecond) // ACKs in, transactions settled
	per := float64(runtime.NumGoroutine()-before-1) / calls
	close(release)
	if err := s.Wait(30 * time.Second); err != nil {
		t.Fatalf("sipp: %v", err)
	}
	t.Logf("%.1f goroutines per answered call in the IVR", per)
	// Measured: 6.2 before context.AfterFunc replaced the two goroutines
	// that waited for the dialog's end and the call's, 4.2 after (the
	// handler, the media reader, diago's and sipgo's per dialog).
	if per > 4.6 {
		t.Errorf("%.1f goroutines per call in the IVR, want at most 4.6", per)
	}
}
