package ivrtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/atiende/atiende/ivr"
)

// Behavior is how a fake phone reacts when dialled.
type Behavior int

const (
	Answers     Behavior = iota // rings for the phone's delay, then answers
	NeverAnswer                 // rings until opts.Timeout (ErrNoAnswer) or ctx
	Busy                        // ErrBusy at once
	Unreachable                 // ErrUnreachable at once
	Declines                    // rings for the delay, then ErrDeclined
)

// defaultRing is the ring timeout when DialOptions.Timeout is 0, as engines do.
const defaultRing = 20 * time.Second

// Phone is a fake agent phone reached by Dial(extension).
type Phone struct {
	ext string

	mu       sync.Mutex
	behavior Behavior
	delay    time.Duration
	calls    []*Call
	rings    int
	answered chan *Call
}

// AddPhone registers a phone for extension ext (replacing any) and, unless it
// is Unreachable, marks the extension registered.
func (e *Engine) AddPhone(ext string, b Behavior, delay time.Duration) *Phone {
	p := &Phone{ext: ext, behavior: b, delay: delay, answered: make(chan *Call, 64)}
	e.mu.Lock()
	e.phones[ext] = p
	e.mu.Unlock()
	st := ivr.ExtRegistered
	if b == Unreachable {
		st = ivr.ExtUnreachable
	}
	e.SetExtension(ivr.ExtensionStatus{Extension: ext, State: st, Since: time.Now()})
	return p
}

// Phone returns the phone registered for ext, or nil.
func (e *Engine) Phone(ext string) *Phone {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.phones[ext]
}

// Set changes how the phone reacts to the next dials.
func (p *Phone) Set(b Behavior, delay time.Duration) {
	p.mu.Lock()
	p.behavior, p.delay = b, delay
	p.mu.Unlock()
}

// Rings counts the dials that reached the phone.
func (p *Phone) Rings() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rings
}

// Calls returns the calls the phone answered (the agent's legs).
func (p *Phone) Calls() []*Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

// Answered delivers each call the phone answers (buffered; 64 at most
// unread).
func (p *Phone) Answered() <-chan *Call { return p.answered }

// WaitAnswered waits for the next answered call.
func (p *Phone) WaitAnswered(timeout time.Duration) (*Call, error) {
	select {
	case c := <-p.answered:
		return c, nil
	case <-time.After(timeout):
		return nil, fmt.Errorf("ivrtest: phone %s answered nothing in %v", p.ext, timeout)
	}
}

func (p *Phone) ring(ctx context.Context, opts ivr.DialOptions) (ivr.Call, error) {
	p.mu.Lock()
	b, delay := p.behavior, p.delay
	p.rings++
	n := p.rings
	p.mu.Unlock()
	switch b {
	case Busy:
		return nil, fmt.Errorf("ivrtest: dial %s: %w", p.ext, ivr.ErrBusy)
	case Unreachable:
		return nil, fmt.Errorf("ivrtest: dial %s: %w", p.ext, ivr.ErrUnreachable)
	}
	if opts.OnRinging != nil {
		opts.OnRinging()
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = defaultRing
	}
	noAnswer := time.NewTimer(timeout)
	defer noAnswer.Stop()
	var pickUp <-chan time.Time
	if b != NeverAnswer {
		t := time.NewTimer(delay)
		defer t.Stop()
		pickUp = t.C
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-noAnswer.C:
		return nil, fmt.Errorf("ivrtest: dial %s: %w", p.ext, ivr.ErrNoAnswer)
	case <-pickUp:
	}
	if b == Declines {
		return nil, fmt.Errorf("ivrtest: dial %s: %w", p.ext, ivr.ErrDeclined)
	}
	c := newCall(fmt.Sprintf("%s-out-%d", p.ext, n), ivr.Party{Number: opts.CallerID, DisplayName: opts.CallerName}, p.ext, 0)
	c.answered = true
	close(c.handled)
	p.mu.Lock()
	p.calls = append(p.calls, c)
	p.mu.Unlock()
	select {
	case p.answered <- c:
	default:
	}
	return c, nil
}
