package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

const userCols = "id, username, name, email, role, language, extension, skills, level, disabled, password_hash, version, created_at"

func scanUser(row pgx.Row) (*tickets.User, error) {
	var u tickets.User
	err := row.Scan(&u.ID, &u.Username, &u.Name, &u.Email, &u.Role, &u.Language, &u.Extension, &u.Skills, &u.Level,
		&u.Disabled, &u.PasswordHash, &u.Version, &u.CreatedAt)
	if len(u.Skills) == 0 {
		u.Skills = nil
	}
	return &u, err
}

// CreateUser stores u at version 1. A taken username is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u *tickets.User) error {
	if !u.Role.Valid() {
		return fmt.Errorf("postgres: create user: %w", tickets.Errorf(tickets.EINVALID, "role %q is not valid", u.Role))
	}
	if u.Language == "" {
		u.Language = "es"
	}
	now := db.now()
	err := db.pool.QueryRow(ctx, `INSERT INTO users (username, name, email, role, language, extension, skills, level,
		disabled, password_hash, version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11) RETURNING id`,
		u.Username, u.Name, u.Email, u.Role, u.Language, u.Extension, nonNil(u.Skills), u.Level, u.Disabled,
		u.PasswordHash, now).Scan(&u.ID)
	if err != nil {
		return dbErr("create user "+u.Username, err)
	}
	u.Version, u.CreatedAt = 1, now
	return nil
}

// User returns the user with the given username.
func (db *DB) User(ctx context.Context, username string) (*tickets.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE username = $1", username))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: user: %w", notFound("user %s does not exist", username))
	} else if err != nil {
		return nil, dbErr("user "+username, err)
	}
	return u, nil
}

// ListUsers returns every user, by username.
func (db *DB) ListUsers(ctx context.Context) ([]*tickets.User, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+userCols+" FROM users ORDER BY username")
	if err != nil {
		return nil, dbErr("list users", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*tickets.User, error) { return scanUser(r) })
	if err != nil {
		return nil, dbErr("list users", err)
	}
	return list, nil
}

// UpdateUser stores u, found by username. A non-zero u.Version must match
// (ECONFLICT otherwise). An empty PasswordHash keeps the stored one, since
// the hash never travels to clients and back.
func (db *DB) UpdateUser(ctx context.Context, u *tickets.User) error {
	if !u.Role.Valid() {
		return fmt.Errorf("postgres: update user: %w", tickets.Errorf(tickets.EINVALID, "role %q is not valid", u.Role))
	}
	var version int
	err := db.pool.QueryRow(ctx, `UPDATE users SET name = $2, email = $3, role = $4, language = $5, extension = $6,
		skills = $7, level = $8, disabled = $9, password_hash = COALESCE(NULLIF($10, ''), password_hash),
		version = version + 1
		WHERE username = $1 AND ($11 = 0 OR version = $11) RETURNING version`,
		u.Username, u.Name, u.Email, u.Role, u.Language, u.Extension, nonNil(u.Skills), u.Level, u.Disabled,
		u.PasswordHash, u.Version).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := db.User(ctx, u.Username); err != nil {
			return err
		}
		return fmt.Errorf("postgres: update user: %w", tickets.Errorf(tickets.ECONFLICT, "user %s was changed meanwhile (version %d is stale); reload it", u.Username, u.Version))
	} else if err != nil {
		return dbErr("update user "+u.Username, err)
	}
	u.Version = version
	return nil
}

// CreateSession stores a session by the hash of its cookie.
func (db *DB) CreateSession(ctx context.Context, s *tickets.Session) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now()
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (hash, username, csrf_token, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, s.Hash, s.Username, s.CSRFToken, s.CreatedAt, s.ExpiresAt)
	if err != nil {
		return dbErr("create session for "+s.Username, err)
	}
	return nil
}

// SessionByHash returns the unexpired session with the given hash.
func (db *DB) SessionByHash(ctx context.Context, hash []byte) (*tickets.Session, error) {
	var s tickets.Session
	err := db.pool.QueryRow(ctx, `SELECT hash, username, csrf_token, created_at, expires_at FROM sessions
		WHERE hash = $1 AND expires_at > $2`, hash, db.now()).Scan(&s.Hash, &s.Username, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: session: %w", notFound("no such session, or it has expired"))
	} else if err != nil {
		return nil, dbErr("session", err)
	}
	return &s, nil
}

// DeleteSession ends a session; ending one that does not exist is not an error.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := db.pool.Exec(ctx, "DELETE FROM sessions WHERE hash = $1", hash); err != nil {
		return dbErr("delete session", err)
	}
	return nil
}

// CreateToken stores an API token by its hash.
func (db *DB) CreateToken(ctx context.Context, t *tickets.APIToken) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = db.now()
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO api_tokens (hash, username, name, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, t.Hash, t.Username, t.Name, t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return dbErr("create token for "+t.Username, err)
	}
	return nil
}

// TokenByHash returns the unexpired token with the given hash.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*tickets.APIToken, error) {
	var t tickets.APIToken
	err := db.pool.QueryRow(ctx, `SELECT hash, username, name, created_at, expires_at FROM api_tokens
		WHERE hash = $1 AND (expires_at IS NULL OR expires_at > $2)`, hash, db.now()).Scan(&t.Hash, &t.Username, &t.Name, &t.CreatedAt, &t.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: token: %w", notFound("no such API token, or it has expired"))
	} else if err != nil {
		return nil, dbErr("token", err)
	}
	return &t, nil
}
