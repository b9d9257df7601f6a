package tickets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// memCatalogStore is a CatalogStore in memory, with the same version rule
// as tickets/postgres.
type memCatalogStore struct {
	mu       sync.Mutex
	versions []CatalogVersion
	now      time.Time
}

func (m *memCatalogStore) LatestCatalog(context.Context) (*CatalogVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.versions) == 0 {
		return nil, nil
	}
	v := m.versions[len(m.versions)-1]
	c := *v.Catalog
	at := v.EditedAt
	c.Version, c.EditedBy, c.EditedAt = v.Version, v.EditedBy, &at
	v.Catalog = &c
	return &v, nil
}

func (m *memCatalogStore) SaveCatalog(_ context.Context, v *CatalogVersion, base int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if base != len(m.versions) {
		return Errorf(ECONFLICT, "version %d is not the newest", base)
	}
	m.now = m.now.Add(time.Minute)
	v.Version, v.EditedAt = base+1, m.now
	m.versions = append(m.versions, *v)
	return nil
}

func (m *memCatalogStore) CatalogVersions(_ context.Context, limit int) ([]CatalogVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []CatalogVersion
	for i := len(m.versions) - 1; i >= 0 && len(out) < limit; i-- {
		v := m.versions[i]
		v.Catalog = nil
		out = append(out, v)
	}
	return out, nil
}

func newEditor(t *testing.T) (*CatalogEditor, *memCatalogStore, *[]*Catalog) {
	t.Helper()
	st := &memCatalogStore{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	var changes []*Catalog
	e := &CatalogEditor{Live: NewLiveCatalog(DefaultCatalog()), Store: st, OnChange: func(c *Catalog) { changes = append(changes, c) }}
	return e, st, &changes
}

func wantErr(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	if ErrorCode(err) != code {
		t.Fatalf("error %v: code %q, want %q", err, ErrorCode(err), code)
	}
	for _, p := range parts {
		if !strings.Contains(ErrorMessage(err), p) {
			t.Errorf("error %q does not say %q", ErrorMessage(err), p)
		}
	}
}

func TestCatalogEditService(t *testing.T) {
	ctx := context.Background()
	e, st, changes := newEditor(t)
	seed := e.Live.Current()
	inet, _ := seed.Service("internet_failure")
	edited := inet
	edited.Checklist = map[string][]string{
		"es": append(slices.Clone(inet.Checklist["es"][:4]), "  Reemplazar el equipo dañado. ", inet.Checklist["es"][4]),
		"en": append(slices.Clone(inet.Checklist["en"][:4]), "Replace the broken equipment.", inet.Checklist["en"][4]),
	}
	edited.Keywords = []string{" fibra ", "", "Fibra", "internet"}
	edited.Code = "" // the path names the service
	c, err := e.UpdateService(ctx, "internet_failure", ServiceEdit{Base: 0, Service: edited, Actor: "admin", Comment: "new step"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 || c.EditedBy != "admin" || c.EditedAt == nil || e.Live.Current() != c {
		t.Fatalf("in force: version %d by %q at %v (same: %v)", c.Version, c.EditedBy, c.EditedAt, e.Live.Current() == c)
	}
	got, _ := c.Service("internet_failure")
	if got.Checklist["es"][4] != "Reemplazar el equipo dañado." || len(got.Checklist["en"]) != 6 {
		t.Errorf("checklist %q", got.Checklist)
	}
	if !slices.Equal(got.Keywords, []string{"fibra", "internet"}) {
		t.Errorf("keywords %q", got.Keywords)
	}
	// The seed is untouched: readers holding it see what they saw.
	if old, _ := seed.Service("internet_failure"); len(old.Checklist["es"]) != 5 || seed.Version != 0 {
		t.Errorf("the seed changed: %q", old.Checklist["es"])
	}
	if len(*changes) != 1 || (*changes)[0] != c {
		t.Errorf("OnChange calls: %d", len(*changes))
	}
	if len(c.Services) != len(seed.Services) {
		t.Errorf("%d services, want %d", len(c.Services), len(seed.Services))
	}
	vs, _ := st.CatalogVersions(ctx, 10)
	if len(vs) != 1 || vs[0].Comment != "new step" || !slices.Equal(vs[0].Changed, []string{"internet_failure"}) {
		t.Errorf("versions %+v", vs)
	}

	// The same content again stores nothing.
	if again, err := e.UpdateService(ctx, "internet_failure", ServiceEdit{Base: 1, Service: got, Actor: "admin"}); err != nil || again != c {
		t.Errorf("no-op edit: %v, same catalog %v", err, again == c)
	}
	if vs, _ := st.CatalogVersions(ctx, 10); len(vs) != 1 {
		t.Errorf("a no-op edit stored a version: %d", len(vs))
	}

	// A stale base is a conflict naming both versions.
	_, err = e.UpdateService(ctx, "internet_failure", ServiceEdit{Base: 0, Service: got, Actor: "otro"})
	wantErr(t, err, ECONFLICT, "version 0", "version 1", "admin")
}

func TestCatalogAddService(t *testing.T) {
	ctx := context.Background()
	e, _, _ := newEditor(t)
	s := Service{Code: "printing", Name: map[string]string{"es": "Impresión", "en": "Printing"}, Group: "printers",
		DefaultKind: Incident, Level: 1, Checklist: map[string][]string{"es": {"Revisar la impresora."}, "en": {"Check the printer."}}}
	c, err := e.AddService(ctx, ServiceEdit{Service: s, Actor: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Service("printing"); !ok || got.Group != "printers" || !slices.Contains(c.Groups(), "printers") {
		t.Errorf("added: %+v, groups %v", got, c.Groups())
	}
	_, err = e.AddService(ctx, ServiceEdit{Base: 1, Service: s, Actor: "admin"})
	wantErr(t, err, EINVALID, `service "printing"`, "field code", "already in the catalog")
}

func TestCatalogEditRefused(t *testing.T) {
	ctx := context.Background()
	inet, _ := DefaultCatalog().Service("internet_failure")
	with := func(f func(*Service)) Service {
		s := inet
		s.Name = map[string]string{"es": inet.Name["es"], "en": inet.Name["en"]}
		f(&s)
		return s
	}
	long := strings.Repeat("x", MaxServiceName+1)
	newIndex := fmt.Sprintf("service %d", len(DefaultCatalog().Services)+1)
	cases := []struct {
		name  string
		code  string // "" adds
		s     Service
		want  string
		parts []string
	}{
		{"code changed", "internet_failure", with(func(s *Service) { s.Code = "internet" }), EINVALID, []string{`service "internet_failure"`, "field code", "cannot be changed"}},
		{"unknown service", "nope", inet, ENOTFOUND, []string{`"nope"`}},
		{"level", "internet_failure", with(func(s *Service) { s.Level = 7 }), EINVALID, []string{`service "internet_failure"`, "field level", "7"}},
		{"kind", "internet_failure", with(func(s *Service) { s.DefaultKind = "whatever" }), EINVALID, []string{"field default_kind", "whatever"}},
		{"group", "internet_failure", with(func(s *Service) { s.Group = "Redes Norte" }), EINVALID, []string{"field group", "lowercase"}},
		{"no group", "internet_failure", with(func(s *Service) { s.Group = "  " }), EINVALID, []string{"field group", "required"}},
		{"english name", "internet_failure", with(func(s *Service) { s.Name["en"] = " " }), EINVALID, []string{"field name", "en name"}},
		{"long name", "internet_failure", with(func(s *Service) { s.Name["es"] = long }), EINVALID, []string{"field name", "longer than"}},
		{"checklist counts", "internet_failure", with(func(s *Service) {
			s.Checklist = map[string][]string{"es": {"uno", "dos"}, "en": {"one"}}
		}), EINVALID, []string{"field checklist", "en checklist has 1 steps, es has 2"}},
		{"checklist language missing", "internet_failure", with(func(s *Service) {
			s.Checklist = map[string][]string{"es": {"uno"}}
		}), EINVALID, []string{"field checklist", "en checklist is missing"}},
		{"blank step", "internet_failure", with(func(s *Service) {
			s.Checklist = map[string][]string{"es": {"uno", " "}, "en": {"one", "two"}}
		}), EINVALID, []string{"field checklist", "step 2 in es is empty"}},
		{"new without code", "", with(func(s *Service) { s.Code = "" }), EINVALID, []string{newIndex, "field code", "required"}},
		{"new bad code", "", with(func(s *Service) { s.Code = "Impresión" }), EINVALID, []string{"field code", "lowercase"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, st, changes := newEditor(t)
			seed := e.Live.Current()
			var err error
			if tc.code == "" {
				_, err = e.AddService(ctx, ServiceEdit{Service: tc.s, Actor: "admin"})
			} else {
				_, err = e.UpdateService(ctx, tc.code, ServiceEdit{Service: tc.s, Actor: "admin"})
			}
			wantErr(t, err, tc.want, tc.parts...)
			if e.Live.Current() != seed || len(*changes) != 0 || len(st.versions) != 0 {
				t.Error("a refused edit changed the catalog in force")
			}
		})
	}
	e, _, _ := newEditor(t)
	_, err := e.UpdateService(ctx, "internet_failure", ServiceEdit{Service: inet})
	wantErr(t, err, EINVALID, "actor")
	_, err = e.UpdateService(ctx, "internet_failure", ServiceEdit{Service: inet, Actor: "a", Comment: strings.Repeat("y", MaxCatalogComment+1)})
	wantErr(t, err, EINVALID, "field comment")
}

// Another process saved a version: an edit on the old base is refused, and
// the editor takes the newer version, so the admin's reload shows it.
func TestCatalogEditOtherProcess(t *testing.T) {
	ctx := context.Background()
	e, st, _ := newEditor(t)
	other := &CatalogEditor{Live: NewLiveCatalog(DefaultCatalog()), Store: st}
	inet, _ := DefaultCatalog().Service("internet_failure")
	inet.Support24x7 = false
	if _, err := other.UpdateService(ctx, "internet_failure", ServiceEdit{Service: inet, Actor: "otro"}); err != nil {
		t.Fatal(err)
	}
	inet.Level = 2
	_, err := e.UpdateService(ctx, "internet_failure", ServiceEdit{Base: 0, Service: inet, Actor: "admin"})
	wantErr(t, err, ECONFLICT, "version 1", "otro")
	if cur := e.Live.Current(); cur.Version != 1 {
		t.Fatalf("after the conflict version %d is in force, want 1", cur.Version)
	}
	// A client that already saw version 1 elsewhere may edit it here.
	if c, err := e.UpdateService(ctx, "internet_failure", ServiceEdit{Base: 1, Service: inet, Actor: "admin"}); err != nil || c.Version != 2 {
		t.Fatalf("edit on version 1: %v", err)
	}
}

// Readers and an editor at once: run with -race.
func TestLiveCatalogConcurrent(t *testing.T) {
	ctx := context.Background()
	e, _, _ := newEditor(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := e.Live.Current()
				if s, ok := c.Service("internet_failure"); !ok || len(s.Checklist["es"]) != len(s.Checklist["en"]) {
					panic("inconsistent catalog")
				}
				_ = c.Groups()
			}
		})
	}
	inet, _ := DefaultCatalog().Service("internet_failure")
	for i := range 20 {
		inet.Level = 1 + i%4
		inet.Checklist = map[string][]string{"es": make([]string, i+1), "en": make([]string, i+1)}
		for j := range i + 1 {
			inet.Checklist["es"][j], inet.Checklist["en"][j] = "paso", "step"
		}
		if _, err := e.UpdateService(ctx, "internet_failure", ServiceEdit{Base: i, Service: inet, Actor: "admin"}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if v := e.Live.Current().Version; v != 20 {
		t.Errorf("version %d, want 20", v)
	}
}
