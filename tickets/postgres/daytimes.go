package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// QueueTimes are a queue's summed times over a span, as the ACD adds them
// up (agentdesk.QueueStats TotalAnswerWait and TotalTalk).
type QueueTimes struct {
	AnswerWait time.Duration // queue entry to answer, of the calls answered in the span
	Talk       time.Duration // answer to end, of the answered calls that ended in the span
}

// AnsweredTimes sums QueueTimes per queue over [from, to) from the final
// call records; with the day's figures (DayCallStats) they rebuild the live
// counters after a restart.
func (db *DB) AnsweredTimes(ctx context.Context, from, to time.Time) (map[string]QueueTimes, error) {
	rows, err := db.pool.Query(ctx, `SELECT queue,
		COALESCE((extract(epoch FROM sum(answered_at - queued_at) FILTER (WHERE answered_at >= $1 AND answered_at < $2)) * 1000000)::bigint, 0),
		COALESCE((extract(epoch FROM sum(ended_at - answered_at) FILTER (WHERE ended_at >= $1 AND ended_at < $2)) * 1000000)::bigint, 0)
		FROM ticket_calls
		WHERE outcome = 'answered' AND queued_at IS NOT NULL AND answered_at IS NOT NULL AND ended_at IS NOT NULL
			AND ((answered_at >= $1 AND answered_at < $2) OR (ended_at >= $1 AND ended_at < $2))
		GROUP BY queue`, from, to)
	if err != nil {
		return nil, dbErr("answered times", err)
	}
	out := map[string]QueueTimes{}
	var (
		queue      string
		wait, talk int64
	)
	_, err = pgx.ForEachRow(rows, []any{&queue, &wait, &talk}, func() error {
		out[queue] = QueueTimes{AnswerWait: time.Duration(wait) * time.Microsecond, Talk: time.Duration(talk) * time.Microsecond}
		return nil
	})
	if err != nil {
		return nil, dbErr("answered times", err)
	}
	return out, nil
}
