package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var _ tickets.ExtensionHolds = (*DB)(nil)

// HoldExtension: see tickets.ExtensionHolds. One statement: moving an agent
// to another extension and refusing one another agent holds are atomic (the
// primary key on extension decides a race: exactly one wins).
func (db *DB) HoldExtension(ctx context.Context, username, ext string) error {
	if username == "" || ext == "" {
		return fmt.Errorf("postgres: hold extension: %w", tickets.Errorf(tickets.EINVALID, "a hold needs an agent and an extension"))
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO extension_holds (extension, username, since) VALUES ($1, $2, $3)
		ON CONFLICT (username) DO UPDATE SET extension = EXCLUDED.extension,
			since = CASE WHEN extension_holds.extension = EXCLUDED.extension THEN extension_holds.since ELSE EXCLUDED.since END`,
		ext, username, db.now())
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "extension_holds_pkey" {
		holder, herr := db.ExtensionHolder(ctx, ext)
		if herr != nil || holder == "" {
			holder = "another agent" // released meanwhile: the caller may retry
		}
		return fmt.Errorf("postgres: hold extension %s: %w: %w", ext,
			tickets.Errorf(tickets.ECONFLICT, "extension %s is in use by %s", ext, holder),
			&tickets.ExtensionHeldError{Extension: ext, Holder: holder})
	}
	if err != nil {
		return dbErr("hold extension "+ext, err)
	}
	return nil
}

// ReleaseExtension: see tickets.ExtensionHolds.
func (db *DB) ReleaseExtension(ctx context.Context, username string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM extension_holds WHERE username = $1`, username); err != nil {
		return dbErr("release extension", err)
	}
	return nil
}

// ExtensionHolder: see tickets.ExtensionHolds.
func (db *DB) ExtensionHolder(ctx context.Context, ext string) (string, error) {
	var u string
	err := db.pool.QueryRow(ctx, `SELECT username FROM extension_holds WHERE extension = $1`, ext).Scan(&u)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", dbErr("extension holder", err)
	}
	return u, nil
}
