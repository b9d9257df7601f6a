package tickets

import "time"

// Date is a calendar day, read in some time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads YYYY-MM-DD. Errors are EINVALID.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, Errorf(EINVALID, "date %q is not a date like 2026-11-23 (YYYY-MM-DD)", reportClip(s, 40))
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// DateOf is the day holding instant t as seen in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

func (d Date) String() string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// Start is the day's first instant (midnight) in loc.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// End is the next day's midnight in loc: the day is [Start, End), 24 hours
// long unless loc changes its offset that day.
func (d Date) End(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, loc)
}
