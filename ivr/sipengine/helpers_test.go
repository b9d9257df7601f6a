package sipengine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/atiende/atiende/ivr"
)

// testConfig is a config on a free port with extensions 1001-1003.
func testConfig(t *testing.T) Config {
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.Extensions = map[string]string{"1001": "secret1", "1002": "secret2", "1003": "secret3"}
	cfg.RTPPortMin, cfg.RTPPortMax = 0, 0
	cfg.RegisterMinExpiry = time.Second
	cfg.QualifyInterval, cfg.QualifyTimeout = 500*time.Millisecond, 300*time.Millisecond
	cfg.Prompts = fstest.MapFS{
		"es/welcome.wav": {Data: toneWAV(3 * time.Second)},
		"es/long.wav":    {Data: toneWAV(20 * time.Second)},
		"es/digit-1.wav": {Data: toneWAV(200 * time.Millisecond)},
	}
	return cfg
}

// startEngine serves cfg with h until the test ends.
func startEngine(t *testing.T, cfg Config, h ivr.Handler) *Engine {
	t.Helper()
	level := slog.LevelWarn
	if os.Getenv("SIPENGINE_DEBUG") != "" {
		level = slog.LevelDebug
	}
	e, stop := serveEngine(t, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})), h, 10*time.Second)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	return e
}

// errNotReturned: Serve did not return after its context ended.
var errNotReturned = errors.New("serve did not return")

// serveEngine serves cfg with h (nil: a handler that does nothing) and
// returns the engine once it is ready, and stop, which ends it and returns
// Serve's error, or errNotReturned after wait.
func serveEngine(tb testing.TB, cfg Config, log *slog.Logger, h ivr.Handler, wait time.Duration) (*Engine, func() error) {
	tb.Helper()
	e, err := New(cfg, log)
	if err != nil {
		tb.Fatal(err)
	}
	if h == nil {
		h = ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {})
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- e.Serve(ctx, h) }()
	select {
	case <-e.Ready():
	case err := <-errc:
		cancel()
		tb.Fatalf("serve: %v", err)
	case <-time.After(5 * time.Second):
		cancel()
		tb.Fatal("engine not ready")
	}
	return e, func() error {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			return nil
		case <-time.After(wait):
			return errNotReturned
		}
	}
}

// toneWAV is a 440 Hz tone as 8 kHz mono 16-bit WAV.
func toneWAV(d time.Duration) []byte {
	n := int(d.Seconds() * 8000)
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1))
	w(uint16(1))
	w(uint32(8000))
	w(uint32(16000))
	w(uint16(2))
	w(uint16(16))
	b.WriteString("data")
	w(uint32(2 * n))
	for i := range n {
		w(int16(8000 * math.Sin(2*math.Pi*440*float64(i)/8000)))
	}
	return b.Bytes()
}

// waitStatus reads ch until ext reaches state.
func waitStatus(t *testing.T, ch <-chan ivr.ExtensionStatus, ext string, state ivr.ExtState, d time.Duration) ivr.ExtensionStatus {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case s := <-ch:
			if s.Extension == ext && s.State == state {
				return s
			}
		case <-timer.C:
			t.Fatalf("extension %s not %s after %v", ext, state, d)
		}
	}
}
