package escalation

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Date is a civil date (no time, no zone), as holidays are.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// In returns midnight of d in loc (or the first instant of d when midnight
// does not exist there).
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the date n days after d (n may be negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	p, err := ParseDate(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = p
	return nil
}

func (d Date) MarshalYAML() (any, error) { return d.String(), nil }

// TimeOfDay is a wall-clock time as minutes after midnight; 24:00 (1440) is
// allowed as the end of a span.
type TimeOfDay int

// ParseTimeOfDay parses "HH:MM", 00:00 to 24:00.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 || len(s) != 5 {
		return 0, fmt.Errorf("time %q is not HH:MM", s)
	}
	if h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time %q is not between 00:00 and 24:00", s)
	}
	return TimeOfDay(h*60 + m), nil
}

func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// on returns the instant of t on date d in loc. Wall times that DST skips
// are normalised by time.Date; 24:00 is midnight of the next day.
func (t TimeOfDay) on(d Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(t)/60, int(t)%60, 0, 0, loc)
}

// Span is a stretch of working hours within one day, [Start, End).
type Span struct {
	Start, End TimeOfDay
}

// ParseSpan parses "09:00-18:00".
func ParseSpan(s string) (Span, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Span{}, fmt.Errorf("hours %q are not HH:MM-HH:MM", s)
	}
	start, err := ParseTimeOfDay(strings.TrimSpace(a))
	if err != nil {
		return Span{}, err
	}
	end, err := ParseTimeOfDay(strings.TrimSpace(b))
	if err != nil {
		return Span{}, err
	}
	return Span{start, end}, nil
}

func (s Span) String() string { return s.Start.String() + "-" + s.End.String() }

func (s *Span) UnmarshalYAML(n *yaml.Node) error {
	p, err := ParseSpan(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = p
	return nil
}

func (s Span) MarshalYAML() (any, error) { return s.String(), nil }
