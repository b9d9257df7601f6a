package escalation_test

import (
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/metrics/benchload"
	"github.com/atiende/atiende/tickets"
)

func BenchmarkCalendarAdd(b *testing.B) {
	mx := zone(b, "America/Mexico_City")
	cals := map[string]*escalation.Calendar{
		"office":    office(b),
		"split":     weekly(b, mx, []string{"09:00-14:00", "16:00-19:00"}, []string{"10:00-13:00"}, nil),
		"24x7":      escalation.Always24x7(mx),
		"office48h": office(b),
	}
	for name, c := range cals {
		d := 8 * time.Hour
		if name == "office48h" {
			d = 48 * time.Hour
		}
		b.Run(name, func(b *testing.B) {
			defer benchload.Report(b)
			start := time.Date(2026, 11, 23, 7, 0, 0, 0, mx)
			i := 0
			for b.Loop() {
				// Starts spread over a week, in and out of hours.
				c.Add(start.Add(time.Duration(i%672)*15*time.Minute), d)
				i++
			}
		})
	}
}

func BenchmarkCalendarBetween(b *testing.B) {
	defer benchload.Report(b)
	c := office(b)
	mx := zone(b, "America/Mexico_City")
	a := time.Date(2026, 11, 23, 10, 0, 0, 0, mx)
	z := time.Date(2026, 12, 23, 10, 0, 0, 0, mx)
	for b.Loop() {
		c.Between(a, z)
	}
}

// Plan for an in-progress ticket that was paused twice: what the store
// runs on every transition.
func BenchmarkPlan(b *testing.B) {
	defer benchload.Report(b)
	mx := zone(b, "America/Mexico_City")
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, mx) }
	sla := defaultSLA(b)
	tk, hist := ticketWith("T-1", tickets.P3, at(23, 9),
		move{at(23, 10), tickets.InProgress}, move{at(23, 12), tickets.PendingUser}, move{at(24, 12), tickets.InProgress},
		move{at(24, 15), tickets.OnHold}, move{at(25, 10), tickets.InProgress})
	for i := 0; i < 10; i++ {
		hist = append(hist, tickets.HistoryEntry{At: at(23, 11), Field: "note"})
	}
	b.ReportAllocs()
	for b.Loop() {
		if acts, err := sla.Plan(tk, hist); err != nil || len(acts) != 2 {
			b.Fatal(len(acts), err)
		}
	}
}

func BenchmarkComputeDue(b *testing.B) {
	defer benchload.Report(b)
	mx := zone(b, "America/Mexico_City")
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, mx) }
	sla := defaultSLA(b)
	tk, hist := ticketWith("T-1", tickets.P2, at(23, 9), move{at(23, 10), tickets.InProgress}, move{at(23, 12), tickets.OnHold}, move{at(24, 12), tickets.InProgress})
	now := at(25, 9)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sla.ComputeDue(tk, hist, now); err != nil {
			b.Fatal(err)
		}
	}
}
