package postgres

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

var _ tickets.SurveyStatsStore = (*DB)(nil)

// surveyStatsSQL aggregates the answers of a period by agent, queue and
// service in one pass. The partial index surveys_answered_at serves the
// range (with score, agent and ticket in the index); the ticket's queue and
// service come through its unique number.
const surveyStatsSQL = `
SELECT grouping(s.agent), grouping(t.queue), grouping(t.service),
	coalesce(s.agent, ''), coalesce(t.queue, ''), coalesce(t.service, ''),
	count(*), avg(s.score)::float8,
	count(*) FILTER (WHERE s.score <= 2),
	count(*) FILTER (WHERE s.score = 1), count(*) FILTER (WHERE s.score = 2),
	count(*) FILTER (WHERE s.score = 3), count(*) FILTER (WHERE s.score = 4),
	count(*) FILTER (WHERE s.score = 5)
FROM surveys s JOIN tickets t ON t.number = s.ticket_number
WHERE s.answered_at IS NOT NULL AND s.answered_at >= $1 AND s.answered_at < $2
GROUP BY GROUPING SETS ((), (s.agent), (t.queue), (t.service))`

const surveyAnswerCols = `s.token_hash, s.ticket_number, s.agent, t.queue, t.service, s.channel, s.score, s.comment,
	s.language, s.answered_at, coalesce(s.follow_up, '')`

// surveyCommentsSQL: the latest answers with a comment or a low score,
// newest first, read backwards along surveys_answered_at.
const surveyCommentsSQL = `
SELECT ` + surveyAnswerCols + `
FROM surveys s JOIN tickets t ON t.number = s.ticket_number
WHERE s.answered_at IS NOT NULL AND s.answered_at >= $1 AND s.answered_at < $2
	AND (s.comment <> '' OR s.score <= 2)
ORDER BY s.answered_at DESC, s.token_hash
LIMIT $3`

// SurveyStats returns the satisfaction scores answered in [from, to), by
// agent, queue and service (each list by key), and up to comments of the
// latest answers with a comment or a low score.
func (db *DB) SurveyStats(ctx context.Context, from, to time.Time, comments int) (*tickets.SurveyStats, error) {
	st := &tickets.SurveyStats{From: from, To: to, ByAgent: []tickets.SurveyFigure{}, ByQueue: []tickets.SurveyFigure{},
		ByService: []tickets.SurveyFigure{}, Comments: []tickets.SurveyAnswer{}}
	rows, err := db.pool.Query(ctx, surveyStatsSQL, from.UTC(), to.UTC())
	if err != nil {
		return nil, dbErr("survey stats", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			ga, gq, gs         int
			agent, queue, svc  string
			f                  tickets.SurveyFigure
			mean               *float64
			s1, s2, s3, s4, s5 int
		)
		if err := rows.Scan(&ga, &gq, &gs, &agent, &queue, &svc, &f.Count, &mean, &f.Low, &s1, &s2, &s3, &s4, &s5); err != nil {
			return nil, dbErr("survey stats", err)
		}
		f.Mean = mean
		f.Scores = [5]int{s1, s2, s3, s4, s5}
		switch {
		case ga == 0:
			f.Key = agent
			st.ByAgent = append(st.ByAgent, f)
		case gq == 0:
			f.Key = queue
			st.ByQueue = append(st.ByQueue, f)
		case gs == 0:
			f.Key = svc
			st.ByService = append(st.ByService, f)
		default:
			st.Total = f
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("survey stats", err)
	}
	for _, l := range [][]tickets.SurveyFigure{st.ByAgent, st.ByQueue, st.ByService} {
		sortFigures(l)
	}
	if comments > 0 {
		rows, err := db.pool.Query(ctx, surveyCommentsSQL, from.UTC(), to.UTC(), comments)
		if err != nil {
			return nil, dbErr("survey comments", err)
		}
		list, err := pgx.CollectRows(rows, scanSurveyAnswer)
		if err != nil {
			return nil, dbErr("survey comments", err)
		}
		st.Comments = list
	}
	return st, nil
}

func sortFigures(l []tickets.SurveyFigure) {
	slices.SortFunc(l, func(a, b tickets.SurveyFigure) int { return strings.Compare(a.Key, b.Key) })
}

func scanSurveyAnswer(r pgx.CollectableRow) (tickets.SurveyAnswer, error) {
	var (
		a    tickets.SurveyAnswer
		hash []byte
	)
	err := r.Scan(&hash, &a.TicketNumber, &a.Agent, &a.Queue, &a.Service, &a.Channel, &a.Score, &a.Comment,
		&a.Language, &a.AnsweredAt, &a.FollowUp)
	a.ID = hex.EncodeToString(hash)
	return a, err
}

// surveyAnswer reads one answered survey by its key.
func (db *DB) surveyAnswer(ctx context.Context, key []byte) (*tickets.SurveyAnswer, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+surveyAnswerCols+`
		FROM surveys s JOIN tickets t ON t.number = s.ticket_number
		WHERE s.token_hash = $1 AND s.answered_at IS NOT NULL`, key)
	if err != nil {
		return nil, dbErr("survey answer", err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanSurveyAnswer)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: survey answer: %w", notFound("no such answered survey"))
	} else if err != nil {
		return nil, dbErr("survey answer", err)
	}
	return &a, nil
}

// WebSurveyAnswer returns the answer given on the survey page whose token
// has this hash (ENOTFOUND if it is not answered).
func (db *DB) WebSurveyAnswer(ctx context.Context, hash []byte) (*tickets.SurveyAnswer, error) {
	return db.surveyAnswer(ctx, hash)
}

// KeypadSurveyAnswer returns the keypad score of call callID (ENOTFOUND if
// none).
func (db *DB) KeypadSurveyAnswer(ctx context.Context, callID string) (*tickets.SurveyAnswer, error) {
	return db.surveyAnswer(ctx, keypadKey(callID))
}

// SetSurveyFollowUp records the follow-up ticket a low answer opened; an
// answer keeps its first follow-up (ECONFLICT for another one).
func (db *DB) SetSurveyFollowUp(ctx context.Context, id, number string) error {
	key, err := hex.DecodeString(id)
	if err != nil {
		return fmt.Errorf("postgres: survey follow-up: %w", tickets.Errorf(tickets.EINVALID, "bad survey id"))
	}
	tag, err := db.pool.Exec(ctx, `UPDATE surveys SET follow_up = $2
		WHERE token_hash = $1 AND (follow_up IS NULL OR follow_up = $2)`, key, number)
	if err != nil {
		return dbErr("survey follow-up", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: survey follow-up: %w", tickets.Errorf(tickets.ECONFLICT, "this answer already has a follow-up"))
	}
	return nil
}

// SurveyAnswerByID returns an answer by its SurveyAnswer.ID (ENOTFOUND if
// none is answered under it).
func (db *DB) SurveyAnswerByID(ctx context.Context, id string) (*tickets.SurveyAnswer, error) {
	key, err := hex.DecodeString(id)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("postgres: survey answer: %w", tickets.Errorf(tickets.EINVALID, "bad survey id"))
	}
	return db.surveyAnswer(ctx, key)
}
