package tickets

import (
	"context"
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
