package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
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
