package metrics

import (
	"time"

	"github.com/atiende/atiende/tickets"
)

// TicketEvents are the callbacks the ticket store calls as tickets are
// created and moved (escalation/desk.NewStore): each is counted here.
func (m *Metrics) TicketEvents() tickets.TicketEvents {
	return tickets.TicketEvents{Created: m.TicketCreated, Moved: m.TicketMoved}
}

// TicketMoved observes a ticket that left state from for t.State: its
// milestones (TicketTransition) and the SLA targets it missed.
func (m *Metrics) TicketMoved(t *tickets.Ticket, from tickets.State) {
	m.TicketTransition(t, from, t.State)
	m.slaMisses(t, from, t.State)
}

// slaMisses counts a milestone reached after its due time: the first
// response (leaving registered) after ResponseDue, the resolution after
// ResolutionDue. A ticket is counted once per target, when the miss
// becomes a fact.
func (m *Metrics) slaMisses(t *tickets.Ticket, from, to tickets.State) {
	late := func(at, due *time.Time) bool { return at != nil && due != nil && at.After(*due) }
	if from == tickets.Registered && to != tickets.Registered && late(t.FirstResponseAt, t.ResponseDue) {
		m.SLABreach(t.Priority, TargetResponse)
	}
	if to == tickets.Resolved && from != tickets.Resolved && late(t.ResolvedAt, t.ResolutionDue) {
		m.SLABreach(t.Priority, TargetResolution)
	}
}
