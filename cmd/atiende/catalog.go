package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/tickets"
)

// The service catalog in force: the newest version admins saved from the
// admin page (in the database) or, while there is none, the catalog_file or
// the built-in default, which is only the seed (version 0). Edits take
// effect for the next call and request; a support group new to the
// catalog becomes an ACD queue at once. Metrics keep the labels of the
// catalog in force at start: a queue or service added later is counted
// under "other" until the next start.

// liveCatalog returns the catalog in force at start, and says in the log
// where it comes from.
func liveCatalog(ctx context.Context, st tickets.CatalogStore, seed *tickets.Catalog, log *slog.Logger) (*tickets.LiveCatalog, error) {
	latest, err := st.LatestCatalog(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if latest == nil {
		log.Info("catalog: catalog_file/default (version 0), never edited from the admin page", "services", len(seed.Services))
		return tickets.NewLiveCatalog(seed), nil
	}
	log.Info(fmt.Sprintf("catalog: version %d from the database, edited by %s at %s; catalog_file/default is only the seed",
		latest.Version, latest.EditedBy, latest.EditedAt.UTC().Format(time.RFC3339)),
		"version", latest.Version, "services", len(latest.Catalog.Services))
	var missing []string
	for _, s := range seed.Services {
		if _, ok := latest.Catalog.Service(s.Code); !ok {
			missing = append(missing, s.Code)
		}
	}
	if len(missing) > 0 {
		log.Warn("catalog: services of the catalog_file/default are not in the edited catalog: add them from the admin page",
			"services", missing)
	}
	return tickets.NewLiveCatalog(latest.Catalog), nil
}

// loadLiveCatalog is the catalog in force at start: the version admins
// saved, over catalog_file (or the default), which is only the seed.
func loadLiveCatalog(ctx context.Context, cfg Config, st tickets.CatalogStore, log *slog.Logger) (*tickets.LiveCatalog, error) {
	seed, err := loadCatalog(cfg)
	if err != nil {
		return nil, err
	}
	return liveCatalog(ctx, st, seed, log)
}

// newCatalogEditor edits the live catalog; after an edit, each support
// group the ACD does not run yet becomes a queue (acd.QueueAdmin.AddNewQueues).
func newCatalogEditor(live *tickets.LiveCatalog, st tickets.CatalogStore, queues *acd.QueueAdmin, log *slog.Logger) *tickets.CatalogEditor {
	return &tickets.CatalogEditor{Live: live, Store: st, OnChange: func(c *tickets.Catalog) {
		log.Info("catalog in force", "version", c.Version, "by", c.EditedBy, "services", len(c.Services))
		queues.AddNewQueues(c)
	}}
}
