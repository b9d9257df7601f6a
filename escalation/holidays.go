package escalation

import (
	"time"
)

// MexicanFederalHolidays returns the mandatory rest days of article 74 of
// the Ley Federal del Trabajo for year: 1 January, the first Monday of
// February, the third Monday of March, 1 May, 16 September, 1 October of
// the years a federal executive takes office (2024, 2030, ...), the third
// Monday of November and 25 December. Holy Thursday and Friday, 12 December
// and 2 November are customary in many offices: add them in the config.
func MexicanFederalHolidays(year int) []Date {
	h := []Date{
		{year, time.January, 1},
		nthMonday(year, time.February, 1),
		nthMonday(year, time.March, 3),
		{year, time.May, 1},
		{year, time.September, 16},
	}
	if year >= 2024 && (year-2024)%6 == 0 {
		h = append(h, Date{year, time.October, 1})
	}
	return append(h, nthMonday(year, time.November, 3), Date{year, time.December, 25})
}

func nthMonday(year int, m time.Month, n int) Date {
	d := Date{year, m, 1}
	for d.Weekday() != time.Monday {
		d.Day++
	}
	d.Day += 7 * (n - 1)
	return d
}

// Default calendar names.
const (
	OfficeCalendar = "office"
	AlwaysCalendar = "24x7"
)

// Years of Mexican federal holidays the default calendar carries.
const defaultHolidayFrom, defaultHolidayTo = 2020, 2045

// DefaultCalendar is the help desk's office: America/Mexico_City, Monday to
// Friday 09:00-18:00, Mexican federal holidays 2020-2045.
func DefaultCalendar() (*Calendar, error) {
	loc, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		return nil, err
	}
	day := []Span{{9 * 60, 18 * 60}}
	c := &Calendar{
		Name:     OfficeCalendar,
		Location: loc,
		Hours: map[time.Weekday][]Span{
			time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day,
		},
	}
	for y := defaultHolidayFrom; y <= defaultHolidayTo; y++ {
		c.Holidays = append(c.Holidays, MexicanFederalHolidays(y)...)
	}
	return c, c.Validate()
}

// Always24x7 is the calendar of services supported around the clock, every
// day of the year (seed 003).
func Always24x7(loc *time.Location) *Calendar {
	if loc == nil {
		loc = time.UTC
	}
	return &Calendar{Name: AlwaysCalendar, Location: loc, Always: true}
}
