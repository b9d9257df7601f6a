package web

import (
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets"
)

// The wallboard's day history: GET /api/v1/wallboard/day gives the day's
// calls per 15 minutes and queue from the call records, so that a wallboard
// opened (or reloaded) mid-day draws the whole day; live events then add to
// it (js/daychart.js). Days are in the weekly report's zone (the help
// desk's, America/Mexico_City). The route exists when Deps.Wallboard is
// set.

// WallboardSource is what the day history needs: the call records' counts
// (*tickets/postgres.DB computes them) and the thresholds the ACD measures
// each queue with now. Plain types: cmd adapts the ACD.
type WallboardSource interface {
	agentdesk.DayStatsStore
	// QueueThresholds gives each queue's service level and short abandon;
	// a queue not listed, and zero fields, take the defaults.
	QueueThresholds() map[string]agentdesk.QueueThresholds
}

// wallboardDay is the answer of GET /wallboard/day.
type wallboardDay struct {
	Date     string    `json:"date"` // YYYY-MM-DD
	TimeZone string    `json:"time_zone"`
	From     time.Time `json:"from"` // midnight in TimeZone
	To       time.Time `json:"to"`   // the next midnight (exclusive)
	// AsOf is the server's clock when the records were read: the page
	// measures its own clock's offset with it.
	AsOf          time.Time `json:"as_of"`
	BucketMinutes int       `json:"bucket_minutes"`
	// Thresholds are those the figures were computed with, per queue, and
	// for any other queue; the page measures live calls with the same.
	Thresholds        map[string]agentdesk.QueueThresholds `json:"thresholds"`
	DefaultThresholds agentdesk.QueueThresholds            `json:"default_thresholds"`
	// Buckets: every bucket of the day, midnight first, per queue and in
	// total; Totals per queue and All for the whole day.
	Buckets []agentdesk.DayBucket            `json:"buckets"`
	Totals  map[string]agentdesk.CallFigures `json:"totals"`
	All     agentdesk.CallFigures            `json:"all"`
	// Calls are the IDs of the counted calls that ended at or after
	// calls_since (empty without it): events of those calls are already
	// in the figures.
	Calls []string `json:"calls"`
}

func (s *Server) wallboardRoutes() []route {
	if s.wall == nil {
		return nil
	}
	return []route{{Method: "GET", Path: API + "/wallboard/day", Roles: leadRoles, Tag: "wallboard",
		Summary: "Get a day's calls per 15 minutes and queue from the call records",
		Query: []param{
			{Name: "date", Type: "string", Description: "YYYY-MM-DD in America/Mexico_City; default: today there"},
			{Name: "calls_since", Type: "string", Description: "RFC 3339 instant: list in calls the IDs of the counted calls that ended at or after it"},
		},
		Status: 200, Resp: wallboardDay{}, Handle: s.wallboardDay}}
}

func (s *Server) wallboardDay(w http.ResponseWriter, r *http.Request, _ *caller) error {
	now := s.now()
	q := agentdesk.DayStatsQuery{Location: s.reportOptions().Zone(), Thresholds: map[string]agentdesk.QueueThresholds{}}
	q.Date = tickets.DateOf(now, q.Location)
	if v := strings.TrimSpace(r.URL.Query().Get("date")); v != "" {
		d, err := tickets.ParseDate(v)
		if err != nil {
			return badRequest("date: %s", tickets.ErrorMessage(err))
		}
		q.Date = d
	}
	if v := strings.TrimSpace(r.URL.Query().Get("calls_since")); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return badRequest("calls_since %q is not an RFC 3339 instant like 2026-11-23T09:15:00Z", clip(v))
		}
		q.CallsSince = t
	}
	for name, th := range s.wall.QueueThresholds() {
		q.Thresholds[name] = th.WithDefaults()
	}
	day, err := s.wall.DayCallStats(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wallboardDay{Date: day.Date, TimeZone: day.TimeZone, From: day.From.UTC(), To: day.To.UTC(),
		AsOf: now.UTC(), BucketMinutes: int(agentdesk.DayBucketWidth / time.Minute),
		Thresholds: maps.Clone(q.Thresholds), DefaultThresholds: agentdesk.QueueThresholds{}.WithDefaults(),
		Buckets: day.Buckets, Totals: day.Totals, All: day.All, Calls: day.Calls})
	return nil
}
