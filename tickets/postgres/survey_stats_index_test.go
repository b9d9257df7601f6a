package postgres

import (
	"testing"
	"time"
)

// The survey aggregates and the latest comments search migration 0009's
// partial index by the answer time, not every survey ever sent.
func TestSurveyStatsUseTheAnsweredIndex(t *testing.T) {
	from := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	to := from.Add(7 * 24 * time.Hour)
	planSearches(t, "surveys_answered_at by the answer time", map[string]struct {
		sql  string
		args []any
	}{
		"figures":  {surveyStatsSQL, []any{from, to}},
		"comments": {surveyCommentsSQL, []any{from, to, 20}},
	}, "surveys_answered_at", "Index Cond: ((answered_at >=")
}
