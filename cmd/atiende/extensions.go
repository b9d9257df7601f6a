package main

import (
	"log/slog"
	"time"

	"github.com/atiende/atiende/agentdesk/extmon"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// newExtensionMonitor builds the monitor behind the network page: it records
// every extension status change and opens a ticket for an extension down
// too long. tk is the store that applies SLAs, so the ticket gets due times.
func newExtensionMonitor(cfg Config, engine ivr.Engine, db *postgres.DB, tk tickets.Store, catalog tickets.CatalogSource,
	log *slog.Logger, onCalls func(ivr.ExtensionCalls)) (*extmon.Monitor, error) {
	mc := extmon.Config{DownAfter: time.Duration(cfg.Extensions.DownAfter), StartGrace: time.Duration(cfg.Extensions.StartGrace)}
	if mc.StartGrace == 0 && cfg.Engine == "sip" {
		// The embedded engine restores the saved registrations at start
		// (restart.go), but a phone whose binding was not saved (first
		// start, a database outage) comes back only at its next
		// registration: give it one interval before any ticket.
		mc.StartGrace = time.Hour
	}
	if zone, err := time.LoadLocation("America/Mexico_City"); err == nil {
		mc.Zone = zone
	}
	return extmon.New(mc, extmon.Deps{Engine: engine, Store: db, Tickets: tk, Owner: extmon.DirectoryOwner(db),
		OnCalls: onCalls, Catalog: catalog, Log: log.With("component", "extmon")})
}
