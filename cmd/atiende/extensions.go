package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/atiende/atiende/agentdesk/extmon"
	"github.com/atiende/atiende/agentdesk/web"
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

// extensionSource adapts the monitor to the web server's ExtensionSource.
type extensionSource struct{ m *extmon.Monitor }

func (s extensionSource) Extensions(ctx context.Context) ([]web.ExtensionInfo, error) {
	list, err := s.m.Extensions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.ExtensionInfo, len(list))
	for i, x := range list {
		out[i] = web.ExtensionInfo{Extension: x.Extension, Owner: x.Owner, State: string(x.State), Contact: x.Contact,
			UserAgent: x.UserAgent, RTTMillis: ivr.RTTMillis(x.RTT), Since: x.Since,
			DownSince: x.DownSince, Reason: x.Reason, Ticket: x.Ticket, Calls: x.Calls, CallsSince: x.CallsSince}
	}
	return out, nil
}

func (s extensionSource) ExtensionHistory(ctx context.Context, ext string, limit int) ([]web.ExtensionEvent, error) {
	h, err := s.m.History(ctx, ext, limit)
	if err != nil {
		return nil, err
	}
	out := make([]web.ExtensionEvent, len(h))
	for i, st := range h {
		out[i] = web.ExtensionEvent{Extension: st.Extension, State: string(st.State), Contact: st.Contact,
			UserAgent: st.UserAgent, RTTMillis: ivr.RTTMillis(st.RTT), Reason: st.Reason, At: st.Since}
	}
	return out, nil
}
