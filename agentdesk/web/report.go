package web

import (
	"encoding/csv"
	"net/http"
	"strings"

	"github.com/atiende/atiende/tickets"
)

// The weekly fault report (seed 004), computed from the database. Weeks are
// ISO weeks in America/Mexico_City and resolution times are wall-clock
// (tickets.ReportOptions{}); SLA compliance uses the due times stored on the
// tickets, which follow the SLA calendar. The routes exist when Deps.Reports
// is set.

// reportOptions are the options the report endpoints compute with.
func (s *Server) reportOptions() tickets.ReportOptions { return tickets.ReportOptions{} }

// reportWeekQuery documents the parameters of the report endpoints.
func reportWeekQuery(csv bool) []param {
	q := []param{{Name: "week", Type: "string",
		Description: "ISO week, e.g. 2026-W47 (Monday 00:00 to the next Monday 00:00, America/Mexico_City); default: the current week, to date"}}
	if csv {
		q = append(q, param{Name: "lang", Type: "string", Description: "es or en: language of the column names; default: the user's language"})
	}
	return q
}

// reportWeek reads ?week=, defaulting to the current week to date (on day
// one the last complete week is empty; the previous one is a click away). A malformed
// or impossible week is a 400 that says what is expected.
func (s *Server) reportWeek(r *http.Request, o tickets.ReportOptions) (tickets.ISOWeek, error) {
	v := strings.TrimSpace(r.URL.Query().Get("week"))
	if v == "" {
		return tickets.WeekOf(s.now(), o.Zone()), nil
	}
	w, err := tickets.ParseISOWeek(v)
	if err != nil {
		return tickets.ISOWeek{}, badRequest("week: %s", tickets.ErrorMessage(err))
	}
	return w, nil
}

func (s *Server) buildWeeklyReport(r *http.Request) (*tickets.WeeklyReport, error) {
	o := s.reportOptions()
	week, err := s.reportWeek(r, o)
	if err != nil {
		return nil, err
	}
	rep, err := tickets.BuildWeeklyReport(r.Context(), s.reports, week, o)
	if err != nil {
		return nil, err
	}
	if rep.Surveys, err = s.weekSurveys(r, week, o); err != nil { // surveys.go
		return nil, err
	}
	return rep, nil
}

func (s *Server) weeklyReport(w http.ResponseWriter, r *http.Request, _ *caller) error {
	rep, err := s.buildWeeklyReport(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) weeklyReportCSV(w http.ResponseWriter, r *http.Request, c *caller) error {
	lang := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("lang")))
	switch lang {
	case "":
		lang = c.User.Language
	case "es", "en":
	default:
		return badRequest("lang must be es or en")
	}
	rep, err := s.buildWeeklyReport(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="atiende-weekly-`+rep.Week+`.csv"`)
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	_ = cw.WriteAll(WeeklyCSVRecords(rep, lang)) // the status is sent: a write error is the client gone
	return nil
}
