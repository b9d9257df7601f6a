package tickets

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// Survey channels: how a satisfaction score was given.
const (
	SurveyKeypad = "keypad" // the 1-to-5 keypad survey after the call
	SurveyWeb    = "web"    // the single-use survey page linked from the closing email
)

// LowSurveyScore is the highest score that opens a follow-up for the
// supervisor (1 and 2 on the 1-to-5 scale).
const LowSurveyScore = 2

// SurveyAnswer is one recorded satisfaction score, with what the
// follow-up of a low score needs.
type SurveyAnswer struct {
	// ID names the answer in the store (SetSurveyFollowUp); never shown.
	ID           string    `json:"-"`
	TicketNumber string    `json:"ticket_number"`
	Agent        string    `json:"agent,omitempty"`
	Queue        string    `json:"queue,omitempty"`
	Service      string    `json:"service,omitempty"`
	Channel      string    `json:"channel"` // SurveyKeypad or SurveyWeb
	Score        int       `json:"score"`
	Comment      string    `json:"comment,omitempty"`
	Language     string    `json:"language,omitempty"`
	AnsweredAt   time.Time `json:"answered_at"`
	// FollowUp is the number of the ticket a low score opened, if any.
	FollowUp string `json:"follow_up,omitempty"`
}

// Low reports whether the score asks for a supervisor's follow-up.
func (a SurveyAnswer) Low() bool { return a.Score >= 1 && a.Score <= LowSurveyScore }

// SurveyFigure is the answers of one agent, queue or service (or of all,
// when Key is empty) in a period.
type SurveyFigure struct {
	Key   string   `json:"key,omitempty"`
	Count int      `json:"count"`
	Mean  *float64 `json:"mean"` // null without answers
	Low   int      `json:"low"`  // scores 1-2
	// Scores counts each score: Scores[0] is how many 1s, Scores[4] 5s.
	Scores [5]int `json:"scores"`
}

// SurveyStats are the satisfaction scores answered in [From, To).
type SurveyStats struct {
	From      time.Time      `json:"from"`
	To        time.Time      `json:"to"`
	Total     SurveyFigure   `json:"total"`
	ByAgent   []SurveyFigure `json:"by_agent"`
	ByQueue   []SurveyFigure `json:"by_queue"`
	ByService []SurveyFigure `json:"by_service"`
	// Comments are the latest answers with a comment or a low score,
	// newest first.
	Comments []SurveyAnswer `json:"comments"`
}

// SurveyStatsStore aggregates survey answers (tickets/postgres).
type SurveyStatsStore interface {
	// SurveyStats returns the answers in [from, to) by agent, queue and
	// service, and up to comments of the latest commented or low answers.
	SurveyStats(ctx context.Context, from, to time.Time, comments int) (*SurveyStats, error)
}

// WeekSurveys are the satisfaction scores of a report's week and of the
// week before.
type WeekSurveys struct {
	Week     SurveyStats `json:"week"`
	Previous SurveyStats `json:"previous"`
}

// surveyCSVHeader names the survey CSV columns in each language.
var surveyCSVHeader = map[string][]string{
	"en": {"week", "by", "name", "answers", "mean_score", "low_scores", "score_1", "score_2", "score_3", "score_4", "score_5",
		"prev_answers", "prev_mean_score", "delta_mean_score"},
	"es": {"semana", "por", "nombre", "respuestas", "calificacion_media", "calificaciones_bajas", "calif_1", "calif_2", "calif_3", "calif_4", "calif_5",
		"ant_respuestas", "ant_calificacion_media", "dif_calificacion_media"},
}

var surveyCSVBy = map[string]map[string]string{
	"en": {"agent": "agent", "queue": "queue", "service": "service", "total": "all"},
	"es": {"agent": "agente", "queue": "cola", "service": "servicio", "total": "todos"},
}

// WeeklySurveyCSVRecords returns the survey figures of a weekly report as
// CSV records: the header, then one row per agent, queue and service, and
// the total. Means have two decimals; an empty cell is a mean without
// answers.
func WeeklySurveyCSVRecords(r *WeeklyReport, lang string) [][]string {
	lang = reportLang(lang)
	out := [][]string{slices.Clone(surveyCSVHeader[lang])}
	if r.Surveys == nil {
		return out
	}
	by := surveyCSVBy[lang]
	prevOf := func(list []SurveyFigure, key string) SurveyFigure {
		for _, f := range list {
			if f.Key == key {
				return f
			}
		}
		return SurveyFigure{}
	}
	row := func(kind, name string, cur, prev SurveyFigure) {
		rec := []string{r.Week, by[kind], name, strconv.Itoa(cur.Count), reportFixed2(cur.Mean), strconv.Itoa(cur.Low)}
		for _, n := range cur.Scores {
			rec = append(rec, strconv.Itoa(n))
		}
		var delta *float64
		if cur.Mean != nil && prev.Mean != nil {
			d := *cur.Mean - *prev.Mean
			delta = &d
		}
		rec = append(rec, strconv.Itoa(prev.Count), reportFixed2(prev.Mean), reportFixed2(delta))
		out = append(out, rec)
	}
	w, p := &r.Surveys.Week, &r.Surveys.Previous
	for _, g := range []struct {
		kind      string
		cur, prev []SurveyFigure
	}{{"agent", w.ByAgent, p.ByAgent}, {"queue", w.ByQueue, p.ByQueue}, {"service", w.ByService, p.ByService}} {
		for _, f := range g.cur {
			row(g.kind, f.Key, f, prevOf(g.prev, f.Key))
		}
	}
	row("total", by["total"], w.Total, p.Total)
	return out
}
