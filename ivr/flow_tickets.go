package ivr

import (
	"context"
	"errors"
	"time"

	"github.com/atiende/atiende/tickets"
)

// writeCtx bounds a service call that writes (a ticket, an attachment): it
// is not cancelled by the caller hanging up, so a write is never cut in half.
func (s *session) writeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(s.callCtx), s.r.ServiceTimeout)
}

// sayNumber plays intro, then the ticket number digit by digit.
func (s *session) sayNumber(intro, number string) error {
	p := append(s.prompts(intro), Prompt{Digits: number, Lang: s.Language})
	return s.playPrompts(s.ivrCtx, false, p...)
}

// createTicket registers the call's ticket and speaks its number.
func (s *session) createTicket(n *Node) (string, error) {
	ctx, cancel := s.writeCtx()
	ref, err := s.r.svc.CreateTicket(ctx, s.snapshot())
	cancel()
	if err != nil || ref == nil {
		// The caller still reaches an agent, who registers the ticket.
		s.log.Error("ivr create ticket failed", "error", err)
		return orDefault(n.OnError, n.Next), nil
	}
	s.TicketNumber, s.Attached = ref.Number, false
	s.log.Info("ivr ticket created", "ticket", ref.Number, "service", s.Service, "kind", s.Kind)
	if n.SayNumber {
		if err := s.sayNumber("your-ticket-number", ref.Number); err != nil {
			return "", err
		}
	}
	return n.Next, nil
}

// attach adds the call to ticket number and tells the caller.
func (s *session) attach(number string) bool {
	ctx, cancel := s.writeCtx()
	err := s.r.svc.AttachCall(ctx, number, s.snapshot())
	cancel()
	if err != nil {
		s.log.Error("ivr attach call failed", "ticket", number, "error", err)
		return false
	}
	s.TicketNumber, s.Attached = number, true
	s.log.Info("ivr call attached", "ticket", number)
	return true
}

// ticketStatus speaks the state and last update of the ticket keyed in n.Var.
func (s *session) ticketStatus(n *Node) (string, error) {
	number := s.Vars[n.Var]
	ctx, cancel := s.svcCtx()
	st, err := s.r.svc.TicketStatus(ctx, number)
	cancel()
	if err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND {
		if s.gone() {
			return "", ErrHungUp
		}
		s.log.Warn("ivr ticket status failed", "error", err)
	}
	if err != nil || st == nil {
		s.log.Info("ivr ticket status", "found", false)
		return orDefault(n.NotFound, n.Next), s.play(s.ivrCtx, false, "ticket-not-found")
	}
	s.log.Info("ivr ticket status", "found", true, "ticket", st.Number, "state", st.State)
	p := append(s.prompts("ticket"), Prompt{Digits: number, Lang: s.Language})
	p = append(p, s.prompts("ticket-state-is")...)
	p = append(p, Prompt{Sound: StateSound(s.Language, st.State)})
	if !st.UpdatedAt.IsZero() {
		p = append(p, sounds(AgoSounds(s.Language, s.r.Now().Sub(st.UpdatedAt))...)...)
	}
	return n.Next, s.playPrompts(s.ivrCtx, true, p...)
}

// offerExisting offers to add the call to the caller's recent open ticket on
// the same service: 1 adds it (attached), anything else or nothing goes on
// to a new ticket (next).
func (s *session) offerExisting(n *Node) (string, error) {
	t := s.openTkt
	if t == nil || t.Service != s.Service {
		ctx, cancel := s.svcCtx()
		since := s.r.Now().Add(-orDefault(n.Within, DefaultOfferWithin))
		var err error
		t, err = s.r.svc.OpenTicket(ctx, s.From.Number, s.Service, since)
		cancel()
		if err != nil {
			if s.gone() {
				return "", ErrHungUp
			}
			s.log.Warn("ivr open ticket lookup failed", "error", err)
		}
	}
	if t == nil || t.Number == "" {
		return n.Next, nil
	}
	p := append(s.prompts("existing-ticket"), Prompt{Digits: t.Number, Lang: s.Language})
	p = append(p, s.prompts("existing-offer")...)
	k, err := s.offer(p, orDefault(n.Timeout, DefaultOfferTimeout))
	if err != nil {
		return "", err
	}
	if k != 0 {
		s.choose(n.Name, k)
	}
	if k == '1' && s.attach(t.Number) {
		return n.Attached, s.sayNumber("call-added", t.Number)
	}
	return n.Next, nil
}

// announceIncident announces a major incident (once per call) and offers to
// attach the call to it: 1 attaches (attached), else next.
func (s *session) announceIncident(n *Node) (string, error) {
	inc := s.incident
	if inc == nil {
		ctx, cancel := s.svcCtx()
		var err error
		inc, err = s.findIncident(ctx)
		cancel()
		if err != nil {
			s.log.Warn("ivr major incident lookup failed", "error", err)
		}
	}
	if inc == nil {
		return n.Next, nil
	}
	s.incident = nil
	s.offered[inc.TicketNumber] = true
	s.log.Info("ivr major incident announced", "ticket", inc.TicketNumber)
	p := s.prompts(append(orPrompts(n.Prompts, "incident"), "incident-offer")...)
	k, err := s.offer(p, orDefault(n.Timeout, DefaultOfferTimeout))
	if err != nil {
		return "", err
	}
	if k != 0 {
		s.choose(n.Name, k)
	}
	if k == '1' && s.attach(inc.TicketNumber) {
		return n.Attached, s.sayNumber("call-added", inc.TicketNumber)
	}
	return n.Next, nil
}

// offer plays p (barge-in) and returns the key pressed, or 0 after timeout.
func (s *session) offer(p []Prompt, timeout time.Duration) (rune, error) {
	if err := s.playPrompts(s.ivrCtx, true, p...); err != nil {
		return 0, err
	}
	k, err := s.readKey(s.ivrCtx, timeout)
	if errors.Is(err, errTimeout) {
		return 0, nil
	}
	return k, err
}

// findIncident returns a major incident for the chosen service or the
// caller's area that this call has not heard yet. Before a service is chosen
// an unknown caller (no area) is not asked about.
func (s *session) findIncident(ctx context.Context) (*Incident, error) {
	s.lookup()
	if s.Service == "" && s.Caller.Area == "" {
		return nil, nil
	}
	inc, err := s.r.svc.MajorIncident(ctx, s.Service, s.Caller.Area)
	if err != nil || inc == nil || s.offered[inc.TicketNumber] {
		return nil, err
	}
	s.incident = inc
	return inc, nil
}
