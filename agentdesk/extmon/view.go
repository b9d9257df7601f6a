package extmon

import (
	"context"
	"sort"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
)

// owner is a cached owner lookup.
type owner struct {
	caller tickets.Caller
	at     time.Time
}

// viewLocked is e as the page shows it, without the owner lookup. Holds m.mu.
func (m *Monitor) viewLocked(e *ext) agentdesk.ExtensionView {
	x := agentdesk.ExtensionView{ExtensionStatus: e.status, Ticket: e.ticket, Owner: m.owners[e.status.Extension].caller.Name}
	if !e.downSince.IsZero() {
		t := e.downSince
		x.DownSince = &t
	}
	m.calls.fill(&x)
	return x
}

// Extensions returns every extension the monitor or the engine knows, sorted,
// with its owner and ticket. Round-trip times are the engine's of now.
func (m *Monitor) Extensions(ctx context.Context) ([]agentdesk.ExtensionView, error) {
	live, err := m.d.Engine.Extensions(ctx)
	if err != nil {
		m.d.Log.Warn("extensions: list from engine", "error", err)
	}
	m.mu.RLock()
	out := make([]agentdesk.ExtensionView, 0, len(m.exts))
	seen := make(map[string]bool, len(m.exts))
	for _, e := range m.exts {
		out = append(out, m.viewLocked(e))
		seen[e.status.Extension] = true
	}
	m.mu.RUnlock()
	rtt := make(map[string]time.Duration, len(live))
	for _, st := range live {
		rtt[st.Extension] = st.RTT
		if !seen[st.Extension] && st.Extension != "" { // not yet applied by Run
			x := agentdesk.ExtensionView{ExtensionStatus: st}
			m.calls.fill(&x)
			out = append(out, x)
		}
	}
	for i := range out {
		if d, ok := rtt[out[i].Extension]; ok && out[i].State != ivr.ExtUnregistered {
			out[i].RTT = d
		}
		if out[i].Owner == "" {
			out[i].Owner = m.owner(ctx, out[i].Extension).Name
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Extension < out[j].Extension })
	return out, nil
}

// History returns ext's recorded statuses, newest first (Since is when each
// began). An extension nobody has seen is ENOTFOUND.
func (m *Monitor) History(ctx context.Context, ext string, limit int) ([]ivr.ExtensionStatus, error) {
	h, err := m.d.Store.ExtensionHistory(ctx, ext, limit)
	if err != nil {
		return nil, err
	}
	if len(h) == 0 {
		m.mu.RLock()
		_, known := m.exts[ext]
		m.mu.RUnlock()
		if !known {
			return nil, tickets.Errorf(tickets.ENOTFOUND, "extension %s is unknown", ext)
		}
	}
	return h, nil
}

// owner returns ext's owner, cached for Config.OwnerTTL (unknown owners
// too, so a page of unowned extensions costs no lookups).
func (m *Monitor) owner(ctx context.Context, ext string) tickets.Caller {
	if m.d.Owner == nil {
		return tickets.Caller{}
	}
	now := m.now()
	m.mu.RLock()
	o, ok := m.owners[ext]
	m.mu.RUnlock()
	if ok && now.Sub(o.at) < m.cfg.OwnerTTL {
		return o.caller
	}
	c, err := m.d.Owner(ctx, ext)
	if err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND {
		m.d.Log.Warn("extensions: owner lookup", "extension", ext, "error", err)
		return o.caller // keep what was known
	}
	m.mu.Lock()
	m.owners[ext] = owner{caller: c, at: now}
	m.mu.Unlock()
	return c
}

// Directory is what DirectoryOwner looks owners up in; tickets.Store has it.
type Directory interface {
	ContactByPhone(ctx context.Context, e164OrExtension string) (*tickets.Contact, error)
	ListUsers(ctx context.Context) ([]*tickets.User, error)
}

// DirectoryOwner finds an extension's owner in the contact directory, else
// among the users (help-desk staff with a phone).
func DirectoryOwner(d Directory) OwnerFunc {
	return func(ctx context.Context, ext string) (tickets.Caller, error) {
		c, err := d.ContactByPhone(ctx, ext)
		if err == nil {
			return tickets.Caller{ContactID: c.ID, Name: c.Name, Department: c.Department, Email: c.Email, Extension: ext}, nil
		}
		if tickets.ErrorCode(err) != tickets.ENOTFOUND {
			return tickets.Caller{}, err
		}
		users, err := d.ListUsers(ctx)
		if err != nil {
			return tickets.Caller{}, err
		}
		for _, u := range users {
			if u.Extension == ext && !u.Disabled {
				return tickets.Caller{Name: u.Name, Email: u.Email, Extension: ext}, nil
			}
		}
		return tickets.Caller{}, tickets.Errorf(tickets.ENOTFOUND, "nobody has extension %s", ext)
	}
}
