package agentdesk

import (
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
)

// The day runs from midnight to midnight in the zone: 96 buckets in Mexico
// City since it dropped DST (October 2022), 92 or 100 on the days a zone
// moves its clocks.
func TestDayStatsBuckets(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Skipf("no time zone database: %v", err)
		}
		return loc
	}
	mx, ny := zone("America/Mexico_City"), zone("America/New_York")
	for _, c := range []struct {
		date    string
		loc     *time.Location
		from    string
		buckets int
	}{
		{"2026-04-05", mx, "2026-04-05T06:00:00Z", 96}, // the first Sunday of April: DST began here until 2022
		{"2026-10-25", mx, "2026-10-25T06:00:00Z", 96}, // the last Sunday of October: it ended
		{"2021-04-04", mx, "2021-04-04T06:00:00Z", 92}, // 2021 still had DST
		{"2021-10-31", mx, "2021-10-31T05:00:00Z", 100},
		{"2026-03-08", ny, "2026-03-08T05:00:00Z", 92},
		{"2026-11-01", ny, "2026-11-01T04:00:00Z", 100},
		{"2026-11-23", nil, "2026-11-23T06:00:00Z", 96}, // nil: the help desk's zone
	} {
		d, _ := tickets.ParseDate(c.date)
		s := NewDayStats(DayStatsQuery{Date: d, Location: c.loc})
		if got := s.From.UTC().Format(time.RFC3339); got != c.from || len(s.Buckets) != c.buckets || s.Date != c.date {
			t.Errorf("%s in %v: from %s, %d buckets; want %s, %d", c.date, c.loc, got, len(s.Buckets), c.from, c.buckets)
		}
		last := s.Buckets[len(s.Buckets)-1]
		if !last.Start.Add(DayBucketWidth).Equal(s.To) {
			t.Errorf("%s: the last bucket ends %v, the day %v", c.date, last.Start.Add(DayBucketWidth), s.To)
		}
		if i, ok := s.Bucket(s.To.Add(-time.Nanosecond)); !ok || i != len(s.Buckets)-1 {
			t.Errorf("%s: the day's last instant is in bucket %d (%v)", c.date, i, ok)
		}
		if _, ok := s.Bucket(s.To); ok {
			t.Errorf("%s: the next midnight is in the day", c.date)
		}
	}
}
