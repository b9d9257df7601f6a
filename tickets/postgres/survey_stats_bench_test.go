package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/metrics/benchload"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// BenchmarkSurveyStats reads one week's figures (by agent, queue and
// service, with 20 comments) out of a year of surveys: 2,000 tickets with
// 100,000 answers (about 2,000 a week), half of them never answered
// surveys too.
func BenchmarkSurveyStats(b *testing.B) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.DB(b), postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	for range 2000 {
		tk := sampleTicket()
		if err := db.CreateTicket(ctx, tk, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := postgres.RawExec(ctx, db, `
		INSERT INTO surveys (token_hash, ticket_number, agent, language, created_at, answered_at, score, comment, channel)
		SELECT decode(md5(i::text), 'hex'), n.nums[1 + i % 2000], 'agent' || (i % 20), 'es',
			$1::timestamptz + (i * interval '5 minutes'),
			CASE WHEN i % 3 = 0 THEN NULL ELSE $1::timestamptz + (i * interval '5 minutes') END,
			CASE WHEN i % 3 = 0 THEN NULL ELSE 1 + i % 5 END,
			CASE WHEN i % 7 = 0 THEN 'comentario ' || i ELSE '' END,
			CASE WHEN i % 2 = 0 THEN 'keypad' ELSE 'web' END
		FROM generate_series(1, 150000) i, (SELECT array_agg(number ORDER BY id) AS nums FROM tickets) n`, year); err != nil {
		b.Fatal(err)
	}
	if err := postgres.RawExec(ctx, db, "ANALYZE surveys"); err != nil {
		b.Fatal(err)
	}
	from := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	week := func(b *testing.B) {
		defer benchload.Report(b)
		for b.Loop() {
			st, err := db.SurveyStats(ctx, from, from.Add(7*24*time.Hour), 20)
			if err != nil {
				b.Fatal(err)
			}
			if st.Total.Count == 0 {
				b.Fatal("no answers in the week")
			}
		}
	}
	b.Run("index", week)
	// The baseline: the same without migration 0009's index.
	if err := postgres.RawExec(ctx, db, "DROP INDEX surveys_answered_at"); err != nil {
		b.Fatal(err)
	}
	b.Run("no-index", week)
}
