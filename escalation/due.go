package escalation

import (
	"slices"
	"time"

	"github.com/atiende/atiende/tickets"
)

// Interval is a stretch of time a ticket spent in one state. To is zero
// while the ticket is still in it.
type Interval struct {
	State    tickets.State
	From, To time.Time
}

// Intervals rebuilds the states a ticket went through from its history
// entries with Field "state" (other entries are ignored; order does not
// matter). Without any, the ticket has been in t.State since t.CreatedAt.
func Intervals(t *tickets.Ticket, history []tickets.HistoryEntry) []Interval {
	var moves []tickets.HistoryEntry
	for _, h := range history {
		if h.Field == "state" {
			moves = append(moves, h)
		}
	}
	slices.SortStableFunc(moves, func(a, b tickets.HistoryEntry) int { return a.At.Compare(b.At) })
	state := t.State
	if len(moves) > 0 {
		state = tickets.State(moves[0].From)
		if !state.Valid() {
			state = tickets.Registered
		}
	}
	out := []Interval{{State: state, From: t.CreatedAt}}
	for _, m := range moves {
		last := &out[len(out)-1]
		at := m.At
		if at.Before(last.From) {
			at = last.From
		}
		last.To = at
		out = append(out, Interval{State: tickets.State(m.To), From: at})
	}
	return out
}

// running returns the intervals in which the SLA clock runs: the ticket is
// open and not paused (Pending user, On hold).
func running(iv []Interval) []Interval {
	var out []Interval
	for _, i := range iv {
		if i.State.Open() && !i.State.Paused() {
			out = append(out, i)
		}
	}
	return out
}

// crossing returns when the running clock reaches need, if it has or, the
// clock running now, will; ok is false when the clock stopped before.
func crossing(cal *Calendar, runs []Interval, need time.Duration) (at time.Time, ok bool) {
	var used time.Duration
	for _, r := range runs {
		if r.To.IsZero() {
			return cal.Add(r.From, need-used), true
		}
		if b := cal.Between(r.From, r.To); used+b >= need {
			return cal.Add(r.From, need-used), true
		} else {
			used += b
		}
	}
	return time.Time{}, false
}

// consumed returns the working time the clock ran up to now.
func consumed(cal *Calendar, runs []Interval, now time.Time) time.Duration {
	var used time.Duration
	for _, r := range runs {
		to := r.To
		if to.IsZero() || to.After(now) {
			to = now
		}
		if to.After(r.From) {
			used += cal.Between(r.From, to)
		}
	}
	return used
}

// Countdown is one SLA target of a ticket at an instant.
type Countdown struct {
	Target   time.Duration // working time allowed
	Consumed time.Duration // working time the clock ran so far
	// Due is when the clock reached or, running, will reach Target. When
	// the target was met early it is when it would have been due; while
	// the clock is paused short of Target it is nil (undefined until the
	// clock resumes).
	Due      *time.Time
	Met      bool // the response was given / the ticket left the open states
	Breached bool // Consumed reached Target
}

// Due holds the two countdowns of a ticket.
type Due struct {
	Paused     bool // the ticket is in Pending user or On hold
	Response   Countdown
	Resolution Countdown
}

// Apply stores the due times on the ticket, as the store does on every
// transition.
func (d Due) Apply(t *tickets.Ticket) {
	t.ResponseDue, t.ResolutionDue = d.Response.Due, d.Resolution.Due
}

// ComputeDue computes the countdowns of t from its history on the policy's
// calendar. The clock pauses in Pending user and On hold, so the result
// changes on every transition and should be recomputed then.
func ComputeDue(t *tickets.Ticket, history []tickets.HistoryEntry, p *Policy, cal *Calendar, now time.Time) Due {
	iv := Intervals(t, history)
	cur := iv[len(iv)-1].State
	runs := running(iv)
	d := Due{Paused: cur.Paused()}
	respRuns := runs
	respMet := t.FirstResponseAt != nil || cur != tickets.Registered
	if respMet {
		respRuns = until(runs, responseAt(t, iv))
	}
	d.Response = countdown(cal, respRuns, p.FirstResponse, now, respMet)
	d.Resolution = countdown(cal, runs, p.Resolution, now, !cur.Open())
	return d
}

func countdown(cal *Calendar, runs []Interval, target time.Duration, now time.Time, met bool) Countdown {
	c := Countdown{Target: target, Met: met, Consumed: consumed(cal, runs, now)}
	c.Breached = c.Consumed >= target
	if at, ok := crossing(cal, runs, target); ok {
		c.Due = &at
	} else if met && len(runs) > 0 && !runs[len(runs)-1].To.IsZero() {
		// Met early: keep when it would have been due, for reports.
		at := cal.Add(runs[len(runs)-1].To, target-c.Consumed)
		c.Due = &at
	}
	return c
}

// responseAt is when the first response was given: FirstResponseAt, else
// when the ticket first left Registered.
func responseAt(t *tickets.Ticket, iv []Interval) time.Time {
	if t.FirstResponseAt != nil {
		return *t.FirstResponseAt
	}
	if len(iv) > 1 {
		return iv[1].From
	}
	return t.CreatedAt
}

// until cuts runs at instant at (the clock stops there for good).
func until(runs []Interval, at time.Time) []Interval {
	var out []Interval
	for _, r := range runs {
		if !r.From.Before(at) {
			break
		}
		if r.To.IsZero() || r.To.After(at) {
			r.To = at
		}
		out = append(out, r)
	}
	return out
}

// ComputeDue computes the countdowns of t with its policy and calendar.
func (s *SLA) ComputeDue(t *tickets.Ticket, history []tickets.HistoryEntry, now time.Time) (Due, error) {
	p, err := s.Policy(t)
	if err != nil {
		return Due{}, err
	}
	return ComputeDue(t, history, p, s.Calendars[p.Calendar], now), nil
}
