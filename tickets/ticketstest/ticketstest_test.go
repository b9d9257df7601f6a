package ticketstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/ticketstest"
)

func TestUnsetMethodsFailAndSetOnesAnswer(t *testing.T) {
	ctx := context.Background()
	s := &ticketstest.Store{TicketFn: func(_ context.Context, n string) (*tickets.Ticket, error) {
		return &tickets.Ticket{Number: n}, nil
	}}
	if tk, err := s.Ticket(ctx, "260001"); err != nil || tk.Number != "260001" {
		t.Errorf("Ticket = %+v, %v", tk, err)
	}
	if err := s.CreateTicket(ctx, &tickets.Ticket{}, "x"); !errors.Is(err, ticketstest.ErrUnset) {
		t.Errorf("unset CreateTicket = %v", err)
	}
	if _, err := (&ticketstest.SurveyStats{}).SurveyStats(ctx, time.Time{}, time.Time{}, 1); !errors.Is(err, ticketstest.ErrUnset) {
		t.Errorf("unset SurveyStats = %v", err)
	}
}
