package postgres

import (
	"context"
	"net"
	"testing"

	"github.com/atiende/atiende/tickets"
)

// TestUnavailableCode: a database that cannot be reached gives the domain
// code EUNAVAILABLE, not an internal error.
func TestUnavailableCode(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	ctx := context.Background()
	db, err := Open(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable&connect_timeout=2", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Ticket(ctx, "260001"); tickets.ErrorCode(err) != tickets.EUNAVAILABLE {
		t.Errorf("Ticket on a closed port: %v (code %s), want %s", err, tickets.ErrorCode(err), tickets.EUNAVAILABLE)
	}
	if _, _, err := db.ListTickets(ctx, tickets.Filter{Limit: 1}); tickets.ErrorCode(err) != tickets.EUNAVAILABLE {
		t.Errorf("ListTickets on a closed port: %v, want %s", err, tickets.EUNAVAILABLE)
	}
}
