package ivrtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/atiende/atiende/ivr"
)

var _ ivr.Call = (*Call)(nil)

// dtmfBuffer is how many pressed keys wait unread before Press blocks.
const dtmfBuffer = 256

// Call is a fake call: the test plays the far end (the caller on an inbound
// call, the agent on a dialled one). It records what Atiende does to it.
type Call struct {
	id   string
	from ivr.Party
	to   string

	dtmf    chan rune
	done    chan struct{} // closed at hang-up, by either side
	handled chan struct{} // closed when the Serve handler returned

	mu       sync.Mutex
	playDur  time.Duration
	answered bool
	played   []ivr.Prompt
	playing  int // Play calls in progress
	cursor   int // Expect's position in played
	bridges  []ivr.Call
	hungUpBy string // "caller" (far end) or "atiende"
	cause    ivr.HangupCause
	changed  chan struct{} // closed and replaced on every change
	media    ivr.MediaState
}

func newCall(id string, from ivr.Party, to string, playDur time.Duration) *Call {
	return &Call{
		id: id, from: from, to: to, playDur: playDur,
		dtmf:    make(chan rune, dtmfBuffer),
		done:    make(chan struct{}),
		handled: make(chan struct{}),
		changed: make(chan struct{}),
	}
}

// notify wakes waiters; mu must be held.
func (c *Call) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Call) ID() string        { return c.id }
func (c *Call) From() ivr.Party   { return c.from }
func (c *Call) To() string        { return c.to }
func (c *Call) DTMF() <-chan rune { return c.dtmf } // never closed: watch Done
func (c *Call) Done() <-chan struct{} {
	return c.done
}

// InboundMedia is what SetInboundMedia set; MediaUnknown by default.
func (c *Call) InboundMedia() ivr.MediaState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.media
}

// SetInboundMedia sets what InboundMedia reports: MediaNone plays a
// caller whose phone sends no audio.
func (c *Call) SetInboundMedia(m ivr.MediaState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.media = m
}

// Answer marks the call answered; it fails with ErrHungUp after a hang-up.
func (c *Call) Answer(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hungUpBy != "" {
		return ivr.ErrHungUp
	}
	c.answered = true
	c.notify()
	return nil
}

// Play records each prompt as it starts and takes the play duration for each;
// it returns ctx's error on barge-in and ErrHungUp when the call ends.
func (c *Call) Play(ctx context.Context, prompts ...ivr.Prompt) error {
	c.mu.Lock()
	d := c.playDur
	c.playing++
	c.notify()
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.playing--
		c.notify()
		c.mu.Unlock()
	}()
	var t *time.Timer
	for _, p := range prompts {
		select {
		case <-c.done:
			return ivr.ErrHungUp
		default:
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		c.mu.Lock()
		c.played = append(c.played, p)
		c.notify()
		c.mu.Unlock()
		if d <= 0 {
			continue
		}
		if t == nil {
			t = time.NewTimer(d)
			defer t.Stop()
		} else {
			t.Reset(d)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return ivr.ErrHungUp
		}
	}
	return nil
}

// Bridge records other as bridged to c and blocks until either call ends
// (nil) or ctx is done (ctx's error).
func (c *Call) Bridge(ctx context.Context, other ivr.Call) error {
	c.mu.Lock()
	if c.hungUpBy != "" {
		c.mu.Unlock()
		return ivr.ErrHungUp
	}
	c.bridges = append(c.bridges, other)
	c.notify()
	c.mu.Unlock()
	select {
	case <-c.done:
		return nil
	case <-other.Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Hangup ends the call from Atiende's side; a second hang-up is a no-op.
func (c *Call) Hangup(ctx context.Context, cause ivr.HangupCause) error {
	c.hangup("atiende", cause)
	return nil
}

// CallerHangup ends the call from the far end (the caller of an inbound call,
// the agent of a dialled one).
func (c *Call) CallerHangup() { c.hangup("caller", ivr.CauseNormal) }

func (c *Call) hangup(by string, cause ivr.HangupCause) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hungUpBy != "" {
		return
	}
	c.hungUpBy, c.cause = by, cause
	close(c.done)
	c.notify()
}

// Press sends keys ('0'-'9', '*', '#', 'A'-'D') one by one. Keys pressed
// after the hang-up are dropped.
func (c *Call) Press(keys string) { c.PressWithGap(keys, 0) }

// PressWithGap presses keys with gap between them; it blocks the test
// goroutine for about len(keys)-1 gaps (or returns at hang-up).
func (c *Call) PressWithGap(keys string, gap time.Duration) {
	for i, k := range keys {
		if i > 0 && gap > 0 {
			select {
			case <-time.After(gap):
			case <-c.done:
				return
			}
		}
		select {
		case <-c.done:
			return
		case c.dtmf <- k:
		}
	}
}

// PressAfter presses keys after d without blocking the test.
func (c *Call) PressAfter(d time.Duration, keys string) {
	go func() {
		select {
		case <-time.After(d):
			c.Press(keys)
		case <-c.done:
		}
	}()
}

// Answered reports whether Answer was called.
func (c *Call) Answered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answered
}

// Played returns every prompt that started playing, in order.
func (c *Call) Played() []ivr.Prompt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.played)
}

// Sounds returns the played prompts as strings: the Sound, or
// "digits:<lang>:<digits>" for spoken digits.
func (c *Call) Sounds() []string {
	p := c.Played()
	s := make([]string, len(p))
	for i := range p {
		s[i] = PromptString(p[i])
	}
	return s
}

// PromptString is how Sounds and Expect name a prompt.
func PromptString(p ivr.Prompt) string {
	if p.Sound != "" {
		return p.Sound
	}
	return "digits:" + p.Lang + ":" + p.Digits
}

// Bridges returns the calls c was bridged to.
func (c *Call) Bridges() []ivr.Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.bridges)
}

// HungUp reports who ended the call ("caller", "atiende", or "" while it is
// up) and Atiende's cause.
func (c *Call) HungUp() (by string, cause ivr.HangupCause) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hungUpBy, c.cause
}

// Handled is closed when the Serve handler for this call has returned.
func (c *Call) Handled() <-chan struct{} { return c.handled }

// WaitHandled waits for the Serve handler to return.
func (c *Call) WaitHandled(timeout time.Duration) error {
	select {
	case <-c.handled:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("ivrtest: %s: handler still running after %v (played %v)", c.id, timeout, c.Sounds())
	}
}

// WaitFor waits until cond (called with c's lock held; it must not call c's
// methods) is true for the prompts played so far.
func (c *Call) waitFor(timeout time.Duration, what string, cond func() bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		ok, ch := cond(), c.changed
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("ivrtest: %s: no %s after %v (played %v)", c.id, what, timeout, c.Sounds())
		}
	}
}

// WaitPlayed waits until prompt (as PromptString names it) has been played at
// least once since the call began.
func (c *Call) WaitPlayed(prompt string, timeout time.Duration) error {
	return c.waitFor(timeout, prompt, func() bool {
		return slices.ContainsFunc(c.played, func(p ivr.Prompt) bool { return PromptString(p) == prompt })
	})
}

// Expect waits until prompt is played after the previous Expect's match and
// moves past it, so successive Expects check an order.
func (c *Call) Expect(prompt string, timeout time.Duration) error {
	return c.waitFor(timeout, prompt, func() bool {
		for i := c.cursor; i < len(c.played); i++ {
			if PromptString(c.played[i]) == prompt {
				c.cursor = i + 1
				return true
			}
		}
		return false
	})
}

// WaitPlaying waits until a Play is in progress (useful with a long play
// duration to act "during" a prompt).
func (c *Call) WaitPlaying(timeout time.Duration) error {
	return c.waitFor(timeout, "prompt playing", func() bool { return c.playing > 0 })
}

// WaitBridged waits until the call has been bridged.
func (c *Call) WaitBridged(timeout time.Duration) error {
	return c.waitFor(timeout, "bridge", func() bool { return len(c.bridges) > 0 })
}

// WaitHungUp waits until the call has ended.
func (c *Call) WaitHungUp(timeout time.Duration) error {
	select {
	case <-c.done:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("ivrtest: %s: still up after %v (played %v)", c.id, timeout, c.Sounds())
	}
}
