package tickets

import "sync/atomic"

// CatalogSource gives the catalog in force now. Callers read it once per
// call or request and never keep it: an admin's edit replaces it. A fixed
// *Catalog and a *LiveCatalog are both sources.
type CatalogSource interface {
	Current() *Catalog
}

var (
	_ CatalogSource = (*Catalog)(nil)
	_ CatalogSource = (*LiveCatalog)(nil)
)

// LiveCatalog holds the catalog in force, replaced whole on every edit.
// Readers get the catalog of the moment without a lock; the catalog they
// get is never modified afterwards.
type LiveCatalog struct {
	p atomic.Pointer[Catalog]
}

// NewLiveCatalog returns a live catalog starting with c (not nil).
func NewLiveCatalog(c *Catalog) *LiveCatalog {
	l := &LiveCatalog{}
	l.Set(c)
	return l
}

// Current returns the catalog in force.
func (l *LiveCatalog) Current() *Catalog { return l.p.Load() }

// Set puts c in force. c must not be modified afterwards.
func (l *LiveCatalog) Set(c *Catalog) {
	if c == nil {
		panic("tickets: LiveCatalog.Set(nil)")
	}
	l.p.Store(c)
}
