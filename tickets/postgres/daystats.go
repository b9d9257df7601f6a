package postgres

import (
	"context"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/jackc/pgx/v5"
)

var _ agentdesk.DayStatsStore = (*DB)(nil)

// dayCallsWhere selects the final call records ($1, $2: the day) with some
// figure in the day: every figure lies within the record's span, which
// migration 0008's GiST index covers (the expression must stay the same).
const dayCallsWhere = `c.queued_at IS NOT NULL AND c.outcome <> ''
	AND tstzrange(LEAST(c.queued_at, c.answered_at, c.ended_at), GREATEST(c.queued_at, c.answered_at, c.ended_at), '[]')
		&& tstzrange($1, $2, '[)')`

// dayStatsSQL counts the figures of agentdesk/daystats.go per bucket and
// queue. $3: the bucket width in seconds; $4-$6: queue names and their
// service level and short-abandon thresholds in microseconds; $7, $8: the
// thresholds of any other queue. Each record gives one row per figure, at
// the figure's own moment; only moments inside the day count.
const dayStatsSQL = `
WITH calls AS (
	SELECT c.queue, c.queued_at, c.answered_at, c.ended_at, c.outcome,
		COALESCE(th.sl_us, $7) * interval '1 microsecond' AS sl,
		COALESCE(th.short_us, $8) * interval '1 microsecond' AS short
	FROM ticket_calls c
	LEFT JOIN unnest($4::text[], $5::bigint[], $6::bigint[]) AS th (queue, sl_us, short_us) ON th.queue = c.queue
	WHERE ` + dayCallsWhere + `
), figures (queue, at, offered, answered, in_sl, abandoned, short, callbacks) AS (
	SELECT queue, queued_at, 1, 0, 0, 0, 0, 0 FROM calls
	UNION ALL
	SELECT queue, answered_at, 0, 1, (answered_at - queued_at <= sl)::int, 0, 0, 0
	FROM calls WHERE outcome = 'answered' AND answered_at IS NOT NULL
	UNION ALL
	SELECT queue, ended_at, 0, 0, 0, (ended_at - queued_at >= short)::int, (ended_at - queued_at < short)::int, 0
	FROM calls WHERE outcome = 'abandoned' AND ended_at IS NOT NULL
	UNION ALL
	SELECT queue, ended_at, 0, 0, 0, 0, 0, 1
	FROM calls WHERE outcome = 'callback' AND ended_at IS NOT NULL
)
SELECT floor(extract(epoch FROM at - $1::timestamptz) / $3)::int, queue,
	sum(offered)::int, sum(answered)::int, sum(in_sl)::int, sum(abandoned)::int, sum(short)::int, sum(callbacks)::int
FROM figures
WHERE at >= $1 AND at < $2
GROUP BY 1, 2`

// dayCallIDsSQL lists the counted records that ended at or after $3.
const dayCallIDsSQL = `SELECT c.call_id FROM ticket_calls c WHERE ` + dayCallsWhere + `
	AND (c.ended_at IS NULL OR c.ended_at >= $3)`

// DayCallStats counts the day's calls per 15-minute bucket and queue. The
// figures and the call IDs come from one snapshot of the database, so a
// record that becomes final meanwhile is in both or in neither.
func (db *DB) DayCallStats(ctx context.Context, q agentdesk.DayStatsQuery) (*agentdesk.DayStats, error) {
	st := agentdesk.NewDayStats(q)
	def := agentdesk.QueueThresholds{}.WithDefaults()
	names := make([]string, 0, len(q.Thresholds))
	sls := make([]int64, 0, len(q.Thresholds))
	shorts := make([]int64, 0, len(q.Thresholds))
	for name := range q.Thresholds {
		th := q.Threshold(name)
		names = append(names, name)
		sls = append(sls, th.ServiceLevel.Microseconds())
		shorts = append(shorts, th.ShortAbandon.Microseconds())
	}
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, dayStatsSQL, st.From, st.To, int64(agentdesk.DayBucketWidth/time.Second),
			names, sls, shorts, def.ServiceLevel.Microseconds(), def.ShortAbandon.Microseconds())
		if err != nil {
			return err
		}
		var (
			bucket int
			queue  string
			f      agentdesk.CallFigures
		)
		_, err = pgx.ForEachRow(rows, []any{&bucket, &queue, &f.Offered, &f.Answered, &f.AnsweredInSL, &f.Abandoned,
			&f.ShortAbandoned, &f.Callbacks}, func() error {
			st.Add(bucket, queue, f)
			return nil
		})
		if err != nil || q.CallsSince.IsZero() {
			return err
		}
		rows, err = tx.Query(ctx, dayCallIDsSQL, st.From, st.To, q.CallsSince)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		st.SetCalls(ids)
		return nil
	})
	if err != nil {
		return nil, dbErr("day call stats "+st.Date, err)
	}
	return st, nil
}
