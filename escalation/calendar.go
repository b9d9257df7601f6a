package escalation

import (
	"slices"
	"time"

	"github.com/atiende/atiende/tickets"
)

// Calendar says when the SLA clock runs: working hours per weekday in a time
// zone, minus holidays. Always marks a 24x7 calendar (holidays ignored).
//
// Arithmetic is done on wall-clock spans turned into instants day by day, so
// DST transitions in Location lengthen or shorten the affected spans exactly
// as the office clock on the wall does. Call Validate before use: it sorts
// the spans and indexes the holidays.
type Calendar struct {
	Name     string
	Location *time.Location
	Hours    map[time.Weekday][]Span
	Holidays []Date
	Always   bool

	holidaySet map[Date]struct{}
}

// Never is returned by Add when a calendar has no working time left in the
// next maxScanDays days; Validate refuses calendars where this could happen
// for lack of hours.
var Never = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

const maxScanDays = 366 * 5

var weekdayKeys = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// Validate checks spans (end after start, no overlap within a day), the
// zone, and that some day has working hours. Errors are EINVALID and name
// the calendar and the key.
func (c *Calendar) Validate() error {
	bad := func(key, format string, args ...any) error {
		return tickets.Errorf(tickets.EINVALID, "calendar %q: %s: "+format, append([]any{c.Name, key}, args...)...)
	}
	if c.Name == "" {
		return tickets.Errorf(tickets.EINVALID, "calendar: name is required")
	}
	if c.Location == nil {
		if !c.Always {
			return bad("time_zone", "required")
		}
		c.Location = time.UTC
	}
	if c.Always {
		return nil
	}
	total := 0
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		spans := slices.Clone(c.Hours[wd])
		key := "hours." + weekdayKeys[wd]
		for _, s := range spans {
			if s.Start < 0 || s.End > 24*60 || s.End <= s.Start {
				return bad(key, "%s ends before it starts", s)
			}
		}
		slices.SortFunc(spans, func(a, b Span) int { return int(a.Start - b.Start) })
		for i := 1; i < len(spans); i++ {
			if spans[i].Start < spans[i-1].End {
				return bad(key, "%s overlaps %s", spans[i], spans[i-1])
			}
		}
		if len(spans) > 0 {
			if c.Hours == nil {
				c.Hours = map[time.Weekday][]Span{}
			}
			c.Hours[wd] = spans
		}
		total += len(spans)
	}
	if total == 0 {
		return bad("hours", "no working hours on any day (use always: true for 24x7)")
	}
	c.holidaySet = make(map[Date]struct{}, len(c.Holidays))
	for _, h := range c.Holidays {
		c.holidaySet[h] = struct{}{}
	}
	return nil
}

func (c *Calendar) holiday(d Date) bool {
	if c.holidaySet != nil {
		_, ok := c.holidaySet[d]
		return ok
	}
	return slices.Contains(c.Holidays, d)
}

// spans returns the working spans of day d (none on holidays).
func (c *Calendar) spans(d Date) []Span {
	if c.holiday(d) {
		return nil
	}
	return c.Hours[d.Weekday()]
}

// Open reports whether t falls in working time.
func (c *Calendar) Open(t time.Time) bool {
	if c.Always {
		return true
	}
	day := DateOf(t.In(c.Location))
	for _, sp := range c.spans(day) {
		s, e := sp.Start.on(day, c.Location), sp.End.on(day, c.Location)
		if !t.Before(s) && t.Before(e) {
			return true
		}
	}
	return false
}

// Add returns the instant when d of working time has elapsed after start.
// Time outside working hours does not count: a ticket opened after hours
// starts counting at the next opening, and Add(t, 0) is the next working
// instant at or after t. A result landing exactly on the end of a span is
// that end (18:00), not the next opening. A negative d counts backwards.
// The result is in the calendar's location.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d < 0 {
		return c.sub(start, -d)
	}
	if c.Always {
		return start.Add(d).In(c.Location)
	}
	loc := c.Location
	day := DateOf(start.In(loc))
	for range maxScanDays {
		for _, sp := range c.spans(day) {
			e := sp.End.on(day, loc)
			if !e.After(start) {
				continue
			}
			s := sp.Start.on(day, loc)
			if s.Before(start) {
				s = start.In(loc)
			}
			if avail := e.Sub(s); d <= avail {
				return s.Add(d)
			} else {
				d -= avail
			}
		}
		day = day.AddDays(1)
	}
	return Never
}

// sub returns the latest instant from which d of working time ends at end.
func (c *Calendar) sub(end time.Time, d time.Duration) time.Time {
	if c.Always {
		return end.Add(-d).In(c.Location)
	}
	loc := c.Location
	day := DateOf(end.In(loc))
	for range maxScanDays {
		spans := c.spans(day)
		for i := len(spans) - 1; i >= 0; i-- {
			s := spans[i].Start.on(day, loc)
			if !s.Before(end) {
				continue
			}
			e := spans[i].End.on(day, loc)
			if e.After(end) {
				e = end.In(loc)
			}
			if avail := e.Sub(s); d <= avail {
				return e.Add(-d)
			} else {
				d -= avail
			}
		}
		day = day.AddDays(-1)
	}
	return time.Time{}
}

// Between returns the working time in [a, b); negative when b is before a.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.Between(b, a)
	}
	if c.Always {
		return b.Sub(a)
	}
	loc := c.Location
	last := DateOf(b.In(loc))
	var sum time.Duration
	for day := DateOf(a.In(loc)); !last.Before(day); day = day.AddDays(1) {
		for _, sp := range c.spans(day) {
			s, e := sp.Start.on(day, loc), sp.End.on(day, loc)
			if s.Before(a) {
				s = a
			}
			if e.After(b) {
				e = b
			}
			if e.After(s) {
				sum += e.Sub(s)
			}
		}
	}
	return sum
}

// AddDays returns the same wall-clock time n working days after t: days
// with no working hours (weekends, holidays) are skipped. On a 24x7
// calendar every day counts.
func (c *Calendar) AddDays(t time.Time, n int) time.Time {
	t = t.In(c.Location)
	day := DateOf(t)
	for i, scanned := 0, 0; i < n && scanned < maxScanDays; scanned++ {
		day = day.AddDays(1)
		if c.Always || len(c.spans(day)) > 0 {
			i++
		}
	}
	h, m, s := t.Clock()
	return time.Date(day.Year, day.Month, day.Day, h, m, s, t.Nanosecond(), c.Location)
}
