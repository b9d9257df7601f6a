package postgres

import "context"

// RawScan runs a one-row query and scans it into dst.
func RawScan(ctx context.Context, db *DB, sql string, args []any, dst ...any) error {
	return db.pool.QueryRow(ctx, sql, args...).Scan(dst...)
}
