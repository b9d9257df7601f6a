package tickets

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ISOWeek is an ISO 8601 week: weeks start on Monday, and week 1 is the one
// holding the year's first Thursday.
type ISOWeek struct {
	Year int
	Week int
}

// ParseISOWeek reads "2026-W47" (also "2026-w47"). Errors are EINVALID.
func ParseISOWeek(s string) (ISOWeek, error) {
	bad := func() (ISOWeek, error) {
		return ISOWeek{}, Errorf(EINVALID, "week %q is not an ISO week like 2026-W47 (year, \"-W\", two-digit week number)", reportClip(s, 40))
	}
	y, w, ok := strings.Cut(s, "-")
	if !ok || len(y) != 4 || len(w) != 3 || (w[0] != 'W' && w[0] != 'w') || !reportDigits(y) || !reportDigits(w[1:]) {
		return bad()
	}
	year, _ := strconv.Atoi(y)
	week, _ := strconv.Atoi(w[1:])
	if year < 1 {
		return bad()
	}
	if n := WeeksInYear(year); week < 1 || week > n {
		return ISOWeek{}, Errorf(EINVALID, "week %q does not exist: %d has weeks 1 to %d", reportClip(s, 40), year, n)
	}
	return ISOWeek{Year: year, Week: week}, nil
}

func reportDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func reportClip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// WeeksInYear returns 52 or 53: the ISO week of 28 December.
func WeeksInYear(year int) int {
	_, w := time.Date(year, 12, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// WeekOf returns the ISO week holding instant t as seen in loc.
func WeekOf(t time.Time, loc *time.Location) ISOWeek {
	y, w := t.In(loc).ISOWeek()
	return ISOWeek{Year: y, Week: w}
}

func (w ISOWeek) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Week) }

// Start is Monday 00:00 of the week in loc.
func (w ISOWeek) Start(loc *time.Location) time.Time {
	jan4 := time.Date(w.Year, 1, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w.Week-1))
}

// End is the next Monday 00:00 in loc: the week is [Start, End).
func (w ISOWeek) End(loc *time.Location) time.Time { return w.Start(loc).AddDate(0, 0, 7) }

// Prev is the week before.
func (w ISOWeek) Prev() ISOWeek { return WeekOf(w.Start(time.UTC).AddDate(0, 0, -7), time.UTC) }
