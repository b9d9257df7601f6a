package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/atiende/atiende/tickets"
)

// keypadKey is the surveys row key of a call's keypad survey. It is not a
// SHA-256 of anything, so no emailed token (kept as its SHA-256) can name
// it: the survey page never shows nor answers a keypad survey.
func keypadKey(callID string) []byte { return []byte("keypad:" + callID) }

// RecordKeypadSurvey keeps the 1-to-5 score a caller gave with the keypad
// after call callID, for ticketNumber and the agent who answered. It is a
// row of the surveys table, created answered, so SurveyScores counts it
// with the emailed surveys, by ticket and by agent. One score per call: a
// second one is ECONFLICT; a score out of range, an empty call ID or ticket
// is EINVALID, and so is an unknown ticket.
func (db *DB) RecordKeypadSurvey(ctx context.Context, callID, ticketNumber, agent, language string, score int, at time.Time) error {
	switch {
	case score < 1 || score > 5:
		return fmt.Errorf("postgres: keypad survey: %w", tickets.Errorf(tickets.EINVALID, "score %d is not 1 to 5", score))
	case callID == "" || ticketNumber == "":
		return fmt.Errorf("postgres: keypad survey: %w", tickets.Errorf(tickets.EINVALID, "a keypad survey needs the call and its ticket"))
	}
	if language != "en" {
		language = "es"
	}
	tag, err := db.pool.Exec(ctx, `INSERT INTO surveys (token_hash, ticket_number, agent, language, created_at, answered_at, score, channel)
		VALUES ($1, $2, $3, $4, $5, $5, $6, 'keypad') ON CONFLICT (token_hash) DO NOTHING`,
		keypadKey(callID), ticketNumber, agent, language, at.UTC(), score)
	if err != nil {
		return dbErr("keypad survey for "+ticketNumber, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: keypad survey: %w", tickets.Errorf(tickets.ECONFLICT, "call %s was already scored", callID))
	}
	return nil
}
