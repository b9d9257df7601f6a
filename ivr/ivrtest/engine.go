// Package ivrtest is a scripted, in-memory ivr.Engine for unit tests of flows
// and routing. Tests inject inbound calls, press keys, hang up from the far
// end, and script what Dial does (a function, or fake phones that answer after
// a delay, never answer, are busy or unreachable). Everything is goroutine
// safe, and every wait a test needs is a method with a timeout, so tests never
// sleep.
package ivrtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/atiende/atiende/ivr"
)

var _ ivr.Engine = (*Engine)(nil)

// DialFunc scripts Dial. It receives the engine's context-free view of the
// request; returning (nil, err) fails the dial with err.
type DialFunc func(target string, opts ivr.DialOptions) (ivr.Call, error)

// DialRecord is one Dial the engine saw.
type DialRecord struct {
	Target string
	Opts   ivr.DialOptions
	Err    error
	At     time.Time
}

// Engine is the fake engine. The zero value is not usable: call NewEngine.
type Engine struct {
	serving chan struct{} // closed once Serve has a handler

	mu        sync.Mutex
	handler   ivr.Handler
	serveCtx  context.Context
	running   sync.WaitGroup
	seq       int
	up        bool
	playDur   time.Duration
	onDial    DialFunc
	phones    map[string]*Phone
	dials     []DialRecord
	exts      map[string]ivr.ExtensionStatus
	watchers  map[chan ivr.ExtensionStatus]struct{}
	drops     int
	dialWatch chan struct{} // closed and replaced on every Dial
}

// NewEngine returns an engine that is Up, with no phones and no extensions.
func NewEngine() *Engine {
	return &Engine{
		serving:   make(chan struct{}),
		up:        true,
		phones:    map[string]*Phone{},
		exts:      map[string]ivr.ExtensionStatus{},
		watchers:  map[chan ivr.ExtensionStatus]struct{}{},
		dialWatch: make(chan struct{}),
	}
}

// Name is "test".
func (e *Engine) Name() string { return "test" }

// Up reports what SetUp last set (true by default).
func (e *Engine) Up() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.up
}

// SetUp sets what Up reports.
func (e *Engine) SetUp(up bool) {
	e.mu.Lock()
	e.up = up
	e.mu.Unlock()
}

// SetPlayDuration makes each prompt of calls created from now on take d to
// play (default 0: Play records the prompts and returns at once). A long
// duration lets a test hang up or press a key "during" a prompt.
func (e *Engine) SetPlayDuration(d time.Duration) {
	e.mu.Lock()
	e.playDur = d
	e.mu.Unlock()
}

// Serve hands every call injected with Call to h until ctx is done, then
// waits for the running handlers (their ctx is cancelled) and returns nil.
// Serve may be called once.
func (e *Engine) Serve(ctx context.Context, h ivr.Handler) error {
	e.mu.Lock()
	if e.handler != nil {
		e.mu.Unlock()
		return fmt.Errorf("ivrtest: Serve called twice")
	}
	e.handler, e.serveCtx = h, ctx
	close(e.serving)
	e.mu.Unlock()
	<-ctx.Done()
	e.running.Wait()
	return nil
}

// Call injects an inbound call from `from` to the dialled number `to`. The
// call is handed to the Serve handler (as soon as Serve runs) in its own
// goroutine; when the handler returns the engine hangs the call up, as a real
// engine does. Use (*Call).WaitHandled to wait for that.
func (e *Engine) Call(from ivr.Party, to string) *Call {
	e.mu.Lock()
	e.seq++
	c := newCall(fmt.Sprintf("call-%d", e.seq), from, to, e.playDur)
	e.running.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.running.Done()
		defer close(c.handled)
		select {
		case <-e.serving:
		case <-c.done:
			return
		}
		e.mu.Lock()
		h, ctx := e.handler, e.serveCtx
		e.mu.Unlock()
		if ctx.Err() != nil {
			c.hangup("atiende", ivr.CauseUnavailable)
			return
		}
		h.HandleCall(ctx, c)
		c.hangup("atiende", ivr.CauseNormal)
	}()
	return c
}

// NewCall returns a standalone call, not attached to any engine, for tests
// that call a Handler directly.
func NewCall(id string, from ivr.Party, to string) *Call {
	c := newCall(id, from, to, 0)
	close(c.handled)
	return c
}

// OnDial scripts Dial: when set, f decides every Dial (phones are ignored).
// Pass nil to go back to phones.
func (e *Engine) OnDial(f DialFunc) {
	e.mu.Lock()
	e.onDial = f
	e.mu.Unlock()
}

// Dials returns every Dial seen so far.
func (e *Engine) Dials() []DialRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.dials)
}

// WaitDials waits until at least n Dials have finished, or timeout.
func (e *Engine) WaitDials(n int, timeout time.Duration) ([]DialRecord, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		e.mu.Lock()
		d, ch := slices.Clone(e.dials), e.dialWatch
		e.mu.Unlock()
		if len(d) >= n {
			return d, nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return d, fmt.Errorf("ivrtest: %d dials after %v, want %d", len(d), timeout, n)
		}
	}
}

// Dial implements ivr.Engine: the OnDial function if set, else the phone
// registered for target, else ErrUnreachable.
func (e *Engine) Dial(ctx context.Context, target string, opts ivr.DialOptions) (ivr.Call, error) {
	e.mu.Lock()
	f, p, up := e.onDial, e.phones[target], e.up
	e.mu.Unlock()
	var c ivr.Call
	var err error
	switch {
	case !up:
		err = ivr.ErrEngineDown
	case f != nil:
		c, err = f(target, opts)
	case p != nil:
		c, err = p.ring(ctx, opts)
	default:
		err = fmt.Errorf("ivrtest: dial %s: %w", target, ivr.ErrUnreachable)
	}
	e.mu.Lock()
	e.dials = append(e.dials, DialRecord{Target: target, Opts: opts, Err: err, At: time.Now()})
	close(e.dialWatch)
	e.dialWatch = make(chan struct{})
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return c, nil
}
