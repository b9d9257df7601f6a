package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newDB returns a migrated store on a fresh database.
func newDB(t testing.TB, o postgres.Options) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.DB(t), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func sampleTicket() *tickets.Ticket {
	return &tickets.Ticket{
		Kind: tickets.Incident, Service: "internet", Impact: tickets.Medium, Urgency: tickets.High,
		Priority: tickets.P2, Level: 1, Channel: tickets.Phone,
		Caller:  tickets.Caller{Name: "María Pérez", Department: "Finanzas", Email: "maria@example.org", Phone: "+525512345678", Extension: "60100"},
		Subject: "Falla de conexión a internet", Description: "Sin conexión desde la mañana en el piso 3",
		IVRPath: []string{"1", "3"},
	}
}

func mustCreate(t testing.TB, db *postgres.DB, tk *tickets.Ticket) *tickets.Ticket {
	t.Helper()
	if err := db.CreateTicket(context.Background(), tk, "agent1"); err != nil {
		t.Fatal(err)
	}
	return tk
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := tickets.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// fakeClock is a clock tests can move.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time      { return c.now }
func (c *fakeClock) Add(d time.Duration) { c.now = c.now.Add(d) }

func rawExec(t testing.TB, db *postgres.DB, sql string, args ...any) {
	t.Helper()
	if err := rawExecErr(db, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func rawExecErr(db *postgres.DB, sql string, args ...any) error {
	return postgres.RawExec(context.Background(), db, sql, args...)
}

func rawInt(t testing.TB, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	n, err := postgres.RawInt(context.Background(), db, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
