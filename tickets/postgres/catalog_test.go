package postgres_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestCatalogVersions(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	db := newDB(t, postgres.Options{Clock: clk.Now})

	if v, err := db.LatestCatalog(ctx); err != nil || v != nil {
		t.Fatalf("a new database has a catalog: %+v, %v", v, err)
	}
	cat := tickets.DefaultCatalog()
	cat, err := cat.WithService("internet_failure", withLevel(cat, "internet_failure", 3))
	if err != nil {
		t.Fatal(err)
	}
	v1 := &tickets.CatalogVersion{Catalog: cat, EditedBy: "admin", Comment: "nivel 3", Changed: []string{"internet_failure"}}
	if err := db.SaveCatalog(ctx, v1, 0); err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || !v1.EditedAt.Equal(clk.now) {
		t.Fatalf("saved as version %d at %v", v1.Version, v1.EditedAt)
	}

	latest, err := db.LatestCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if latest.Version != 1 || latest.EditedBy != "admin" || latest.Comment != "nivel 3" || !latest.EditedAt.Equal(clk.now) {
		t.Errorf("latest %+v", latest)
	}
	c := latest.Catalog
	if c.Version != 1 || c.EditedBy != "admin" || c.EditedAt == nil || !c.EditedAt.Equal(clk.now) {
		t.Errorf("latest catalog version %d by %q at %v", c.Version, c.EditedBy, c.EditedAt)
	}
	if s, _ := c.Service("internet_failure"); s.Level != 3 || len(s.Checklist["en"]) != 5 || s.Name["en"] != "Internet connection failure" {
		t.Errorf("stored service %+v", s)
	}
	if len(c.Services) != len(cat.Services) {
		t.Errorf("%d services stored, want %d", len(c.Services), len(cat.Services))
	}

	// A stale base, or one from the future, is a conflict; nothing is stored.
	for _, base := range []int{0, 2} {
		err := db.SaveCatalog(ctx, &tickets.CatalogVersion{Catalog: cat, EditedBy: "otro"}, base)
		wantCode(t, err, tickets.ECONFLICT)
	}
	wantCode(t, db.SaveCatalog(ctx, &tickets.CatalogVersion{Catalog: cat}, 1), tickets.EINVALID)

	clk.Add(time.Hour)
	if err := db.SaveCatalog(ctx, &tickets.CatalogVersion{Catalog: cat, EditedBy: "admin2"}, 1); err != nil {
		t.Fatal(err)
	}
	vs, err := db.CatalogVersions(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Version != 2 || vs[0].EditedBy != "admin2" || vs[1].Version != 1 ||
		!slices.Equal(vs[1].Changed, []string{"internet_failure"}) || vs[0].Changed == nil || vs[0].Catalog != nil {
		t.Errorf("versions %+v", vs)
	}
	if vs, _ := db.CatalogVersions(ctx, 1); len(vs) != 1 || vs[0].Version != 2 {
		t.Errorf("limit 1: %+v", vs)
	}

	// Versions are never rewritten or deleted.
	if err := rawExecErr(db, "UPDATE catalog_versions SET edited_by = 'x'"); err == nil {
		t.Error("a catalog version was rewritten")
	}
	if err := rawExecErr(db, "DELETE FROM catalog_versions"); err == nil {
		t.Error("a catalog version was deleted")
	}
}

// Two savers on one base, as two Atiende processes: exactly one wins.
func TestCatalogSaveRace(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	cat := tickets.DefaultCatalog()
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = db.SaveCatalog(ctx, &tickets.CatalogVersion{Catalog: cat, EditedBy: "admin"}, 0)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch tickets.ErrorCode(err) {
		case "":
			won++
		case tickets.ECONFLICT:
		default:
			t.Errorf("save: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d savers won, want 1", won)
	}
	if n := rawInt(t, db, "SELECT count(*) FROM catalog_versions"); n != 1 {
		t.Errorf("%d versions stored", n)
	}
}

// A stored catalog that no longer validates is an error naming its
// version, not a silent fallback.
func TestCatalogStoredInvalid(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	rawExec(t, db, `INSERT INTO catalog_versions (version, catalog, edited_by, edited_at)
		VALUES (1, '{"services": [{"code": "x", "group": "g", "default_kind": "incident", "level": 9, "name": {"es": "x", "en": "x"}}]}', 'admin', now())`)
	_, err := db.LatestCatalog(ctx)
	if err == nil || tickets.ErrorCode(err) != tickets.EINVALID {
		t.Fatalf("invalid stored catalog: %v", err)
	}
	t.Log(err)
}

func withLevel(c *tickets.Catalog, code string, level int) tickets.Service {
	s, _ := c.Service(code)
	s.Level = level
	return s
}
