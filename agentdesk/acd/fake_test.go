package acd

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
)

// A minimal fake engine owned by these tests: the gap measurements of the
// benchmark and the concurrency checks need hooks a general fake lacks.

var (
	_ ivr.Engine = (*fakeEngine)(nil)
	_ ivr.Call   = (*fakeCall)(nil)
)

type fakeCall struct {
	id   string
	from ivr.Party
	to   string
	dtmf chan rune
	done chan struct{}
	once sync.Once

	mu      sync.Mutex
	prompts []ivr.Prompt
	bridged bool
	onEnd   func()
}

func newFakeCall(id, number, name string) *fakeCall {
	return &fakeCall{id: id, from: ivr.Party{Number: number, DisplayName: name}, dtmf: make(chan rune, 16), done: make(chan struct{})}
}

func (c *fakeCall) ID() string                                    { return c.id }
func (c *fakeCall) From() ivr.Party                               { return c.from }
func (c *fakeCall) To() string                                    { return c.to }
func (c *fakeCall) Answer(context.Context) error                  { return nil }
func (c *fakeCall) DTMF() <-chan rune                             { return c.dtmf }
func (c *fakeCall) Done() <-chan struct{}                         { return c.done }
func (c *fakeCall) InboundMedia() ivr.MediaState                  { return ivr.MediaUnknown }
func (c *fakeCall) press(k rune)                                  { c.dtmf <- k }
func (c *fakeCall) Hangup(context.Context, ivr.HangupCause) error { c.end(); return nil }

// end is a hang-up by either side.
func (c *fakeCall) end() {
	c.once.Do(func() {
		close(c.done)
		c.mu.Lock()
		f := c.onEnd
		c.mu.Unlock()
		if f != nil {
			f()
		}
	})
}

func (c *fakeCall) ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Play records prompts; hold music lasts until cancelled, other prompts
// take no time.
func (c *fakeCall) Play(ctx context.Context, ps ...ivr.Prompt) error {
	for _, p := range ps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.ended() {
			return ivr.ErrHungUp
		}
		c.mu.Lock()
		c.prompts = append(c.prompts, p)
		c.mu.Unlock()
		if strings.HasSuffix(p.Sound, "/moh") {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-c.done:
				return ivr.ErrHungUp
			}
		}
	}
	return nil
}

func (c *fakeCall) Bridge(ctx context.Context, other ivr.Call) error {
	c.mu.Lock()
	c.bridged = true
	c.mu.Unlock()
	select {
	case <-c.done:
	case <-other.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func (c *fakeCall) played() []ivr.Prompt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]ivr.Prompt(nil), c.prompts...)
}

func (c *fakeCall) wasBridged() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bridged
}

// behavior is what a phone does with one Dial.
type behavior struct {
	answerAfter time.Duration
	never       bool          // rings until opts.Timeout or ctx
	err         error         // fail at once with err
	talk        time.Duration // far end hangs up after this; 0: never
}

type dialRec struct {
	target string
	at     time.Time
	err    error // what Dial returned
}

type fakeEngine struct {
	mu         sync.Mutex
	scripts    map[string]func(n int) behavior
	counts     map[string]int
	dials      []dialRec
	ringing    map[string]int
	maxRinging map[string]int
	calls      map[string][]*fakeCall
	lastEnd    map[string]time.Time
	gaps       []time.Duration // from a phone's call end to its next Dial
	talks      []time.Duration // answered agent calls, answer to far-end hang-up
	seq        int
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{
		scripts: map[string]func(int) behavior{}, counts: map[string]int{},
		ringing: map[string]int{}, maxRinging: map[string]int{},
		calls: map[string][]*fakeCall{}, lastEnd: map[string]time.Time{},
	}
}

func (f *fakeEngine) phone(target string, b behavior) {
	f.script(target, func(int) behavior { return b })
}

func (f *fakeEngine) script(target string, s func(n int) behavior) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scripts[target] = s
}

func (f *fakeEngine) Name() string                                              { return "fake" }
func (f *fakeEngine) Up() bool                                                  { return true }
func (f *fakeEngine) Serve(ctx context.Context, _ ivr.Handler) error            { <-ctx.Done(); return nil }
func (f *fakeEngine) Extensions(context.Context) ([]ivr.ExtensionStatus, error) { return nil, nil }
func (f *fakeEngine) WatchExtensions(ctx context.Context) <-chan ivr.ExtensionStatus {
	return make(chan ivr.ExtensionStatus)
}

func (f *fakeEngine) Dial(ctx context.Context, target string, opts ivr.DialOptions) (ivr.Call, error) {
	now := time.Now()
	f.mu.Lock()
	s, ok := f.scripts[target]
	n := f.counts[target]
	f.counts[target]++
	f.ringing[target]++
	f.maxRinging[target] = max(f.maxRinging[target], f.ringing[target])
	if end, ok := f.lastEnd[target]; ok {
		f.gaps = append(f.gaps, now.Sub(end))
		delete(f.lastEnd, target)
	}
	f.seq++
	id := fmt.Sprintf("out-%d", f.seq)
	f.mu.Unlock()
	c, err := f.dial(ctx, s, ok, n, id, target, opts)
	f.mu.Lock()
	f.ringing[target]--
	f.dials = append(f.dials, dialRec{target: target, at: now, err: err})
	if c != nil {
		f.calls[target] = append(f.calls[target], c)
	}
	f.mu.Unlock()
	if c == nil {
		return nil, err
	}
	return c, nil
}

func (f *fakeEngine) dial(ctx context.Context, s func(int) behavior, ok bool, n int, id, target string, opts ivr.DialOptions) (*fakeCall, error) {
	if !ok {
		return nil, ivr.ErrUnreachable
	}
	b := s(n)
	switch {
	case b.err != nil:
		return nil, b.err
	case b.never:
		t := time.NewTimer(opts.Timeout)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
			return nil, ivr.ErrNoAnswer
		}
	}
	if b.answerAfter > 0 {
		t := time.NewTimer(b.answerAfter)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	} else if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := newFakeCall(id, target, "")
	c.to = target
	answered := time.Now()
	c.onEnd = func() {
		now := time.Now()
		f.mu.Lock()
		f.lastEnd[target] = now
		f.talks = append(f.talks, now.Sub(answered))
		f.mu.Unlock()
	}
	if b.talk > 0 {
		time.AfterFunc(b.talk, c.end)
	}
	return c, nil
}

func (f *fakeEngine) dialsTo(target string) []dialRec {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []dialRec
	for _, d := range f.dials {
		if d.target == target {
			out = append(out, d)
		}
	}
	return out
}

func (f *fakeEngine) allDials() []dialRec {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]dialRec(nil), f.dials...)
}

// waitRinging waits until target's phone is ringing.
func (f *fakeEngine) waitRinging(t *testing.T, target string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		f.mu.Lock()
		n := f.ringing[target]
		f.mu.Unlock()
		if n > 0 {
			return
		}
	}
	t.Fatalf("%s never rang", target)
}

// lastCall is the latest answered call to target.
func (f *fakeEngine) lastCall(t *testing.T, target string) *fakeCall {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	cs := f.calls[target]
	if len(cs) == 0 {
		t.Fatalf("no call to %s", target)
	}
	return cs[len(cs)-1]
}
