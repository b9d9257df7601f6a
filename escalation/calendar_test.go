package escalation_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
)

func TestCalendarAdd(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	ny := zone(t, "America/New_York")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	off := office(t)
	split := weekly(t, mx, []string{"16:00-19:00", "09:00-14:00"}, []string{"10:00-13:00"}, nil)
	nyOffice := weekly(t, ny, []string{"09:00-17:00"}, nil, nil)
	nyAllDay := weekly(t, ny, []string{"00:00-24:00"}, []string{"00:00-24:00"}, []string{"00:00-24:00"})
	always := escalation.Always24x7(mx)

	// 2026-11-23 is a Monday; 2026-11-16 (third Monday of November) and
	// 2026-12-25 are federal holidays.
	cases := []struct {
		name  string
		cal   *escalation.Calendar
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within a day", off, at(mx, 2026, 11, 23, 10, 0), 2 * time.Hour, at(mx, 2026, 11, 23, 12, 0)},
		{"overnight", off, at(mx, 2026, 11, 23, 17, 0), 2 * time.Hour, at(mx, 2026, 11, 24, 10, 0)},
		{"over the weekend", off, at(mx, 2026, 11, 27, 17, 0), 2 * time.Hour, at(mx, 2026, 11, 30, 10, 0)},
		{"opened after hours", off, at(mx, 2026, 11, 23, 20, 0), time.Hour, at(mx, 2026, 11, 24, 10, 0)},
		{"opened before opening", off, at(mx, 2026, 11, 23, 7, 0), time.Hour, at(mx, 2026, 11, 23, 10, 0)},
		{"opened on Saturday", off, at(mx, 2026, 11, 28, 12, 0), time.Hour, at(mx, 2026, 11, 30, 10, 0)},
		{"holiday Monday", off, at(mx, 2026, 11, 13, 17, 0), 2 * time.Hour, at(mx, 2026, 11, 17, 10, 0)},
		{"Christmas", off, at(mx, 2026, 12, 24, 17, 0), 2 * time.Hour, at(mx, 2026, 12, 28, 10, 0)},
		{"lands on closing time", off, at(mx, 2026, 11, 23, 9, 0), 9 * time.Hour, at(mx, 2026, 11, 23, 18, 0)},
		{"zero when closed is the next opening", off, at(mx, 2026, 11, 28, 12, 0), 0, at(mx, 2026, 11, 30, 9, 0)},
		{"zero when open is now", off, at(mx, 2026, 11, 23, 11, 0), 0, at(mx, 2026, 11, 23, 11, 0)},
		{"48 business hours", off, at(mx, 2026, 11, 23, 10, 0), 48 * time.Hour, at(mx, 2026, 11, 30, 13, 0)},
		{"UTC input", off, time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC), time.Hour, at(mx, 2026, 11, 23, 11, 0)},
		{"backwards over the weekend", off, at(mx, 2026, 11, 30, 10, 0), -2 * time.Hour, at(mx, 2026, 11, 27, 17, 0)},
		{"backwards from after hours", off, at(mx, 2026, 11, 23, 20, 0), -time.Hour, at(mx, 2026, 11, 23, 17, 0)},
		{"split: over the lunch break", split, at(mx, 2026, 11, 23, 13, 0), 2 * time.Hour, at(mx, 2026, 11, 23, 17, 0)},
		{"split: opened in the break", split, at(mx, 2026, 11, 23, 14, 30), time.Hour, at(mx, 2026, 11, 23, 17, 0)},
		{"split: into Saturday", split, at(mx, 2026, 11, 27, 18, 30), time.Hour, at(mx, 2026, 11, 28, 10, 30)},
		{"split: Saturday into Monday", split, at(mx, 2026, 11, 28, 12, 0), 2 * time.Hour, at(mx, 2026, 11, 30, 10, 0)},
		{"DST: spring forward weekend", nyOffice, at(ny, 2026, 3, 6, 16, 0), 2 * time.Hour, at(ny, 2026, 3, 9, 10, 0)},
		{"DST: fall back weekend", nyOffice, at(ny, 2026, 10, 30, 16, 0), 2 * time.Hour, at(ny, 2026, 11, 2, 10, 0)},
		// Sunday 8 March 2026 has 23 hours in New York: a day of working
		// time from Saturday noon ends at 13:00 on the wall clock.
		{"DST: a 23-hour day", nyAllDay, at(ny, 2026, 3, 7, 12, 0), 24 * time.Hour, at(ny, 2026, 3, 8, 13, 0)},
		{"DST: a 25-hour day", nyAllDay, at(ny, 2026, 10, 31, 12, 0), 24 * time.Hour, at(ny, 2026, 11, 1, 11, 0)},
		{"24x7 counts every hour", always, at(mx, 2026, 11, 28, 23, 0), 2 * time.Hour, at(mx, 2026, 11, 29, 1, 0)},
		{"24x7 ignores holidays", always, at(mx, 2026, 12, 24, 23, 0), 48 * time.Hour, at(mx, 2026, 12, 26, 23, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.cal.Add(c.start, c.d)
			if !got.Equal(c.want) {
				t.Errorf("Add(%v, %v) = %v, want %v", c.start, c.d, got, c.want)
			}
			if c.d >= 0 {
				if b := c.cal.Between(c.start, got); b != c.d {
					t.Errorf("Between(start, Add(start, %v)) = %v", c.d, b)
				}
			}
		})
	}
}

func TestCalendarBetween(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	ny := zone(t, "America/New_York")
	cc := zone(t, "America/Caracas")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	off := office(t)
	split := weekly(t, mx, []string{"09:00-14:00", "16:00-19:00"}, nil, nil)
	nyAllDay := weekly(t, ny, []string{"00:00-24:00"}, []string{"00:00-24:00"}, []string{"00:00-24:00"})
	ccAllDay := weekly(t, cc, []string{"00:00-24:00"}, []string{"00:00-24:00"}, []string{"00:00-24:00"})
	cases := []struct {
		name string
		cal  *escalation.Calendar
		a, b time.Time
		want time.Duration
	}{
		{"same day", off, at(mx, 2026, 11, 23, 10, 0), at(mx, 2026, 11, 23, 12, 30), 150 * time.Minute},
		{"whole week", off, at(mx, 2026, 11, 23, 0, 0), at(mx, 2026, 11, 30, 0, 0), 45 * time.Hour},
		{"week with a holiday", off, at(mx, 2026, 11, 16, 0, 0), at(mx, 2026, 11, 23, 0, 0), 36 * time.Hour},
		{"weekend only", off, at(mx, 2026, 11, 28, 0, 0), at(mx, 2026, 11, 30, 0, 0), 0},
		{"reversed is negative", off, at(mx, 2026, 11, 23, 12, 0), at(mx, 2026, 11, 23, 10, 0), -2 * time.Hour},
		{"split day", split, at(mx, 2026, 11, 23, 13, 0), at(mx, 2026, 11, 23, 17, 0), 2 * time.Hour},
		{"split whole day", split, at(mx, 2026, 11, 23, 0, 0), at(mx, 2026, 11, 24, 0, 0), 8 * time.Hour},
		{"DST: 23-hour day", nyAllDay, at(ny, 2026, 3, 8, 0, 0), at(ny, 2026, 3, 9, 0, 0), 23 * time.Hour},
		{"DST: 25-hour day", nyAllDay, at(ny, 2026, 11, 1, 0, 0), at(ny, 2026, 11, 2, 0, 0), 25 * time.Hour},
		// Venezuela moved from UTC-4:30 to UTC-4 at 02:30 on 1 May 2016.
		{"Caracas 2016 offset change", ccAllDay, at(cc, 2016, 5, 1, 0, 0), at(cc, 2016, 5, 2, 0, 0), 23*time.Hour + 30*time.Minute},
		{"24x7", escalation.Always24x7(mx), at(mx, 2026, 11, 28, 0, 0), at(mx, 2026, 11, 30, 0, 0), 48 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.cal.Between(c.a, c.b); got != c.want {
				t.Errorf("Between(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
			}
		})
	}
}

func TestCalendarOpen(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	off := office(t)
	cases := []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2026, 11, 23, 9, 0, 0, 0, mx), true},
		{time.Date(2026, 11, 23, 8, 59, 0, 0, mx), false},
		{time.Date(2026, 11, 23, 17, 59, 0, 0, mx), true},
		{time.Date(2026, 11, 23, 18, 0, 0, 0, mx), false},
		{time.Date(2026, 11, 28, 12, 0, 0, 0, mx), false}, // Saturday
		{time.Date(2026, 11, 16, 12, 0, 0, 0, mx), false}, // Revolution day
		{time.Date(2026, 11, 23, 15, 30, 0, 0, time.UTC), true},
	}
	for _, c := range cases {
		if got := off.Open(c.t); got != c.want {
			t.Errorf("Open(%v) = %v, want %v", c.t, got, c.want)
		}
	}
	if !escalation.Always24x7(mx).Open(time.Date(2026, 12, 25, 3, 0, 0, 0, mx)) {
		t.Error("24x7 closed on Christmas night")
	}
}

// Between(a, Add(a, d)) == d and Add lands in working time, for random
// starts and durations on calendars with and without DST.
func TestCalendarAddBetweenAgree(t *testing.T) {
	ny := zone(t, "America/New_York")
	cals := []*escalation.Calendar{
		office(t),
		weekly(t, ny, []string{"08:00-12:00", "13:00-17:30"}, []string{"00:00-24:00"}, nil),
	}
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range cals {
		for range 2000 {
			a := base.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
			d := time.Duration(r.Int64N(int64(100*time.Hour))) / time.Minute * time.Minute
			b := c.Add(a, d)
			if got := c.Between(a, b); got != d {
				t.Fatalf("%s: Between(%v, Add(_, %v) = %v) = %v", c.Name, a, d, b, got)
			}
			if d > 0 && !c.Open(b.Add(-time.Nanosecond)) {
				t.Fatalf("%s: Add(%v, %v) = %v ends outside working time", c.Name, a, d, b)
			}
			if back := c.Add(b, -d); c.Between(back, b) != d || back.After(a) && c.Between(a, back) != 0 {
				t.Fatalf("%s: Add(%v, -%v) = %v does not undo Add from %v", c.Name, b, d, back, a)
			}
		}
	}
}

func TestCalendarAddDays(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	off := office(t)
	cases := []struct {
		start time.Time
		n     int
		want  time.Time
	}{
		{time.Date(2026, 11, 24, 15, 0, 0, 0, mx), 3, time.Date(2026, 11, 27, 15, 0, 0, 0, mx)},
		{time.Date(2026, 11, 27, 11, 0, 0, 0, mx), 3, time.Date(2026, 12, 2, 11, 0, 0, 0, mx)},
		{time.Date(2026, 11, 12, 11, 0, 0, 0, mx), 3, time.Date(2026, 11, 18, 11, 0, 0, 0, mx)}, // skips 16 Nov
		{time.Date(2026, 11, 28, 20, 0, 0, 0, mx), 1, time.Date(2026, 11, 30, 20, 0, 0, 0, mx)},
	}
	for _, c := range cases {
		if got := off.AddDays(c.start, c.n); !got.Equal(c.want) {
			t.Errorf("AddDays(%v, %d) = %v, want %v", c.start, c.n, got, c.want)
		}
	}
}

func TestMexicanFederalHolidays(t *testing.T) {
	got := escalation.MexicanFederalHolidays(2030)
	want := []string{"2030-01-01", "2030-02-04", "2030-03-18", "2030-05-01", "2030-09-16", "2030-10-01", "2030-11-18", "2030-12-25"}
	if len(got) != len(want) {
		t.Fatalf("2030: %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("2030 holiday %d = %s, want %s", i, got[i], want[i])
		}
	}
	if n := len(escalation.MexicanFederalHolidays(2026)); n != 7 {
		t.Errorf("2026 has %d holidays, want 7 (no change of government)", n)
	}
}

func TestCalendarValidate(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	sp := func(s string) []escalation.Span { return []escalation.Span{mustSpan(t, s)} }
	cases := []struct {
		name string
		cal  escalation.Calendar
		want string
	}{
		{"overlap", escalation.Calendar{Name: "x", Location: mx, Hours: map[time.Weekday][]escalation.Span{
			time.Monday: {mustSpan(t, "09:00-14:00"), mustSpan(t, "13:00-18:00")}}}, `calendar "x": hours.monday: 13:00-18:00 overlaps 09:00-14:00`},
		{"end before start", escalation.Calendar{Name: "x", Location: mx, Hours: map[time.Weekday][]escalation.Span{
			time.Friday: sp("18:00-09:00")}}, `calendar "x": hours.friday: 18:00-09:00 ends before it starts`},
		{"no zone", escalation.Calendar{Name: "x", Hours: map[time.Weekday][]escalation.Span{time.Friday: sp("09:00-18:00")}}, `calendar "x": time_zone: required`},
		{"no hours", escalation.Calendar{Name: "x", Location: mx}, `calendar "x": hours: no working hours`},
		{"no name", escalation.Calendar{Location: mx}, "name is required"},
	}
	for _, c := range cases {
		err := c.cal.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate() = %v, want %q", c.name, err, c.want)
		}
	}
}
