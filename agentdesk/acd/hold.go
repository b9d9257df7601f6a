package acd

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// minMOH: a hold-music Play that returns sooner than this (an engine or a
// fake that does not block) is not restarted before the next announcement,
// so the loop cannot spin.
const minMOH = 20 * time.Millisecond

// hold plays music to a waiting caller and, every announce interval, their
// position and expected wait; once the maximum wait has passed, each
// announcement also offers a callback.
type hold struct {
	a      *ACD
	e      *entry
	call   ivr.Call
	qc     agentdesk.QueueConfig
	ctx    context.Context
	cancel context.CancelFunc
	cb     chan struct{}
	done   chan struct{}
}

func (a *ACD) startHold(ctx context.Context, e *entry, qc agentdesk.QueueConfig) *hold {
	h := &hold{a: a, e: e, call: e.call, qc: qc, cb: make(chan struct{}, 1), done: make(chan struct{})}
	h.ctx, h.cancel = context.WithCancel(ctx)
	go h.run()
	return h
}

// stop ends the music and waits until no Play is running on the call.
func (h *hold) stop() {
	h.cancel()
	<-h.done
}

// offerCallback interrupts the music to offer a callback now and in every
// later announcement.
func (h *hold) offerCallback() {
	select {
	case h.cb <- struct{}{}:
	default:
	}
}

func (h *hold) run() {
	defer close(h.done)
	lang := h.e.info.Lang
	var tick <-chan time.Time
	if h.qc.AnnounceInterval > 0 {
		t := time.NewTicker(h.qc.AnnounceInterval)
		defer t.Stop()
		tick = t.C
	}
	music, offerCB := true, false
	if h.e.noAgents {
		// Nobody is logged in: say so, and where the caller stands, before
		// the music.
		if err := h.call.Play(h.ctx, append(noAgentsWaitPrompts(lang), h.announcement(lang, false)...)...); err != nil {
			h.warn(err)
			return
		}
	}
	for {
		var played chan error
		segCancel := context.CancelFunc(func() {})
		start := time.Now()
		if music {
			var segCtx context.Context
			segCtx, segCancel = context.WithCancel(h.ctx)
			played = make(chan error, 1)
			go func() { played <- h.call.Play(segCtx, ivr.Prompt{Sound: lang + "/moh"}) }()
		}
		select {
		case err := <-played:
			segCancel()
			if err != nil || h.ctx.Err() != nil {
				h.warn(err)
				return // the call ended; the waiting loop sees it
			}
			music = time.Since(start) >= minMOH
			continue
		case <-tick:
		case <-h.cb:
			offerCB = true
		case <-h.ctx.Done():
		}
		segCancel()
		if played != nil {
			<-played
		}
		if h.ctx.Err() != nil {
			return
		}
		if err := h.call.Play(h.ctx, h.announcement(lang, offerCB)...); err != nil {
			h.warn(err)
			return
		}
		music = true
	}
}

// warn logs a Play failure that is not the call or the hold ending: the
// caller is left in silence, which operators should hear about.
func (h *hold) warn(err error) {
	if err != nil && h.ctx.Err() == nil && !errors.Is(err, ivr.ErrHungUp) {
		h.a.log.Warn("hold music stopped", "call_id", h.e.info.CallID, "error", err)
	}
}

// announcement is "you are number N in line, expected wait M minutes", and
// the callback offer once the maximum wait has passed.
func (h *hold) announcement(lang string, offerCB bool) []ivr.Prompt {
	pos, ewt := h.a.estimate(h.e)
	var ps []ivr.Prompt
	if pos > 0 {
		mins := max(int((ewt+time.Minute-1)/time.Minute), 1)
		ps = append(ps,
			ivr.Prompt{Sound: lang + "/you-are-number"},
			ivr.Prompt{Digits: strconv.Itoa(pos), Lang: lang},
			ivr.Prompt{Sound: lang + "/in-line"},
			ivr.Prompt{Sound: lang + "/expected-wait"},
			ivr.Prompt{Digits: strconv.Itoa(mins), Lang: lang},
			ivr.Prompt{Sound: lang + "/minutes"},
		)
	}
	if offerCB {
		ps = append(ps, ivr.Prompt{Sound: lang + "/callback-offer"})
	}
	return ps
}

// estimate is e's position and expected wait: the calls ahead (and e) times
// the queue's average handle time, shared among the agents logged in.
func (a *ACD) estimate(e *entry) (int, time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.queues[e.info.Queue]
	pos := q.position(e)
	skill := e.info.Skill
	if skill == "" {
		skill = q.cfg.Skill
	}
	n := max(a.staffedLocked(skill), 1)
	return pos, time.Duration(pos) * q.aht / time.Duration(n)
}
