package escalation_test

import (
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

func TestComputeDue(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, mx) }
	ptr := func(t time.Time) *time.Time { return &t }
	sla := defaultSLA(t)
	type want struct {
		paused                bool
		respDue, resDue       *time.Time
		respUsed, resUsed     time.Duration
		respMet, respBreached bool
		resMet, resBreached   bool
	}
	cases := []struct {
		name  string
		pr    tickets.Priority
		open  time.Time
		moves []move
		now   time.Time
		want  want
	}{
		{
			// P3: 4h first response, 24h resolution on the office calendar.
			name: "opened Friday after hours", pr: tickets.P3, open: at(27, 19, 0), now: at(27, 22, 0),
			want: want{respDue: ptr(at(30, 13, 0)), resDue: ptr(time.Date(2026, 12, 2, 15, 0, 0, 0, mx))},
		},
		{
			name: "opened Friday one hour before closing", pr: tickets.P3, open: at(27, 17, 0), now: at(30, 9, 30),
			want: want{respDue: ptr(at(30, 12, 0)), resDue: ptr(time.Date(2026, 12, 2, 14, 0, 0, 0, mx)), respUsed: 90 * time.Minute, resUsed: 90 * time.Minute},
		},
		{
			name: "paused a day in Pending user", pr: tickets.P3, open: at(23, 9, 0), now: at(24, 15, 0),
			moves: []move{{at(23, 10, 0), tickets.InProgress}, {at(23, 12, 0), tickets.PendingUser}, {at(24, 12, 0), tickets.InProgress}},
			// 3h Monday + 3h Tuesday consumed; without the pause it would be Wednesday 15:00.
			want: want{respDue: ptr(at(23, 13, 0)), resDue: ptr(at(26, 15, 0)), respUsed: time.Hour, resUsed: 6 * time.Hour, respMet: true},
		},
		{
			name: "paused now", pr: tickets.P3, open: at(23, 9, 0), now: at(25, 15, 0),
			moves: []move{{at(23, 10, 0), tickets.InProgress}, {at(23, 12, 0), tickets.OnHold}},
			want:  want{paused: true, respDue: ptr(at(23, 13, 0)), respUsed: time.Hour, resUsed: 3 * time.Hour, respMet: true},
		},
		{
			name: "on hold twice", pr: tickets.P2, open: at(23, 9, 0), now: at(24, 18, 0),
			moves: []move{{at(23, 9, 30), tickets.InProgress}, {at(23, 11, 0), tickets.OnHold}, {at(23, 15, 0), tickets.InProgress},
				{at(24, 10, 0), tickets.OnHold}, {at(24, 11, 0), tickets.InProgress}},
			// P2 16h: Mon 2h + 3h, Tue 1h + 7h = 13h by Tue 18:00; 3h left Wednesday.
			want: want{respDue: ptr(at(23, 11, 0)), resDue: ptr(at(25, 12, 0)), respUsed: 30 * time.Minute, resUsed: 13 * time.Hour, respMet: true},
		},
		{
			name: "response breached", pr: tickets.P2, open: at(23, 9, 0), now: at(23, 16, 0),
			moves: []move{{at(23, 12, 0), tickets.InProgress}},
			want:  want{respDue: ptr(at(23, 11, 0)), resDue: ptr(at(24, 16, 0)), respUsed: 3 * time.Hour, resUsed: 7 * time.Hour, respMet: true, respBreached: true},
		},
		{
			name: "resolved in time", pr: tickets.P2, open: at(23, 9, 0), now: at(30, 9, 0),
			moves: []move{{at(23, 9, 10), tickets.InProgress}, {at(23, 17, 0), tickets.Resolved}},
			want:  want{respDue: ptr(at(23, 11, 0)), resDue: ptr(at(24, 16, 0)), respUsed: 10 * time.Minute, resUsed: 8 * time.Hour, respMet: true, resMet: true},
		},
		{
			name: "P1 on the 24x7 calendar over the weekend", pr: tickets.P1, open: at(28, 22, 0), now: at(28, 23, 0),
			want: want{respDue: ptr(at(28, 22, 30)), resDue: ptr(at(29, 6, 0)), respUsed: time.Hour, resUsed: time.Hour, respBreached: true},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk, hist := ticketWith("T-1", c.pr, c.open, c.moves...)
			d, err := sla.ComputeDue(tk, hist, c.now)
			if err != nil {
				t.Fatal(err)
			}
			w := c.want
			if d.Paused != w.paused {
				t.Errorf("paused = %v", d.Paused)
			}
			checkDue(t, "response", d.Response.Due, w.respDue)
			checkDue(t, "resolution", d.Resolution.Due, w.resDue)
			if d.Response.Consumed != w.respUsed || d.Resolution.Consumed != w.resUsed {
				t.Errorf("consumed = %v / %v, want %v / %v", d.Response.Consumed, d.Resolution.Consumed, w.respUsed, w.resUsed)
			}
			if d.Response.Met != w.respMet || d.Response.Breached != w.respBreached {
				t.Errorf("response met/breached = %v/%v, want %v/%v", d.Response.Met, d.Response.Breached, w.respMet, w.respBreached)
			}
			if d.Resolution.Met != w.resMet || d.Resolution.Breached != w.resBreached {
				t.Errorf("resolution met/breached = %v/%v, want %v/%v", d.Resolution.Met, d.Resolution.Breached, w.resMet, w.resBreached)
			}
			d.Apply(tk)
			checkDue(t, "ticket.ResolutionDue", tk.ResolutionDue, w.resDue)
		})
	}
}

func checkDue(t *testing.T, what string, got, want *time.Time) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s due = %v, want %v", what, got, want)
	case !got.Equal(*want):
		t.Errorf("%s due = %v, want %v", what, *got, *want)
	}
}

func TestIntervalsIgnoreOrderAndOtherFields(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	at := func(h int) time.Time { return time.Date(2026, 11, 23, h, 0, 0, 0, mx) }
	tk, hist := ticketWith("T-2", tickets.P3, at(9), move{at(10), tickets.InProgress}, move{at(11), tickets.OnHold})
	hist = append(hist, tickets.HistoryEntry{At: at(10), Field: "assignee", From: "", To: "ana"})
	hist[1], hist[2] = hist[2], hist[1]
	iv := escalation.Intervals(tk, hist)
	if len(iv) != 3 || iv[0].State != tickets.Registered || iv[1].State != tickets.InProgress || iv[2].State != tickets.OnHold ||
		!iv[1].To.Equal(at(11)) || !iv[2].To.IsZero() {
		t.Errorf("intervals = %+v", iv)
	}
}
