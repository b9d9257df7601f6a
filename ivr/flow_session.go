package ivr

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// session is one call going through a flow.
type session struct {
	CallSession
	r       *FlowRunner
	c       Call
	log     *slog.Logger
	keys    <-chan rune // nil once the engine closed it
	pending []rune      // keys taken during a prompt, for the next reader
	// enqueued: the call reached a queue, which keeps its call record.
	enqueued bool
	callCtx  context.Context
	ivrCtx   context.Context // callCtx bounded by MaxIVR

	incident  *Incident // found by a major_incident condition
	offered   map[string]bool
	openTkt   *TicketRef // found by an open_tickets condition
	lookedUp  bool
	callerErr error
}

// errTimeout is a wait for a key that expired.
var errTimeout = errors.New("ivr: no key in time")

// gone reports whether the call has ended.
func (s *session) gone() bool {
	select {
	case <-s.c.Done():
		return true
	default:
		return false
	}
}

// prompts qualifies flow prompt names with the call's language.
func (s *session) prompts(names ...string) []Prompt {
	p := make([]Prompt, len(names))
	for i, n := range names {
		p[i] = Prompt{Sound: soundName(s.Language, n)}
	}
	return p
}

// play plays flow prompt names; see playPrompts.
func (s *session) play(ctx context.Context, bargeIn bool, names ...string) error {
	return s.playPrompts(ctx, bargeIn, s.prompts(names...)...)
}

// playPrompts plays prompts. With bargeIn, a key pressed during them stops
// the playback and is kept for the next readKey; a key already pending skips
// the prompts altogether. A playback error other than the call ending is
// logged and ignored: a missing file must not drop the caller.
func (s *session) playPrompts(ctx context.Context, bargeIn bool, p ...Prompt) error {
	if len(p) == 0 {
		return ctx.Err()
	}
	if bargeIn {
		// A key typed ahead skips the prompts.
		select {
		case k, ok := <-s.keys:
			if ok {
				s.pending = append(s.pending, k)
			} else {
				s.keys = nil
			}
		default:
		}
		if len(s.pending) > 0 {
			return nil
		}
	}
	if !bargeIn {
		return s.playResult(ctx, s.c.Play(ctx, p...))
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res := make(chan error, 1)
	go func() { res <- s.c.Play(pctx, p...) }()
	select {
	case err := <-res:
		return s.playResult(ctx, err)
	case k, ok := <-s.keys:
		cancel()
		<-res // Play returns once pctx is done; wait so no goroutine is left
		if !ok {
			s.keys = nil
			return s.playResult(ctx, ErrHungUp)
		}
		s.pending = append(s.pending, k)
		return nil
	}
}

func (s *session) playResult(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case s.gone():
		return ErrHungUp
	case ctx.Err() != nil:
		return ctx.Err()
	}
	s.log.Warn("ivr play failed", "error", err)
	return nil
}

// readKey returns the next key, waiting at most d; errTimeout when none came.
func (s *session) readKey(ctx context.Context, d time.Duration) (rune, error) {
	if len(s.pending) > 0 {
		k := s.pending[0]
		s.pending = s.pending[1:]
		return k, nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case k, ok := <-s.keys:
		if !ok {
			// The engine closed DTMF: the call is ending. Wait for Done
			// (bounded) rather than spin on the closed channel.
			s.keys = nil
			select {
			case <-s.c.Done():
			case <-ctx.Done():
			case <-t.C:
			}
			return 0, ErrHungUp
		}
		return k, nil
	case <-t.C:
		return 0, errTimeout
	case <-s.c.Done():
		return 0, ErrHungUp
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// flushKeys drops keys typed ahead, so a stray key does not answer the next
// question (the queue's callback offer) by accident.
func (s *session) flushKeys() {
	s.pending = nil
	for {
		select {
		case _, ok := <-s.keys:
			if !ok {
				s.keys = nil
				return
			}
		default:
			return
		}
	}
}

// svcCtx bounds one FlowServices call.
func (s *session) svcCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ivrCtx, s.r.ServiceTimeout)
}

// choose records a choice in the IVR path.
func (s *session) choose(node string, key rune) {
	s.Path = append(s.Path, node+":"+string(key))
}

// snapshot is the session as services see it.
func (s *session) snapshot() CallSession { return s.CallSession.Clone() }

// lookup matches the caller once.
func (s *session) lookup() {
	if s.lookedUp {
		return
	}
	s.lookedUp = true
	ctx, cancel := s.svcCtx()
	defer cancel()
	info, err := s.r.svc.LookupCaller(ctx, s.From)
	if err != nil {
		s.callerErr = err
		s.log.Warn("ivr caller lookup failed", "error", err)
		return
	}
	s.Caller = info
	if info.Known {
		s.Vars["caller_name"] = info.Name
		s.Vars["caller_area"] = info.Area
		if info.Language == "es" || info.Language == "en" {
			s.Language = info.Language
		}
	}
	s.log.Debug("ivr caller", "known", info.Known, "contact_id", info.ContactID)
}

// maxErrorPrompt bounds the apology played when a step fails.
const maxErrorPrompt = 30 * time.Second

// sayError apologises to the caller before the call ends; it works even when
// the IVR's time is up.
func (s *session) sayError() {
	ctx, cancel := context.WithTimeout(s.callCtx, maxErrorPrompt)
	defer cancel()
	s.play(ctx, false, "error")
}
