package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atiende/atiende/agentdesk"
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

// newCatalogEditor edits the live catalog; after an edit, each support
// group the ACD does not run yet becomes a queue, tuned by configFor (the
// file's values with any saved settings over them).
func newCatalogEditor(live *tickets.LiveCatalog, st tickets.CatalogStore, desk *acd.ACD,
	configFor func(queue string) agentdesk.QueueConfig, log *slog.Logger) *tickets.CatalogEditor {
	return &tickets.CatalogEditor{Live: live, Store: st, OnChange: func(c *tickets.Catalog) {
		log.Info("catalog in force", "version", c.Version, "by", c.EditedBy, "services", len(c.Services))
		addNewQueues(desk, c, configFor, log)
	}}
}

// addNewQueues adds to desk a queue for every group of c it does not run.
// Queues are never removed: a group no service uses any more keeps its
// queue (and its waiting calls) until the next start.
func addNewQueues(desk *acd.ACD, c *tickets.Catalog, configFor func(string) agentdesk.QueueConfig, log *slog.Logger) {
	running := map[string]bool{}
	for _, q := range desk.Snapshot().Queues {
		running[q.Name] = true
	}
	for _, g := range c.Groups() {
		if running[g] {
			continue
		}
		if err := desk.AddQueue(configFor(g)); err != nil {
			log.Error("catalog: the new support group has no queue", "queue", g, "error", err)
			continue
		}
		log.Info("catalog: new support group, new queue", "queue", g)
	}
}
