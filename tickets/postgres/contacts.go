package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

const contactCols = "id, name, department, area, email, phones, extensions, language, created_at, updated_at"

func scanContact(row pgx.Row) (*tickets.Contact, error) {
	var c tickets.Contact
	err := row.Scan(&c.ID, &c.Name, &c.Department, &c.Area, &c.Email, &c.Phones, &c.Extensions, &c.Language, &c.CreatedAt, &c.UpdatedAt)
	return &c, err
}

// SaveContact inserts c when c.ID is 0 and updates it otherwise.
func (db *DB) SaveContact(ctx context.Context, c *tickets.Contact) error {
	now := db.now()
	if c.Language == "" {
		c.Language = "es"
	}
	args := []any{c.Name, c.Department, c.Area, c.Email, nonNil(c.Phones), nonNil(c.Extensions), c.Language, now}
	if c.ID == 0 {
		err := db.pool.QueryRow(ctx, `INSERT INTO contacts (name, department, area, email, phones, extensions, language,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, args...).Scan(&c.ID)
		if err != nil {
			return dbErr("create contact", err)
		}
		c.CreatedAt, c.UpdatedAt = now, now
		return nil
	}
	err := db.pool.QueryRow(ctx, `UPDATE contacts SET name = $1, department = $2, area = $3, email = $4, phones = $5,
		extensions = $6, language = $7, updated_at = $8 WHERE id = $9 RETURNING created_at`, append(args, c.ID)...).Scan(&c.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: save contact: %w", notFound("contact %d does not exist", c.ID))
	} else if err != nil {
		return dbErr(fmt.Sprintf("save contact %d", c.ID), err)
	}
	c.UpdatedAt = now
	return nil
}

// Contact returns the contact with the given id.
func (db *DB) Contact(ctx context.Context, id int64) (*tickets.Contact, error) {
	c, err := scanContact(db.pool.QueryRow(ctx, "SELECT "+contactCols+" FROM contacts WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: contact: %w", notFound("contact %d does not exist", id))
	} else if err != nil {
		return nil, dbErr(fmt.Sprintf("contact %d", id), err)
	}
	return c, nil
}

// ContactByPhone returns the contact with s among its phones or extensions
// (s is already normalised). If several have it, the oldest wins.
func (db *DB) ContactByPhone(ctx context.Context, s string) (*tickets.Contact, error) {
	c, err := scanContact(db.pool.QueryRow(ctx, "SELECT "+contactCols+` FROM contacts
		WHERE phones @> ARRAY[$1::text] OR extensions @> ARRAY[$1::text] ORDER BY id LIMIT 1`, s))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: contact by phone: %w", notFound("no contact has phone or extension %s", s))
	} else if err != nil {
		return nil, dbErr("contact by phone "+s, err)
	}
	return c, nil
}

// ListContacts returns contacts whose name, email or department contains
// query, ignoring case and accents, ordered by name.
func (db *DB) ListContacts(ctx context.Context, query string, limit, offset int) ([]*tickets.Contact, error) {
	limit, offset = pageOf(limit, offset)
	pattern := "%" + likeEscape(strings.TrimSpace(query)) + "%"
	rows, err := db.pool.Query(ctx, "SELECT "+contactCols+` FROM contacts
		WHERE atiende_unaccent(name || ' ' || email || ' ' || department) ILIKE atiende_unaccent($1)
		ORDER BY name, id LIMIT $2 OFFSET $3`, pattern, limit, offset)
	if err != nil {
		return nil, dbErr("list contacts", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*tickets.Contact, error) { return scanContact(r) })
	if err != nil {
		return nil, dbErr("list contacts", err)
	}
	return list, nil
}

// likeEscape makes s match literally inside a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
