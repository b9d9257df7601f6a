// Package postgres stores tickets, contacts and users in PostgreSQL. It is
// the only package in Atiende that imports pgx; nothing of pgx leaks out of
// it: callers see tickets.Store and domain errors.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options tune Open. Zero values take defaults.
type Options struct {
	MaxConns int32            // pool size; 0 keeps pgxpool's default
	Clock    func() time.Time // nil means time.Now
	Logger   *slog.Logger     // nil discards
}

// DB is a tickets.Store on a PostgreSQL connection pool.
type DB struct {
	pool   *pgxpool.Pool
	clock  func() time.Time
	log    *slog.Logger
	group  *groupCommit // ticket creations committed together
	listen *listener    // the one LISTEN connection
}

var _ tickets.Store = (*DB)(nil)

// Open connects a pool to url (a postgres:// URL or key=value DSN). Query
// parameters that are not connection settings become session settings, e.g.
// "?synchronous_commit=on".
func Open(ctx context.Context, url string, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	return open(ctx, cfg, o)
}

// open connects a pool configured by cfg (tests add a tracer to it).
func open(ctx context.Context, cfg *pgxpool.Config, o Options) (*DB, error) {
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	db := &DB{pool: pool, clock: o.Clock, log: o.Logger}
	db.group = newGroupCommit(db)
	db.listen = newListener(db)
	if db.clock == nil {
		db.clock = time.Now
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	return db, nil
}

// Close closes every connection of the pool.
func (db *DB) Close() {
	db.group.close()
	db.pool.Close()
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w: %w", tickets.Errorf(tickets.EUNAVAILABLE, "database unavailable"), err)
	}
	return nil
}

// now is the injected clock at the precision PostgreSQL keeps, so that a
// value returned to the caller equals the value read back later.
func (db *DB) now() time.Time { return db.clock().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a read-committed transaction, committing when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// dbErr wraps err with what was being done, translating PostgreSQL
// constraint violations into domain codes so that callers can tell a user
// what to fix. Domain errors pass through.
func dbErr(what string, err error) error {
	var de *tickets.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &de):
		return fmt.Errorf("postgres: %s: %w", what, err)
	case errors.As(err, &pe):
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("postgres: %s: %w", what, tickets.Errorf(tickets.ECONFLICT, "%s: already exists (%s)", what, pe.ConstraintName))
		case "23514", "23502", "22001", "22P02": // check, not null, too long, bad text representation
			return fmt.Errorf("postgres: %s: %w", what, tickets.Errorf(tickets.EINVALID, "%s: invalid value (%s)", what, constraint(pe)))
		case "23503": // foreign_key_violation
			return fmt.Errorf("postgres: %s: %w", what, tickets.Errorf(tickets.EINVALID, "%s: refers to a record that does not exist (%s)", what, pe.ConstraintName))
		case "22021": // character_not_in_repertoire: text that is not UTF-8
			return fmt.Errorf("postgres: %s: %w", what, tickets.Errorf(tickets.EINVALID, "%s: text is not valid UTF-8", what))
		}
	}
	if unavailable(err) {
		return fmt.Errorf("postgres: %s: %w: %w", what, tickets.Errorf(tickets.EUNAVAILABLE, "the database is unavailable; try again shortly"), err)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// unavailable tells whether err means the database cannot serve now but may
// soon: it is down, restarting, out of connections or resources, or it
// aborted a transaction that a retry would complete (serialization failure,
// deadlock). Such errors are EUNAVAILABLE, which the web answers 503 with
// Retry-After, rather than "internal error".
func unavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),       // insufficient resources (too many connections, disk full)
			pe.Code == "57P01", pe.Code == "57P02", // admin or crash shutdown
			pe.Code == "57P03",                     // cannot connect now (starting up)
			pe.Code == "40001", pe.Code == "40P01": // serialization failure, deadlock
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne),
		pgconn.SafeToRetry(err), pgconn.Timeout(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	// pgx reports a connection lost mid-query with a plain error whose
	// text names it; it wraps the net error when it has one (above).
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "closed pool") ||
		strings.Contains(msg, "unexpected EOF")
}

func constraint(pe *pgconn.PgError) string {
	if pe.ConstraintName != "" {
		return pe.ConstraintName
	}
	if pe.ColumnName != "" {
		return pe.ColumnName
	}
	return pe.Code
}

func notFound(format string, args ...any) error {
	return tickets.Errorf(tickets.ENOTFOUND, format, args...)
}

// nonNil keeps NOT NULL array columns from receiving NULL for a nil slice.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
