package main

import (
	"context"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// observedStore wraps the PostgreSQL store: the read-only queries the web
// API looks for (the weekly report, the wallboard's ticket statistics) pass
// through, as they do through the SLA store above it (escalation/desk).

func (s observedStore) inner() (*postgres.DB, error) {
	db, ok := s.Store.(*postgres.DB)
	if !ok {
		return nil, tickets.Errorf(tickets.EUNAVAILABLE, "the store is not PostgreSQL")
	}
	return db, nil
}

func (s observedStore) WeekTickets(ctx context.Context, from, to time.Time) ([]tickets.ReportTicket, error) {
	db, err := s.inner()
	if err != nil {
		return nil, err
	}
	return db.WeekTickets(ctx, from, to)
}

func (s observedStore) OpenTicketCounts(ctx context.Context) ([]tickets.OpenCount, error) {
	db, err := s.inner()
	if err != nil {
		return nil, err
	}
	return db.OpenTicketCounts(ctx)
}

func (s observedStore) SLAWatch(ctx context.Context, now time.Time, nearFraction float64, limit int) ([]*tickets.Ticket, int, int, error) {
	db, err := s.inner()
	if err != nil {
		return nil, 0, 0, err
	}
	return db.SLAWatch(ctx, now, nearFraction, limit)
}
