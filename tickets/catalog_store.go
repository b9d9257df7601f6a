package tickets

import (
	"context"
	"time"
)

// CatalogVersion is one saved version of the service catalog: the whole
// catalog as an admin left it, and who saved it, when and why.
type CatalogVersion struct {
	Version  int       `json:"version"`
	EditedBy string    `json:"edited_by"`
	EditedAt time.Time `json:"edited_at"`
	Comment  string    `json:"comment,omitempty"`
	// Changed lists the codes of the services this version added or edited.
	Changed []string `json:"changed,omitempty"`
	// Catalog is the whole catalog of this version; history listings leave
	// it out.
	Catalog *Catalog `json:"-"`
}

// CatalogStore keeps every version of the catalog edited from the admin
// page; nothing is ever rewritten or deleted. Version numbers start at 1
// and have no gaps; version 0 is the seed (the catalog_file or the
// default), which is not stored. tickets/postgres implements it.
type CatalogStore interface {
	// LatestCatalog returns the newest stored version with its catalog
	// (validated, its Version, EditedBy and EditedAt set), or nil and no
	// error when the catalog was never edited.
	LatestCatalog(ctx context.Context) (*CatalogVersion, error)
	// SaveCatalog stores v.Catalog as version base+1 if base is still the
	// newest version (ECONFLICT otherwise: someone saved in between), and
	// sets v.Version and v.EditedAt. v.EditedBy is required.
	SaveCatalog(ctx context.Context, v *CatalogVersion, base int) error
	// CatalogVersions returns up to limit versions, newest first, without
	// their catalogs.
	CatalogVersions(ctx context.Context, limit int) ([]CatalogVersion, error)
}
