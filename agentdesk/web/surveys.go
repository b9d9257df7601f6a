package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
)

// Satisfaction survey results (keypad after the call, and the emailed
// page): GET /surveys/stats gives the wallboard's panel today's and this
// week's figures per agent, queue and service with the latest comments;
// the weekly report carries the week's and the week before's
// (report.surveys, and weekly-surveys.csv). Days and weeks are the report's
// (America/Mexico_City). The routes exist when Deps.Surveys is set.

// surveyComments is how many of the latest comments the wallboard and the
// report show.
const surveyComments = 20

// surveyPanel is the answer of GET /surveys/stats.
type surveyPanel struct {
	Date  string              `json:"date"` // today, YYYY-MM-DD
	Week  string              `json:"week"` // this ISO week, 2026-W48
	Today tickets.SurveyStats `json:"today"`
	// ThisWeek: from Monday 00:00 to now.
	ThisWeek tickets.SurveyStats `json:"this_week"`
}

func (s *Server) surveyRoutes() []route {
	if s.surveys == nil {
		return nil
	}
	rs := []route{{Method: "GET", Path: API + "/surveys/stats", Roles: leadRoles, Tag: "surveys",
		Summary: "Get today's and this week's satisfaction scores per agent, queue and service, with the latest comments",
		Status:  200, Resp: surveyPanel{}, Handle: s.surveyStats}}
	if s.reports != nil {
		rs = append(rs, route{Method: "GET", Path: API + "/reports/weekly-surveys.csv", Roles: leadRoles, Tag: "reports",
			Summary: "Export the weekly report's satisfaction scores per agent, queue and service as CSV",
			Query:   reportWeekQuery(true), Status: 200, Handle: s.weeklySurveysCSV})
	}
	return rs
}

func (s *Server) surveyStats(w http.ResponseWriter, r *http.Request, _ *caller) error {
	now := s.now()
	loc := s.reportOptions().Zone()
	day := tickets.DateOf(now, loc)
	week := tickets.WeekOf(now, loc)
	end := now.Add(time.Second) // answers stamped up to now
	today, err := s.surveys.SurveyStats(r.Context(), day.Start(loc), end, surveyComments)
	if err != nil {
		return err
	}
	wk, err := s.surveys.SurveyStats(r.Context(), week.Start(loc), end, 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, surveyPanel{Date: day.String(), Week: week.String(), Today: *today, ThisWeek: *wk})
	return nil
}

// weekSurveys reads the survey figures of week and the week before for
// the weekly report; nil without a survey store.
func (s *Server) weekSurveys(r *http.Request, week tickets.ISOWeek, o tickets.ReportOptions) (*tickets.WeekSurveys, error) {
	if s.surveys == nil {
		return nil, nil
	}
	loc := o.Zone()
	cur, err := s.surveys.SurveyStats(r.Context(), week.Start(loc), week.End(loc), surveyComments)
	if err != nil {
		return nil, err
	}
	prev, err := s.surveys.SurveyStats(r.Context(), week.Prev().Start(loc), week.Prev().End(loc), 0)
	if err != nil {
		return nil, err
	}
	return &tickets.WeekSurveys{Week: *cur, Previous: *prev}, nil
}

func (s *Server) weeklySurveysCSV(w http.ResponseWriter, r *http.Request, c *caller) error {
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
	w.Header().Set("Content-Disposition", `attachment; filename="atiende-weekly-surveys-`+rep.Week+`.csv"`)
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	_ = cw.WriteAll(WeeklySurveyCSVRecords(rep, lang))
	return nil
}
