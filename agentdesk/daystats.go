package agentdesk

import (
	"context"
	"slices"
	"time"

	"github.com/atiende/atiende/tickets"
)

// The wallboard's day history: the calls of one day, per 15-minute bucket
// and per queue, computed from the call records (tickets.CallRecord) so that a
// wallboard opened mid-day shows the whole day.
//
// The definitions are the ACD's (agentdesk/acd), so that the history agrees
// with the live counters of QueueStats. A call record counts once
// it is final: the intake writes QueuedAt, AnsweredAt, EndedAt and Outcome
// together when the call leaves the queue's care (after the talk, for an
// answered call), so a call still waiting or talking is not in it yet. Each
// figure falls in the bucket of its own moment, as the ACD counts it:
//
//   - Offered: the call entered the queue (QueuedAt), whatever came next
//     (QueueStats.Entered; no_agents and timeout included).
//   - Answered: an agent answered (AnsweredAt; outcome answered). A
//     callback's later answer is not counted (QueueStats.Answered).
//   - AnsweredInSL: answered at most ServiceLevel after entering the queue
//     (inclusive, like the ACD).
//   - Abandoned: the caller hung up waiting (EndedAt; outcome abandoned),
//     after at least ShortAbandon; ShortAbandoned: sooner (strictly less).
//     QueueStats.Abandoned counts both; the service level leaves short
//     abandons out: AnsweredInSL / (Answered + Abandoned).
//   - Callbacks: the caller asked to be called back (EndedAt, the moment
//     they hung up keeping their place; outcome callback).
//
// Times are compared at the microsecond PostgreSQL keeps, the ACD at the
// nanosecond: only a wait within a microsecond of a threshold could differ.

// DayBucketWidth is the width of a bucket of the day.
const DayBucketWidth = 15 * time.Minute

// QueueThresholds are what a queue's answered and abandoned calls are
// measured against (QueueConfig's ServiceLevel and ShortAbandon).
type QueueThresholds struct {
	ServiceLevel time.Duration `json:"service_level_ns"`
	ShortAbandon time.Duration `json:"short_abandon_ns"`
}

// WithDefaults replaces zero or negative thresholds with the defaults.
func (q QueueThresholds) WithDefaults() QueueThresholds {
	if q.ServiceLevel <= 0 {
		q.ServiceLevel = DefaultServiceLevel
	}
	if q.ShortAbandon <= 0 {
		q.ShortAbandon = DefaultShortAbandon
	}
	return q
}

// CallFigures count a queue's calls in one bucket (see the definitions at
// the top of this file).
type CallFigures struct {
	Offered        int `json:"offered"`
	Answered       int `json:"answered"`
	AnsweredInSL   int `json:"answered_in_sl"`
	Abandoned      int `json:"abandoned"` // short abandons excluded
	ShortAbandoned int `json:"short_abandoned"`
	Callbacks      int `json:"callbacks"`
}

// Add adds g to f.
func (f *CallFigures) Add(g CallFigures) {
	f.Offered += g.Offered
	f.Answered += g.Answered
	f.AnsweredInSL += g.AnsweredInSL
	f.Abandoned += g.Abandoned
	f.ShortAbandoned += g.ShortAbandoned
	f.Callbacks += g.Callbacks
}

// DayBucket is one 15-minute bucket of the day.
type DayBucket struct {
	Start  time.Time              `json:"start"`
	Queues map[string]CallFigures `json:"queues"` // only queues with some figure
	Total  CallFigures            `json:"total"`
}

// DayStatsQuery asks for the history of one day.
type DayStatsQuery struct {
	Date tickets.Date
	// Location is where the day starts and ends; nil is the help desk's
	// zone (tickets.DefaultReportZone, like the weekly report).
	Location *time.Location
	// Thresholds per queue name; a queue not listed, and zero fields, take
	// DefaultServiceLevel and DefaultShortAbandon.
	Thresholds map[string]QueueThresholds
	// CallsSince, when not zero, asks for DayStats.Calls: the call IDs of
	// the counted records that ended at or after it. A page that counts
	// live events leaves those calls out of its own counts, so no call is
	// counted twice, whatever the order of the events and the query.
	CallsSince time.Time
}

// Zone returns Location, or the help desk's zone.
func (q DayStatsQuery) Zone() *time.Location {
	if q.Location != nil {
		return q.Location
	}
	return tickets.ReportOptions{}.Zone()
}

// Threshold returns the thresholds of queue, with defaults.
func (q DayStatsQuery) Threshold(queue string) QueueThresholds {
	return q.Thresholds[queue].WithDefaults()
}

// DayStats is the history of one day: every bucket from midnight to the
// next midnight (96 of them when the zone keeps its offset, as Mexico City
// does since it dropped DST in 2022).
type DayStats struct {
	Date     string      `json:"date"` // YYYY-MM-DD
	TimeZone string      `json:"time_zone"`
	From     time.Time   `json:"from"` // midnight in TimeZone
	To       time.Time   `json:"to"`   // the next midnight (exclusive)
	Buckets  []DayBucket `json:"buckets"`
	// Totals are the day's figures per queue, and All over every queue.
	Totals map[string]CallFigures `json:"totals"`
	All    CallFigures            `json:"all"`
	// Calls: see DayStatsQuery.CallsSince; sorted.
	Calls []string `json:"calls"`
}

// NewDayStats returns the empty history of q's day, for a store to fill
// with Add.
func NewDayStats(q DayStatsQuery) *DayStats {
	loc := q.Zone()
	from, to := q.Date.Start(loc), q.Date.End(loc)
	n := int((to.Sub(from) + DayBucketWidth - 1) / DayBucketWidth)
	s := &DayStats{Date: q.Date.String(), TimeZone: loc.String(), From: from, To: to,
		Buckets: make([]DayBucket, n), Totals: map[string]CallFigures{}, Calls: []string{}}
	for i := range s.Buckets {
		s.Buckets[i] = DayBucket{Start: from.Add(time.Duration(i) * DayBucketWidth), Queues: map[string]CallFigures{}}
	}
	return s
}

// Bucket returns the index of the bucket holding t, and false when t is not
// in the day.
func (s *DayStats) Bucket(t time.Time) (int, bool) {
	if t.Before(s.From) || !t.Before(s.To) {
		return 0, false
	}
	return int(t.Sub(s.From) / DayBucketWidth), true
}

// Add counts f for queue in bucket i; an index outside the day is ignored.
func (s *DayStats) Add(i int, queue string, f CallFigures) {
	if i < 0 || i >= len(s.Buckets) {
		return
	}
	b := &s.Buckets[i]
	q := b.Queues[queue]
	q.Add(f)
	b.Queues[queue] = q
	b.Total.Add(f)
	t := s.Totals[queue]
	t.Add(f)
	s.Totals[queue] = t
	s.All.Add(f)
}

// SetCalls keeps ids, sorted and without repeats.
func (s *DayStats) SetCalls(ids []string) {
	slices.Sort(ids)
	s.Calls = append([]string{}, slices.Compact(ids)...)
}

// DayStatsStore computes a day's history from the call records.
// tickets/postgres implements it.
type DayStatsStore interface {
	DayCallStats(ctx context.Context, q DayStatsQuery) (*DayStats, error)
}
