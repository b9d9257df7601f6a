package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var _ tickets.CatalogStore = (*DB)(nil)

// storedCatalog is what a row holds: the services only; the version and who
// saved it are columns.
type storedCatalog struct {
	Services []tickets.Service   `json:"services"`
	Queues   []tickets.QueueName `json:"queues,omitempty"`
}

// LatestCatalog returns the newest stored catalog version, or nil when the
// catalog was never edited. A stored catalog that no longer validates is an
// error naming its version: starting with another catalog than the one
// admins left would be worse.
func (db *DB) LatestCatalog(ctx context.Context) (*tickets.CatalogVersion, error) {
	var (
		v   tickets.CatalogVersion
		raw []byte
	)
	err := db.pool.QueryRow(ctx, `SELECT version, catalog, edited_by, edited_at, comment, changed
		FROM catalog_versions ORDER BY version DESC LIMIT 1`).
		Scan(&v.Version, &raw, &v.EditedBy, &v.EditedAt, &v.Comment, &v.Changed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, dbErr("latest catalog", err)
	}
	var sc storedCatalog
	if err := json.Unmarshal(raw, &sc); err != nil {
		return nil, fmt.Errorf("postgres: catalog version %d: %w", v.Version, err)
	}
	c := &tickets.Catalog{Services: sc.Services, Queues: sc.Queues}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("postgres: catalog version %d is invalid: %w", v.Version, err)
	}
	at := v.EditedAt
	c.Version, c.EditedBy, c.EditedAt = v.Version, v.EditedBy, &at
	v.Catalog = c
	return &v, nil
}

// SaveCatalog stores v.Catalog as version base+1 if base is the newest
// stored version (0: none yet); ECONFLICT otherwise. It sets v.Version and
// v.EditedAt.
func (db *DB) SaveCatalog(ctx context.Context, v *tickets.CatalogVersion, base int) error {
	switch {
	case v.Catalog == nil:
		return tickets.Errorf(tickets.EINVALID, "save catalog: no catalog")
	case strings.TrimSpace(v.EditedBy) == "":
		return tickets.Errorf(tickets.EINVALID, "save catalog: edited_by is required")
	case base < 0:
		return tickets.Errorf(tickets.EINVALID, "save catalog: version %d does not exist", base)
	}
	raw, err := json.Marshal(storedCatalog{Services: v.Catalog.Services, Queues: v.Catalog.Queues})
	if err != nil {
		return fmt.Errorf("postgres: save catalog: %w", err)
	}
	now := db.now()
	var version int
	// Two savers on the same base both pass the WHERE; the primary key
	// lets one through and turns the other into a unique violation.
	err = db.pool.QueryRow(ctx, `INSERT INTO catalog_versions (version, catalog, edited_by, edited_at, comment, changed)
		SELECT $1::integer + 1, $2::jsonb, $3, $4, $5, $6
		WHERE (SELECT coalesce(max(version), 0) FROM catalog_versions) = $1
		RETURNING version`,
		base, string(raw), strings.TrimSpace(v.EditedBy), now, v.Comment, nonNil(v.Changed)).Scan(&version)
	var pe *pgconn.PgError
	if errors.Is(err, pgx.ErrNoRows) || (errors.As(err, &pe) && pe.Code == "23505") {
		return fmt.Errorf("postgres: save catalog: %w",
			tickets.Errorf(tickets.ECONFLICT, "catalog: version %d is no longer the newest: another edit was saved first", base))
	} else if err != nil {
		return dbErr("save catalog", err)
	}
	v.Version, v.EditedAt = version, now
	return nil
}

// CatalogVersions returns up to limit versions (1-500, default 100), newest
// first, without their catalogs.
func (db *DB) CatalogVersions(ctx context.Context, limit int) ([]tickets.CatalogVersion, error) {
	if limit <= 0 {
		limit = 100
	}
	limit, _ = pageOf(limit, 0)
	rows, err := db.pool.Query(ctx, `SELECT version, edited_by, edited_at, comment, changed
		FROM catalog_versions ORDER BY version DESC LIMIT $1`, limit)
	if err != nil {
		return nil, dbErr("catalog versions", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tickets.CatalogVersion, error) {
		var v tickets.CatalogVersion
		err := r.Scan(&v.Version, &v.EditedBy, &v.EditedAt, &v.Comment, &v.Changed)
		return v, err
	})
	if err != nil {
		return nil, dbErr("catalog versions", err)
	}
	return list, nil
}
