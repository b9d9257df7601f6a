package intake_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/ticketstest"
)

// flakyStore fails the first `fails` ticket creations (-1: all) as a
// database that went away would.
type flakyStore struct {
	*postgres.DB
	fails    int32
	attempts atomic.Int32
}

func (f *flakyStore) CreateTicket(ctx context.Context, t *tickets.Ticket, actor string) error {
	n := f.attempts.Add(1)
	if f.fails < 0 || n <= f.fails {
		return tickets.Errorf(tickets.EUNAVAILABLE, "the database is unavailable; try again shortly")
	}
	return f.DB.CreateTicket(ctx, t, actor)
}

func flaky(db *postgres.DB, fails int32) (*flakyStore, func(*intake.Deps)) {
	f := &flakyStore{DB: db, fails: fails}
	return f, func(d *intake.Deps) { d.Store = f }
}

// heardDigits is every digit the caller was read.
func heardDigits(c interface{ Played() []ivr.Prompt }) string {
	var s string
	for _, p := range c.Played() {
		s += p.Digits
	}
	return s
}

func (h *harness) walkAndHangUp(t *testing.T, from ivr.Party) (heard string, sounds []string) {
	t.Helper()
	if err := h.desk.SetAgentState("ana", agentdesk.StatePaused, "break"); err != nil {
		t.Fatal(err)
	}
	c := h.eng.Call(from, "6000")
	if err := c.WaitPlayed("es/main-menu", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	c.Press("1")
	if err := c.WaitPlayed("es/failures-menu", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	c.Press("1")
	h.waitQueued(t, c)
	c.CallerHangup()
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	return heardDigits(c), c.Sounds()
}

// A store that fails once: the ticket is created on a retry, and the caller
// hears its number.
func TestTicketCreationRetried(t *testing.T) {
	db := openDB(t)
	f, tweak := flaky(db, 1)
	h := newHarnessOn(t, db, tweak)
	heard, _ := h.walkAndHangUp(t, ivr.Party{Number: "+52 722 555 0101", DisplayName: "Luis"})
	tk := h.onlyTicket(t)
	if heard != tk.Number {
		t.Errorf("caller heard %q, ticket %s", heard, tk.Number)
	}
	if n := f.attempts.Load(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

// A store that always fails to create: bounded retries, no ticket, and the
// caller is told no number (the call still reaches the queue). The store is
// a double: the caller is unknown and has no open tickets.
func TestTicketCreationFailsCallerToldNoNumber(t *testing.T) {
	var attempts atomic.Int32
	store := &ticketstest.Store{
		ContactByPhoneFn: func(context.Context, string) (*tickets.Contact, error) {
			return nil, tickets.Errorf(tickets.ENOTFOUND, "no contact")
		},
		ListTicketsFn: func(context.Context, tickets.Filter) ([]*tickets.Ticket, int, error) { return nil, 0, nil },
		CreateTicketFn: func(context.Context, *tickets.Ticket, string) error {
			attempts.Add(1)
			return tickets.Errorf(tickets.EUNAVAILABLE, "the database is unavailable; try again shortly")
		},
	}
	h := startHarness(t, func(d *intake.Deps) { d.Store = store })
	heard, sounds := h.walkAndHangUp(t, ivr.Party{Number: "+52 722 555 0101", DisplayName: "Luis"})
	if heard != "" {
		t.Errorf("caller was read digits %q with no ticket", heard)
	}
	for _, s := range sounds {
		if strings.HasSuffix(s, "your-ticket-number") {
			t.Errorf("caller heard %s with no ticket: %v", s, sounds)
		}
	}
	if n := attempts.Load(); n < 2 || n > 5 {
		t.Errorf("%d attempts, want a few retries, bounded", n)
	}
}

// A Latin-1 display name ("José" with byte E9) and a caller user that is no
// number: the ticket is created, with the name decoded, and the user kept
// out of the phone field.
func TestCallerDataLatin1AndNonNumericUser(t *testing.T) {
	cases := []struct {
		from            ivr.Party
		name, phone, in string
	}{
		{ivr.Party{Number: "+52 722 555 0101", DisplayName: "Jos\xe9 P\xe9rez", UserAgent: "Tel\xe9fono"}, "José Pérez", "+527225550101", ""},
		{ivr.Party{Number: "alice", DisplayName: "Jos\xe9"}, "José", "", "alice"},
		{ivr.Party{Number: "alice"}, "alice", "", "alice"},
		{ivr.Party{Number: "b\xf6b"}, "böb", "", "böb"},
	}
	for _, c := range cases {
		h := newHarness(t)
		h.walkAndHangUp(t, c.from)
		tk := h.onlyTicket(t)
		if tk.Caller.Name != c.name || tk.Caller.Phone != c.phone {
			t.Errorf("from %q: caller %+v, want name %q phone %q", c.from.Number, tk.Caller, c.name, c.phone)
		}
		if c.in != "" && !strings.Contains(tk.Description, c.in) {
			t.Errorf("from %q: description %q does not keep the user as given", c.from.Number, tk.Description)
		}
	}
}
