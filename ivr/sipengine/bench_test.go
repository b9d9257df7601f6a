package sipengine

import (
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/metrics/benchload"
)

// BenchmarkIVRCalls drives b.N sipp calls at SIPENGINE_BENCH_CPS calls/s
// (default 50) against a handler that plays a 1 s prompt, reads one key and
// hangs up. It reports calls/s and failures; it asserts nothing about time.
//
//	go test -run XXX -bench IVRCalls -benchtime 500x ./ivr/sipengine
func BenchmarkIVRCalls(b *testing.B) {
	defer benchload.Report(b)
	cps, _ := strconv.Atoi(os.Getenv("SIPENGINE_BENCH_CPS"))
	if cps <= 0 {
		cps = 50
	}
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.RTPPortMin, cfg.RTPPortMax = 0, 0
	cfg.Prompts = fstest.MapFS{"es/welcome.wav": {Data: toneWAV(time.Second)}}
	var keys, failed atomic.Int64
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			failed.Add(1)
			return
		}
		_ = c.Play(ctx, ivr.Prompt{Sound: "es/welcome"})
		select {
		case k := <-c.DTMF():
			if k == '1' {
				keys.Add(1)
			}
		case <-time.After(3 * time.Second):
			failed.Add(1)
		case <-ctx.Done():
			failed.Add(1)
		}
	})
	e, err := New(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = e.Serve(ctx, h) }()
	<-e.Ready()

	b.ResetTimer()
	start := time.Now()
	s := sippeer.StartSipp(b, sippeer.SippOptions{
		Scenario: "testdata/caller_one_key.xml", Remote: e.Addr().String(),
		Keys:    []string{"caller=5551234"},
		Args:    []string{"-s", "6000", "-m", strconv.Itoa(b.N), "-r", strconv.Itoa(cps), "-l", strconv.Itoa(4 * cps)},
		Timeout: time.Duration(b.N/cps+30) * time.Second,
	})
	sippErr := s.Wait(time.Duration(b.N/cps+40) * time.Second)
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "calls/s")
	b.ReportMetric(float64(int64(b.N)-keys.Load()), "failed")
	if sippErr != nil {
		b.Logf("sipp: %v (failed calls are counted above)", sippErr)
	}
}
