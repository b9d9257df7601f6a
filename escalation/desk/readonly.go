package desk

import (
	"context"
	"time"

	"github.com/atiende/atiende/tickets"
)

// The read-only queries the web API finds on its store by type assertion
// (the weekly report, the wallboard's ticket statistics) pass through to
// the wrapped store: without them the decorator hid those routes from the
// API. A wrapped store that cannot answer them gives EUNAVAILABLE.

var _ tickets.ReportStore = (*Store)(nil)

// WeekTickets gives the weekly fault report its rows (tickets.ReportStore).
func (s *Store) WeekTickets(ctx context.Context, from, to time.Time) ([]tickets.ReportTicket, error) {
	rs, ok := s.Store.(tickets.ReportStore)
	if !ok {
		return nil, tickets.Errorf(tickets.EUNAVAILABLE, "this store cannot compute reports")
	}
	return rs.WeekTickets(ctx, from, to)
}

// OpenTicketCounts counts the open tickets by state, priority and level.
func (s *Store) OpenTicketCounts(ctx context.Context) ([]tickets.OpenCount, error) {
	st, ok := s.Store.(interface {
		OpenTicketCounts(context.Context) ([]tickets.OpenCount, error)
	})
	if !ok {
		return nil, tickets.Errorf(tickets.EUNAVAILABLE, "this store cannot count open tickets")
	}
	return st.OpenTicketCounts(ctx)
}

// SLAWatch lists the open tickets near or past their resolution SLA.
func (s *Store) SLAWatch(ctx context.Context, now time.Time, nearFraction float64, limit int) ([]*tickets.Ticket, int, int, error) {
	st, ok := s.Store.(interface {
		SLAWatch(context.Context, time.Time, float64, int) ([]*tickets.Ticket, int, int, error)
	})
	if !ok {
		return nil, 0, 0, tickets.Errorf(tickets.EUNAVAILABLE, "this store cannot watch SLAs")
	}
	return st.SLAWatch(ctx, now, nearFraction, limit)
}
