package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

// CreateSurvey stores a survey under the SHA-256 of its token. Creating the
// same hash again is a no-op, so a retried email reuses its link.
func (db *DB) CreateSurvey(ctx context.Context, hash []byte, ticketNumber, agent, language string, at time.Time) error {
	if language == "" {
		language = "es"
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO surveys (token_hash, ticket_number, agent, language, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash) DO NOTHING`, hash, ticketNumber, agent, language, at.UTC())
	if err != nil {
		return dbErr("create survey for "+ticketNumber, err)
	}
	return nil
}

// Survey returns the ticket and language of the survey with this hash and
// whether it was answered (ENOTFOUND if none).
func (db *DB) Survey(ctx context.Context, hash []byte) (ticketNumber, language string, answered bool, err error) {
	err = db.pool.QueryRow(ctx, `SELECT ticket_number, language, answered_at IS NOT NULL FROM surveys WHERE token_hash = $1`,
		hash).Scan(&ticketNumber, &language, &answered)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, fmt.Errorf("postgres: survey: %w", notFound("no such survey"))
	} else if err != nil {
		return "", "", false, dbErr("survey", err)
	}
	return ticketNumber, language, answered, nil
}

// AnswerSurvey records the score (1-5) and comment once: a second answer is
// ECONFLICT, an unknown hash ENOTFOUND.
func (db *DB) AnswerSurvey(ctx context.Context, hash []byte, score int, comment string, at time.Time) error {
	if score < 1 || score > 5 {
		return fmt.Errorf("postgres: answer survey: %w", tickets.Errorf(tickets.EINVALID, "score %d is not 1 to 5", score))
	}
	tag, err := db.pool.Exec(ctx, `UPDATE surveys SET score = $2, comment = $3, answered_at = $4
		WHERE token_hash = $1 AND answered_at IS NULL`, hash, score, comment, at.UTC())
	if err != nil {
		return dbErr("answer survey", err)
	}
	if tag.RowsAffected() == 0 {
		if _, _, _, err := db.Survey(ctx, hash); err != nil {
			return err
		}
		return fmt.Errorf("postgres: answer survey: %w", tickets.Errorf(tickets.ECONFLICT, "this survey was already answered"))
	}
	return nil
}

// SurveyScores returns how many surveys were answered and their mean score,
// for one ticket (by != "agent") or one agent (by == "agent").
func (db *DB) SurveyScores(ctx context.Context, by, value string) (count int, mean float64, err error) {
	col := "ticket_number"
	if by == "agent" {
		col = "agent"
	}
	err = db.pool.QueryRow(ctx, `SELECT count(*), coalesce(avg(score), 0)::float8 FROM surveys
		WHERE answered_at IS NOT NULL AND `+col+` = $1`, value).Scan(&count, &mean)
	if err != nil {
		return 0, 0, dbErr("survey scores", err)
	}
	return count, mean, nil
}
