package tickets

import "testing"

func TestNewTicketDefaults(t *testing.T) {
	svc := Service{Code: "vpn", Group: "network", DefaultKind: Incident, Level: 2}
	for _, c := range []struct {
		name string
		svc  Service
		in   Ticket
		want Ticket
	}{
		{"from the service", svc, Ticket{}, Ticket{Kind: Incident, Level: 2, Queue: "network"}},
		{"given values stay", svc, Ticket{Kind: Complaint, Level: 3, Queue: "email"}, Ticket{Kind: Complaint, Level: 3, Queue: "email"}},
		{"no kind, no level", Service{Group: "general"}, Ticket{}, Ticket{Kind: InfoRequest, Level: 1, Queue: "general"}},
		{"level out of range", Service{Group: "general", DefaultKind: Incident, Level: 7}, Ticket{}, Ticket{Kind: Incident, Level: 1, Queue: "general"}},
	} {
		got := c.in
		c.svc.NewTicketDefaults(&got)
		if got.Kind != c.want.Kind || got.Level != c.want.Level || got.Queue != c.want.Queue {
			t.Errorf("%s: kind %q level %d queue %q, want %q %d %q", c.name, got.Kind, got.Level, got.Queue, c.want.Kind, c.want.Level, c.want.Queue)
		}
	}
}
