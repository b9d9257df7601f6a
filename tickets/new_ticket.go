package tickets

// NewTicketDefaults fills in what a new ticket t of service s leaves unset,
// the one rule for every way a ticket is opened (web, phone): the kind is
// the service's default kind (an information request when it has none),
// the escalation level is the service's level (1 when it is not 1-4: level
// 1 registers every ticket, DOMAIN.md), and the queue is the service's
// support group.
func (s Service) NewTicketDefaults(t *Ticket) {
	if t.Kind == "" {
		t.Kind = s.DefaultKind
		if !t.Kind.Valid() {
			t.Kind = InfoRequest
		}
	}
	if t.Level == 0 {
		t.Level = s.Level
		if t.Level < 1 || t.Level > 4 {
			t.Level = 1
		}
	}
	if t.Queue == "" {
		t.Queue = s.Group
	}
}
