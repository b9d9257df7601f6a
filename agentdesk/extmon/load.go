package extmon

import (
	"context"
	"fmt"

	"github.com/atiende/atiende/ivr"
)

// load rebuilds what the monitor knew before a restart: each extension's
// last status, its linked ticket, and for a down one the outage's start
// (from the history) so that its deadline is kept, not restarted.
func (m *Monitor) load(ctx context.Context) error {
	states, err := m.d.Store.ExtensionStates(ctx)
	if err != nil {
		return fmt.Errorf("extmon: load states: %w", err)
	}
	links, err := m.d.Store.ExtensionTickets(ctx)
	if err != nil {
		return fmt.Errorf("extmon: load tickets: %w", err)
	}
	m.stopTimers() // a failed attempt may have left some
	m.mu.Lock()
	m.exts = map[string]*ext{}
	m.mu.Unlock()
	for _, st := range states {
		e := &ext{status: st, ticket: links[st.Extension], lastContact: st.Contact, lastAgent: st.UserAgent}
		if st.State == ivr.ExtRegistered {
			e.everUp = true
		} else if err := m.loadOutage(ctx, e); err != nil {
			return err
		}
		m.mu.Lock()
		m.exts[st.Extension] = e
		if !e.downSince.IsZero() && !e.alerted {
			m.schedule(e)
		}
		m.mu.Unlock()
	}
	return nil
}

// loadOutage finds when e's outage began: the oldest down status after the
// last registered one. A history longer than the scan, or a linked ticket,
// means the extension has worked before.
func (m *Monitor) loadOutage(ctx context.Context, e *ext) error {
	name := e.status.Extension
	h, err := m.d.Store.ExtensionHistory(ctx, name, historyScan)
	if err != nil {
		return fmt.Errorf("extmon: load history of %s: %w", name, err)
	}
	start := e.status.Since
	for _, s := range h { // newest first
		if e.lastContact == "" && s.Contact != "" {
			e.lastContact, e.lastAgent = s.Contact, s.UserAgent
		}
		if !Down(s.State) {
			e.everUp = true
			break
		}
		start = s.Since
	}
	if len(h) >= historyScan || e.ticket != "" {
		e.everUp = true
	}
	if !e.everUp {
		return nil
	}
	e.downSince, e.deadline = start, start.Add(m.cfg.DownAfter)
	if e.ticket != "" {
		// A ticket opened or noted during this outage already covers it
		// (a note touches UpdatedAt).
		tctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		if t, err := m.d.Tickets.Ticket(tctx, e.ticket); err == nil && t.State.Open() && !t.UpdatedAt.Before(start) {
			e.alerted = true
		}
	}
	return nil
}
