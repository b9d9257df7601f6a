package escalation_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func office(t testing.TB) *escalation.Calendar {
	t.Helper()
	c, err := escalation.DefaultCalendar()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustSpan(t testing.TB, s string) escalation.Span {
	t.Helper()
	sp, err := escalation.ParseSpan(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// weekly builds a validated calendar with the same spans Monday to Friday
// and, optionally, other spans on Saturday and Sunday.
func weekly(t testing.TB, loc *time.Location, weekdays, saturday, sunday []string) *escalation.Calendar {
	t.Helper()
	spans := func(ss []string) []escalation.Span {
		var out []escalation.Span
		for _, s := range ss {
			out = append(out, mustSpan(t, s))
		}
		return out
	}
	c := &escalation.Calendar{Name: "test", Location: loc, Hours: map[time.Weekday][]escalation.Span{}}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		c.Hours[wd] = spans(weekdays)
	}
	if saturday != nil {
		c.Hours[time.Saturday] = spans(saturday)
	}
	if sunday != nil {
		c.Hours[time.Sunday] = spans(sunday)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

type move struct {
	at time.Time
	to tickets.State
}

// ticketWith builds a level-1 ticket created at created that went through
// moves, with its history and milestones as the store records them.
func ticketWith(number string, pr tickets.Priority, created time.Time, moves ...move) (*tickets.Ticket, []tickets.HistoryEntry) {
	t := &tickets.Ticket{Number: number, Priority: pr, Service: "internet_failure", Level: 1,
		State: tickets.Registered, CreatedAt: created}
	hist := []tickets.HistoryEntry{{At: created, Field: "created", To: number}}
	for _, m := range moves {
		hist = append(hist, tickets.HistoryEntry{At: m.at, Field: "state", From: string(t.State), To: string(m.to)})
		if t.State == tickets.Registered && t.FirstResponseAt == nil {
			at := m.at
			t.FirstResponseAt = &at
		}
		if m.to == tickets.Resolved {
			at := m.at
			t.ResolvedAt = &at
		}
		t.State = m.to
	}
	return t, hist
}

func defaultSLA(t testing.TB) *escalation.SLA {
	t.Helper()
	sla, _, err := escalation.New(escalation.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return sla
}
