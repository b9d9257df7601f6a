package tickets

// TicketEvents hears ticket changes once they are written. The store every
// change goes through (escalation/desk.Store) calls it; the metrics count
// tickets this way. A nil field is not called.
type TicketEvents struct {
	// Created hears a new ticket, as stored.
	Created func(t *Ticket)
	// Moved hears a ticket, as stored, that left state from for t.State.
	Moved func(t *Ticket, from State)
}
