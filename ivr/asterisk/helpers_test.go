package asterisk_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk"
	"github.com/atiende/atiende/ivr/asterisk/aritest"
)

// rig is a test ARI server and an engine serving it.
type rig struct {
	t     *testing.T
	srv   *aritest.Server
	eng   *asterisk.Engine
	calls chan ivr.Call
	stop  context.CancelFunc
}

type rigOpt func(*aritest.Options, *asterisk.Config)

func newRig(t *testing.T, opts ...rigOpt) *rig {
	t.Helper()
	so := aritest.Options{App: "atiende", User: "atiende", Password: "secret"}
	cfg := asterisk.Config{
		User: "atiende", Password: "secret", App: "atiende",
		RequestTimeout: 2 * time.Second, RingTimeout: 2 * time.Second,
		ReconnectMin: 50 * time.Millisecond, ReconnectMax: 400 * time.Millisecond,
		PlayGuard: 2 * time.Second,
	}
	for _, o := range opts {
		o(&so, &cfg)
	}
	srv := aritest.New(t, so)
	cfg.URL = srv.URL
	r := &rig{t: t, srv: srv, calls: make(chan ivr.Call, 16)}
	r.eng = r.start(cfg, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		r.calls <- c
		<-ctx.Done()
	}))
	return r
}

// start runs an engine for cfg until the test ends and waits until it is Up.
func (r *rig) start(cfg asterisk.Config, h ivr.Handler) *asterisk.Engine {
	r.t.Helper()
	eng, err := asterisk.New(cfg, testLogger(r.t))
	if err != nil {
		r.t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- eng.Serve(ctx, h) }()
	r.stop = cancel
	r.t.Cleanup(func() {
		cancel()
		select {
		case err := <-served:
			if err != nil {
				r.t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			r.t.Errorf("Serve did not return after cancel")
		}
	})
	waitFor(r.t, "engine up", eng.Up)
	return eng
}

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("ATIENDE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// inbound places a call and returns the handler's view of it.
func (r *rig) inbound(number, exten string) (string, ivr.Call) {
	r.t.Helper()
	id, err := r.srv.Inbound(number, "Lab Caller", exten)
	if err != nil {
		r.t.Fatalf("inbound: %v", err)
	}
	select {
	case c := <-r.calls:
		return id, c
	case <-time.After(5 * time.Second):
		r.t.Fatalf("no call reached the handler")
	}
	return "", nil
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func isDone(c ivr.Call) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// async runs f in a goroutine; the result is read from the channel.
func async(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

func result(t *testing.T, ch <-chan error, within time.Duration) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(within):
		t.Fatalf("no result within %s", within)
	}
	return nil
}
