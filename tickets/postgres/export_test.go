package postgres

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RawExec and RawInt let tests look under the Store API.
func RawExec(ctx context.Context, db *DB, sql string, args ...any) error {
	_, err := db.pool.Exec(ctx, sql, args...)
	return err
}

func RawInt(ctx context.Context, db *DB, sql string, args ...any) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, sql, args...).Scan(&n)
	return n, err
}

func RawText(ctx context.Context, db *DB, sql string) (string, error) {
	var s string
	err := db.pool.QueryRow(ctx, sql).Scan(&s)
	return s, err
}

// BulkTicketCols are the columns BulkLoadTickets expects in each row.
var BulkTicketCols = []string{"number", "kind", "service", "impact", "urgency", "priority", "level", "state",
	"channel", "caller_name", "caller_department", "caller_email", "caller_phone", "caller_extension",
	"subject", "description", "version", "created_at", "updated_at"}

// BulkLoadTickets copies rows straight into the tickets table (no history),
// to build large data sets for benchmarks quickly.
func BulkLoadTickets(ctx context.Context, db *DB, rows [][]any) (int64, error) {
	return db.pool.CopyFrom(ctx, pgx.Identifier{"tickets"}, BulkTicketCols, pgx.CopyFromRows(rows))
}

// Statements records what a DB sends: every statement (BEGIN and COMMIT
// included) and every preparation of a new statement. Each is one round
// trip to the server.
type Statements struct {
	mu   sync.Mutex
	sent []string
}

func (s *Statements) add(sql string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, sql)
}

func (s *Statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.add(d.SQL)
	return ctx
}

func (s *Statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (s *Statements) TracePrepareStart(ctx context.Context, _ *pgx.Conn, d pgx.TracePrepareStartData) context.Context {
	s.add("prepare: " + d.SQL)
	return ctx
}

func (s *Statements) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}

// Take returns the statements sent since the last Take.
func (s *Statements) Take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sent
	s.sent = nil
	return out
}

// OpenRecording is Open with the statements recorded.
func OpenRecording(ctx context.Context, url string, o Options) (*DB, *Statements, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, nil, err
	}
	st := &Statements{}
	cfg.ConnConfig.Tracer = st
	db, err := open(ctx, cfg, o)
	return db, st, err
}

// SetGroupCommit turns the group commit of ticket creations on or off (off:
// each creation is its own statement and commit, the baseline).
func SetGroupCommit(db *DB, on bool) { db.group.off.Store(!on) }

// GroupCommits is how many batches of two or more creations were committed.
func GroupCommits(db *DB) int64 { return db.group.commits.Load() }
