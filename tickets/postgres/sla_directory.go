package postgres

import (
	"context"
	"fmt"

	"github.com/atiende/atiende/escalation"
	"github.com/jackc/pgx/v5"
)

// Directory returns the escalation directory stored in the database, by
// level and then in the order the contacts were saved. Empty until
// SaveDirectory is first called (cmd seeds it from the YAML config).
func (db *DB) Directory(ctx context.Context) (escalation.Directory, error) {
	rows, err := db.pool.Query(ctx, `SELECT level, name, office_phone, email, mobile, extension, language
		FROM escalation_contacts ORDER BY level, position`)
	if err != nil {
		return nil, dbErr("escalation directory", err)
	}
	d, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (escalation.Contact, error) {
		var c escalation.Contact
		var level int16
		err := r.Scan(&level, &c.Name, &c.OfficePhone, &c.Email, &c.Mobile, &c.Extension, &c.Language)
		c.Level = int(level)
		return c, err
	})
	if err != nil {
		return nil, dbErr("escalation directory", err)
	}
	return escalation.Directory(d), nil
}

// SaveDirectory replaces the whole directory, after the same checks as the
// YAML config (escalation.Directory.Validate); the warnings (a contact who
// cannot be reached, a level with nobody) are returned, not refused.
func (db *DB) SaveDirectory(ctx context.Context, d escalation.Directory) ([]escalation.Warning, error) {
	warns, err := d.Validate()
	if err != nil {
		return nil, fmt.Errorf("postgres: save escalation directory: %w", err)
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM escalation_contacts"); err != nil {
			return err
		}
		for i, c := range d {
			if _, err := tx.Exec(ctx, `INSERT INTO escalation_contacts
				(level, position, name, office_phone, email, mobile, extension, language)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				c.Level, i, c.Name, c.OfficePhone, c.Email, c.Mobile, c.Extension, c.Language); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, dbErr("save escalation directory", err)
	}
	return warns, nil
}
