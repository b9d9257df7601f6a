package ivr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atiende/atiende/tickets"
)

// exec runs one node and returns the next node's name ("" ends the call), or
// errLeftIVR when the call left the IVR (queue, transfer, hang-up).
func (s *session) exec(n *Node) (string, error) {
	if (n.Type == NodeCreateTicket || n.Type == NodeEnqueue || n.Type == NodeTransfer) && s.ghost() {
		return "", errNoMedia // abandon.go
	}
	switch n.Type {
	case NodePlay:
		return n.Next, s.play(s.ivrCtx, n.BargeIn, n.Prompts...)
	case NodeMenu:
		return s.menu(n)
	case NodeCollect:
		return s.collect(n)
	case NodeLookupCaller:
		s.lookup()
		return n.Next, s.ivrCtx.Err()
	case NodeSayDigits:
		p := append(s.prompts(n.Prompts...), Prompt{Digits: s.Vars[n.Var], Lang: s.Language})
		return n.Next, s.playPrompts(s.ivrCtx, false, p...)
	case NodeCondition:
		return s.condition(n)
	case NodeSet:
		s.set(n)
		return n.Next, nil
	case NodeCreateTicket:
		return s.createTicket(n)
	case NodeTicketStatus:
		return s.ticketStatus(n)
	case NodeOfferExisting:
		return s.offerExisting(n)
	case NodeAnnounceIncident:
		return s.announceIncident(n)
	case NodeEnqueue:
		return s.enqueue(n)
	case NodeTransfer:
		return s.transfer(n)
	case NodeSurvey:
		return s.survey(n)
	case NodeHangup:
		if err := s.play(s.ivrCtx, false, n.Prompts...); err != nil {
			return "", err
		}
		return "", errLeftIVR
	}
	return "", fmt.Errorf("ivr: node %q has unknown type %q", n.Name, n.Type)
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func orPrompts(p []string, def string) []string {
	if len(p) == 0 {
		return []string{def}
	}
	return p
}

// menu plays the prompt (a key during it is taken) and follows the key. A
// wrong key or no key plays the invalid or no-input prompt and tries again;
// after the last try it goes to on_fail.
func (s *session) menu(n *Node) (string, error) {
	tries := orDefault(n.Tries, DefaultTries)
	timeout := orDefault(n.Timeout, DefaultMenuTimeout)
	for try := 1; ; try++ {
		if err := s.play(s.ivrCtx, true, n.Prompts...); err != nil {
			return "", err
		}
		k, err := s.readKey(s.ivrCtx, timeout)
		var fail []string
		switch {
		case errors.Is(err, errTimeout):
			fail = orPrompts(n.NoInput, "timeout")
		case err != nil:
			return "", err
		default:
			if next, ok := n.Keys[string(k)]; ok {
				s.choose(n.Name, k)
				return next, nil
			}
			fail = orPrompts(n.Invalid, "invalid")
		}
		s.log.Debug("ivr menu miss", "node", n.Name, "try", try, "timeout", errors.Is(err, errTimeout))
		if err := s.play(s.ivrCtx, false, fail...); err != nil {
			return "", err
		}
		if try >= tries {
			return n.OnFail, nil
		}
	}
}

// collect gathers digits into n.Var.
func (s *session) collect(n *Node) (string, error) {
	term := '#'
	switch n.Terminator {
	case "none":
		term = 0
	case "*":
		term = '*'
	}
	tries := orDefault(n.Tries, DefaultTries)
	first := orDefault(n.FirstDigitTimeout, DefaultFirstDigitTimeout)
	inter := orDefault(n.InterDigitTimeout, DefaultInterDigitTimeout)
	for try := 1; ; try++ {
		if err := s.play(s.ivrCtx, true, n.Prompts...); err != nil {
			return "", err
		}
		d := NewDigitCollector(n.MaxDigits, n.MinDigits, term, first, inter)
		res, err := s.collectDigits(s.ivrCtx, d)
		if err != nil {
			return "", err
		}
		if res == CollectOK {
			s.Vars[n.Var] = d.Digits()
			return n.Next, nil
		}
		s.log.Debug("ivr collect miss", "node", n.Name, "try", try, "result", res)
		fail := orPrompts(n.Invalid, "invalid")
		if res == CollectNoInput {
			fail = orPrompts(n.NoInput, "timeout")
		}
		if err := s.play(s.ivrCtx, false, fail...); err != nil {
			return "", err
		}
		if try >= tries {
			return n.OnFail, nil
		}
	}
}

// collectDigits feeds keys and timeouts to d until it is done.
func (s *session) collectDigits(ctx context.Context, d *DigitCollector) (CollectResult, error) {
	for d.Result() == CollectPending {
		k, err := s.readKey(ctx, d.Wait())
		switch {
		case errors.Is(err, errTimeout):
			d.Timeout()
		case err != nil:
			return d.Result(), err
		default:
			d.Key(k)
		}
	}
	return d.Result(), nil
}

func (s *session) set(n *Node) {
	if n.Service != "" {
		s.Service = n.Service
	}
	if n.Kind != "" {
		s.Kind = tickets.Kind(n.Kind)
	}
	if n.Queue != "" {
		s.Queue = n.Queue
	}
	if n.Language != "" {
		s.Language = n.Language
	}
	for k, v := range n.Vars {
		s.Vars[k] = v
	}
}

// condition follows then or else. A service that fails counts as "no".
func (s *session) condition(n *Node) (string, error) {
	ok, err := s.test(n)
	if err != nil {
		if s.gone() {
			return "", ErrHungUp
		}
		s.log.Warn("ivr condition failed", "node", n.Name, "if", n.If, "error", err)
	}
	s.log.Debug("ivr condition", "node", n.Name, "if", n.If, "result", ok)
	if ok {
		return n.Then, nil
	}
	return n.Else, nil
}

func (s *session) test(n *Node) (bool, error) {
	ctx, cancel := s.svcCtx()
	defer cancel()
	switch n.If {
	case CondBusinessHours:
		return s.r.svc.BusinessHours(ctx, s.r.Now()), nil
	case CondKnownCaller:
		s.lookup()
		return s.Caller.Known, s.callerErr
	case CondOpenTickets:
		since := s.r.Now().Add(-orDefault(n.Within, DefaultOfferWithin))
		t, err := s.r.svc.OpenTicket(ctx, s.From.Number, s.Service, since)
		s.openTkt = t
		return t != nil, err
	case CondMajorIncident:
		inc, err := s.findIncident(ctx)
		return inc != nil, err
	case CondMaintenance:
		m, err := s.r.svc.Maintenance(ctx, s.Service, s.Caller.Area)
		return m != nil, err
	case CondNotice:
		return s.r.Notices != nil && s.r.Notices(s.Language, s.r.Now()), nil
	case CondVar:
		return s.Vars[n.Var] == n.Equals, nil
	}
	return false, fmt.Errorf("ivr: unknown condition %q", n.If)
}

// enqueue hands the call to the queue until it leaves it.
func (s *session) enqueue(n *Node) (string, error) {
	if n.Queue != "" {
		s.Queue = n.Queue
	}
	s.enqueued = true
	if err := s.play(s.ivrCtx, false, n.Prompts...); err != nil {
		return "", err
	}
	s.IVREndedAt = s.r.Now()
	s.flushKeys()
	s.log.Info("ivr enqueue", "queue", s.Queue, "service", s.Service, "ticket", s.TicketNumber)
	agent, err := s.r.svc.Enqueue(s.callCtx, s.c, s.snapshot())
	if err == nil && !s.gone() {
		if s.Agent = agent; s.Agent != "" {
			// The agent hung up first and the caller stayed: `answered`,
			// never `next` (which is for a call nobody took).
			s.log.Info("ivr caller stayed after the agent hung up", "agent", s.Agent)
			return s.resume(n.Answered)
		}
	}
	return s.afterHandoff(n, "enqueue", err)
}

// transfer hands the call to an extension until it ends.
func (s *session) transfer(n *Node) (string, error) {
	ext := n.Extension
	if v, ok := strings.CutPrefix(ext, "$"); ok {
		ext = s.Vars[v]
	}
	if err := s.play(s.ivrCtx, false, n.Prompts...); err != nil {
		return "", err
	}
	s.IVREndedAt = s.r.Now()
	s.flushKeys()
	s.log.Info("ivr transfer", "extension", ext)
	err := s.r.svc.Transfer(s.callCtx, s.c, ext, s.snapshot())
	return s.afterHandoff(n, "transfer", err)
}

// afterHandoff decides what follows a queue or a transfer: on_error when it
// failed, next if set, else the end. The IVR gets a fresh time budget.
func (s *session) afterHandoff(n *Node, what string, err error) (string, error) {
	if s.gone() {
		return "", errLeftIVR
	}
	next := n.Next
	if err != nil {
		s.log.Error("ivr "+what+" failed", "error", err)
		if n.OnError == "" {
			s.sayError()
			return "", errLeftIVR
		}
		next = n.OnError
	}
	return s.resume(next)
}

// resume goes on to next after a queue or a transfer (or ends the call when
// next is ""), with a fresh IVR time budget.
func (s *session) resume(next string) (string, error) {
	if next == "" {
		return "", errLeftIVR
	}
	ctx, cancel := context.WithTimeout(s.callCtx, s.r.MaxIVR)
	s.ivrCtx = ctx
	context.AfterFunc(s.callCtx, cancel)
	return next, nil
}
