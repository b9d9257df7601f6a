package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/atiende/atiende/tickets"
)

// newCatalogEnv is a server whose catalog is live and edited as in cmd:
// versions in the database, each edit in force at once.
func newCatalogEnv(t *testing.T) (*env, *tickets.LiveCatalog, *[]*tickets.Catalog) {
	t.Helper()
	live := tickets.NewLiveCatalog(tickets.DefaultCatalog())
	var changes []*tickets.Catalog
	e := newEnv(t, func(_ *Config, d *Deps) {
		d.Catalog = live
		d.CatalogEditor = &tickets.CatalogEditor{Live: live, Store: d.Store.(tickets.CatalogStore),
			OnChange: func(c *tickets.Catalog) { changes = append(changes, c) }}
	})
	return e, live, &changes
}

// catalogDoc is GET /catalog as a client sees it.
type catalogDoc struct {
	Version  int               `json:"version"`
	EditedBy string            `json:"edited_by"`
	EditedAt string            `json:"edited_at"`
	Services []tickets.Service `json:"services"`
}

func (d catalogDoc) service(t *testing.T, code string) tickets.Service {
	t.Helper()
	for _, s := range d.Services {
		if s.Code == code {
			return s
		}
	}
	t.Fatalf("catalog version %d has no %s", d.Version, code)
	return tickets.Service{}
}

func wantError(t *testing.T, r resp, status int, code string, parts ...string) {
	t.Helper()
	got, msg := r.errCode()
	if r.status != status || got != code {
		t.Fatalf("status %d code %q (%s), want %d %q", r.status, got, r.body, status, code)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("message %q does not say %q", msg, p)
		}
	}
}

func TestCatalogEditAPI(t *testing.T) {
	t.Parallel()
	e, live, changes := newCatalogEnv(t)
	adm := e.login("adm1", tickets.RoleAdmin)
	agent := e.login("agent1", tickets.RoleAgent)

	var cat catalogDoc
	agent.must(200, "GET", "/api/v1/catalog", nil, &cat)
	if cat.Version != 0 || cat.EditedBy != "" {
		t.Fatalf("the seed: version %d by %q", cat.Version, cat.EditedBy)
	}

	// An admin adds a step to a checklist; agents see it on their next read.
	inet := cat.service(t, "internet_failure")
	inet.Checklist["es"] = append(inet.Checklist["es"], "Confirmar con el usuario.")
	inet.Checklist["en"] = append(inet.Checklist["en"], "Confirm with the user.")
	inet.Code = ""
	var after catalogDoc
	adm.must(200, "PUT", "/api/v1/catalog/services/internet_failure",
		map[string]any{"version": 0, "comment": "paso de confirmación", "service": inet}, &after)
	if after.Version != 1 || after.EditedBy != "adm1" || after.EditedAt == "" {
		t.Errorf("after the edit: version %d by %q at %q", after.Version, after.EditedBy, after.EditedAt)
	}
	agent.must(200, "GET", "/api/v1/catalog", nil, &cat)
	if got := cat.service(t, "internet_failure").Checklist["en"]; cat.Version != 1 || len(got) != 6 || got[5] != "Confirm with the user." {
		t.Errorf("agents read version %d, checklist %q", cat.Version, got)
	}
	if live.Current().Version != 1 || len(*changes) != 1 {
		t.Errorf("in force: version %d; %d changes", live.Current().Version, len(*changes))
	}

	// Someone who edited version 0 too is refused, and told why.
	inet.Level = 2
	r := adm.do("PUT", "/api/v1/catalog/services/internet_failure", map[string]any{"version": 0, "service": inet})
	wantError(t, r, 409, tickets.ECONFLICT, "version 0", "version 1", "adm1", "reload")

	// A service in a new group: tickets can be opened on it at once and go
	// to its queue.
	printing := map[string]any{"code": "printing", "group": "printers", "default_kind": "incident", "level": 1,
		"name":      map[string]string{"es": "Falla de impresora", "en": "Printer failure"},
		"checklist": map[string][]string{"es": {"Revisar el tóner."}, "en": {"Check the toner."}},
		"keywords":  []string{"impresora", "printer"}}
	r = adm.do("POST", "/api/v1/catalog/services", map[string]any{"version": 1, "service": printing})
	if r.status != 201 || r.header.Get("Location") != "/api/v1/catalog" {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	r.decode(t, &after)
	if after.Version != 2 || after.service(t, "printing").Group != "printers" {
		t.Errorf("after adding: version %d", after.Version)
	}
	tk := agent.newTicket(map[string]any{"service": "printing", "subject": "La impresora no imprime"})
	if tk.Queue != "printers" || tk.Kind != tickets.Incident || tk.Level != 1 {
		t.Errorf("ticket on the new service: queue %q kind %q level %d", tk.Queue, tk.Kind, tk.Level)
	}
	if last := (*changes)[len(*changes)-1]; !slices.Contains(last.Groups(), "printers") {
		t.Errorf("OnChange saw groups %v", last.Groups())
	}

	// Inactive: no new tickets; old ones stay; no reclassifying into it.
	old := agent.newTicket(map[string]any{"service": "email_failure"})
	email := after.service(t, "email_failure")
	email.Inactive = true
	adm.must(200, "PUT", "/api/v1/catalog/services/email_failure", map[string]any{"version": 2, "service": email}, &after)
	if !after.service(t, "email_failure").Inactive {
		t.Error("email_failure is not inactive")
	}
	r = agent.do("POST", "/api/v1/tickets", map[string]any{"service": "email_failure", "subject": "x",
		"caller": map[string]any{"name": "María", "phone": "722-276-9600"}})
	wantError(t, r, 422, tickets.EINVALID, `"email_failure"`, "inactive")
	agent.must(200, "GET", "/api/v1/tickets/"+old.Number, nil, nil)
	r = agent.do("PATCH", "/api/v1/tickets/"+tk.Number, map[string]any{"version": tk.Version, "service": "email_failure"})
	wantError(t, r, 422, tickets.EINVALID, "inactive")
	// A ticket already on it may still be changed otherwise.
	agent.must(200, "PATCH", "/api/v1/tickets/"+old.Number, map[string]any{"version": old.Version, "service": "email_failure", "level": 2}, nil)

	// History, newest first, for supervisors and admins.
	sup := e.login("sup1", tickets.RoleSupervisor)
	var hist struct {
		Current int                      `json:"current"`
		Items   []tickets.CatalogVersion `json:"items"`
	}
	sup.must(200, "GET", "/api/v1/catalog/versions", nil, &hist)
	if hist.Current != 3 || len(hist.Items) != 3 || hist.Items[0].Version != 3 || hist.Items[2].Comment != "paso de confirmación" ||
		!slices.Equal(hist.Items[1].Changed, []string{"printing"}) || hist.Items[0].EditedBy != "adm1" {
		t.Errorf("history %+v", hist)
	}
	sup.must(200, "GET", "/api/v1/catalog/versions?limit=1", nil, &hist)
	if len(hist.Items) != 1 {
		t.Errorf("limit=1: %d items", len(hist.Items))
	}
}

func TestCatalogEditRefusedAPI(t *testing.T) {
	t.Parallel()
	e, live, _ := newCatalogEnv(t)
	adm := e.login("adm1", tickets.RoleAdmin)
	inet, _ := tickets.DefaultCatalog().Service("internet_failure")
	with := func(f func(m map[string]any)) map[string]any {
		m := map[string]any{"code": inet.Code, "group": inet.Group, "default_kind": inet.DefaultKind, "level": inet.Level,
			"name": inet.Name, "checklist": inet.Checklist, "keywords": inet.Keywords, "support_24x7": inet.Support24x7}
		f(m)
		return m
	}
	put := "/api/v1/catalog/services/internet_failure"
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
		parts              []string
	}{
		{"level", "PUT", put, map[string]any{"version": 0, "service": with(func(m map[string]any) { m["level"] = 9 })},
			422, tickets.EINVALID, []string{`service "internet_failure"`, "field level", "9"}},
		{"code changed", "PUT", put, map[string]any{"version": 0, "service": with(func(m map[string]any) { m["code"] = "internet" })},
			422, tickets.EINVALID, []string{`service "internet_failure"`, "field code", "cannot be changed"}},
		{"group", "PUT", put, map[string]any{"version": 0, "service": with(func(m map[string]any) { m["group"] = "Redes" })},
			422, tickets.EINVALID, []string{"field group", "lowercase"}},
		{"checklist languages", "PUT", put, map[string]any{"version": 0, "service": with(func(m map[string]any) {
			m["checklist"] = map[string][]string{"es": {"uno", "dos"}, "en": {"one"}}
		})}, 422, tickets.EINVALID, []string{`service "internet_failure"`, "field checklist", "en checklist has 1 steps"}},
		{"kind", "PUT", put, map[string]any{"version": 0, "service": with(func(m map[string]any) { m["default_kind"] = "rumour" })},
			422, tickets.EINVALID, []string{"field default_kind", "rumour"}},
		{"no version", "PUT", put, map[string]any{"service": with(func(map[string]any) {})},
			400, tickets.EINVALID, []string{`"version" is required`}},
		{"unknown field", "PUT", put, map[string]any{"version": 0, "service": with(func(m map[string]any) { m["colour"] = "red" })},
			400, tickets.EINVALID, []string{"unknown field", "colour"}},
		{"wrong type", "PUT", put, map[string]any{"version": 0, "service": with(func(m map[string]any) { m["level"] = "two" })},
			400, tickets.EINVALID, []string{"level", "integer"}},
		{"unknown service", "PUT", "/api/v1/catalog/services/nope", map[string]any{"version": 0, "service": with(func(m map[string]any) { delete(m, "code") })},
			404, tickets.ENOTFOUND, []string{`"nope"`}},
		{"existing code", "POST", "/api/v1/catalog/services", map[string]any{"version": 0, "service": with(func(map[string]any) {})},
			422, tickets.EINVALID, []string{`service "internet_failure"`, "field code", "already in the catalog"}},
		{"stale", "POST", "/api/v1/catalog/services", map[string]any{"version": 5, "service": with(func(m map[string]any) { m["code"] = "x" })},
			409, tickets.ECONFLICT, []string{"version 5", "version 0"}},
		{"bad limit", "GET", "/api/v1/catalog/versions?limit=0", nil, 400, tickets.EINVALID, []string{"limit"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, adm.do(tc.method, tc.path, tc.body), tc.status, tc.code, tc.parts...)
		})
	}
	if v := live.Current().Version; v != 0 {
		t.Errorf("refused edits left version %d in force", v)
	}
	var hist struct {
		Items []tickets.CatalogVersion `json:"items"`
	}
	adm.must(200, "GET", "/api/v1/catalog/versions", nil, &hist)
	if len(hist.Items) != 0 {
		t.Errorf("refused edits stored %d versions", len(hist.Items))
	}
}

func TestCatalogEditRoles(t *testing.T) {
	t.Parallel()
	e, _, _ := newCatalogEnv(t)
	inet, _ := tickets.DefaultCatalog().Service("internet_failure")
	body := map[string]any{"version": 0, "service": inet}
	for _, role := range tickets.Roles {
		c := e.login(string(role)+"1", role)
		for _, rt := range []struct {
			method, path string
			body         any
			allowed      bool
		}{
			{"PUT", "/api/v1/catalog/services/internet_failure", body, role == tickets.RoleAdmin},
			{"GET", "/api/v1/catalog/versions", nil, role == tickets.RoleAdmin || role == tickets.RoleSupervisor},
		} {
			r := c.do(rt.method, rt.path, rt.body)
			if code, _ := r.errCode(); rt.allowed != (r.status < 300) || (!rt.allowed && (r.status != 403 || code != tickets.EFORBIDDEN)) {
				t.Errorf("%s %s as %s: %d %s", rt.method, rt.path, role, r.status, r.body)
			}
		}
	}
	// Anonymous callers are told to log in; a session needs its CSRF token.
	wantError(t, e.anon().do("PUT", "/api/v1/catalog/services/internet_failure", body), 401, tickets.EUNAUTHORIZED)
	adm := e.login("adm2", tickets.RoleAdmin)
	adm.csrf = ""
	wantError(t, adm.do("POST", "/api/v1/catalog/services", body), 403, tickets.EFORBIDDEN, "CSRF")
}

// The edit routes are documented, and absent without an editor.
func TestCatalogEditRoutes(t *testing.T) {
	t.Parallel()
	e, _, _ := newCatalogEnv(t)
	paths := e.s.OpenAPI()["paths"].(map[string]any)
	for _, op := range []string{"PUT /api/v1/catalog/services/{code}", "POST /api/v1/catalog/services", "GET /api/v1/catalog/versions"} {
		method, path, _ := strings.Cut(op, " ")
		ops, _ := paths[path].(map[string]any)
		if _, ok := ops[strings.ToLower(method)]; !ok || !slices.Contains(e.s.Routes(), op) {
			t.Errorf("%s: documented %v, routed %v", op, ok, slices.Contains(e.s.Routes(), op))
		}
	}
	ro := newEnv(t)
	if slices.ContainsFunc(ro.s.Routes(), func(r string) bool { return strings.HasPrefix(r, "PUT /api/v1/catalog") }) {
		t.Error("catalog edit routes without an editor")
	}
	adm := ro.login("adm1", tickets.RoleAdmin)
	inet, _ := tickets.DefaultCatalog().Service("internet_failure")
	if r := adm.do("PUT", "/api/v1/catalog/services/internet_failure", map[string]any{"version": 0, "service": inet}); r.status != 404 {
		t.Errorf("read-only catalog: PUT answered %d", r.status)
	}
}
