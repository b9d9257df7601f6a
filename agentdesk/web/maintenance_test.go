package web

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/tickets"
)

// escClock gives the test clock the escalation Clock interface.
type escClock struct{ *clock }

func (c escClock) After(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

// newMaintenanceEnv is a server with the maintenance desk of cmd: the SLA
// defaults (16 business hours' notice on the office calendar) and the
// database's timers.
func newMaintenanceEnv(t *testing.T) *env {
	t.Helper()
	var m *desk.Maintenance
	e := newEnv(t, func(_ *Config, d *Deps) {
		m = &desk.Maintenance{Catalog: d.Catalog}
		d.Maintenance = m
	})
	sla, _, err := escalation.New(escalation.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	m.Store, m.SLA, m.Timers, m.Clock = e.db, sla, e.db.Timers(), escClock{e.clock}
	return e
}

func maintenanceBody(start time.Time) map[string]any {
	return map[string]any{"services": []string{"internet_failure"}, "areas": []string{"Piso 3"},
		"start": start.Format(time.RFC3339), "end": start.Add(3 * time.Hour).Format(time.RFC3339),
		"summary_es": "Cambio del equipo de red", "summary_en": "Network equipment change"}
}

// Monday 2026-03-02 10:00 UTC is 04:00 in Mexico City, before opening:
// 9 business hours on Monday and 7 on Tuesday make the earliest start
// Tuesday 16:00 there, 22:00 UTC.
var earliestStart = time.Date(2026, 3, 3, 22, 0, 0, 0, time.UTC)

func TestMaintenanceAPI(t *testing.T) {
	t.Parallel()
	e := newMaintenanceEnv(t)
	sup := e.login("sup1", tickets.RoleSupervisor)

	// Too soon: a 422 naming the earliest start, in the message and as a field.
	r := sup.do("POST", "/api/v1/maintenance", maintenanceBody(earliestStart.Add(-time.Minute)))
	var refusal struct {
		Error         errorDetail `json:"error"`
		EarliestStart time.Time   `json:"earliest_start"`
	}
	r.decode(t, &refusal)
	if r.status != 422 || refusal.Error.Code != tickets.EINVALID || !refusal.EarliestStart.Equal(earliestStart) ||
		!strings.Contains(refusal.Error.Message, "2026-03-03T16:00:00-06:00") || !strings.Contains(refusal.Error.Message, "16 business hours") {
		t.Fatalf("too soon: %d %s", r.status, r.body)
	}
	for name, edit := range map[string]func(map[string]any){
		"end before start": func(b map[string]any) { b["end"] = earliestStart.Add(24 * time.Hour).Format(time.RFC3339) },
		"unknown service":  func(b map[string]any) { b["services"] = []string{"teleport"} },
		"no services":      func(b map[string]any) { b["services"] = []string{} },
		"no summary":       func(b map[string]any) { b["summary_es"], b["summary_en"] = "", "" },
	} {
		b := maintenanceBody(earliestStart.Add(48 * time.Hour))
		edit(b)
		if r := sup.do("POST", "/api/v1/maintenance", b); r.status != 422 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := sup.do("POST", "/api/v1/maintenance", `{"services":["internet_failure"],"start":"tomorrow"}`); r.status != 400 {
		t.Errorf("malformed start: %d %s", r.status, r.body)
	}

	var w escalation.Maintenance
	r = sup.do("POST", "/api/v1/maintenance", maintenanceBody(earliestStart))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	r.decode(t, &w)
	id := strconv.FormatInt(w.ID, 10)
	if w.ID == 0 || w.CreatedBy != "sup1" || !w.Start.Equal(earliestStart) || w.Cancelled || r.header.Get("Location") != "/api/v1/maintenance/"+id {
		t.Fatalf("created %+v (Location %q)", w, r.header.Get("Location"))
	}
	st, err := e.db.Timers().Timer(context.Background(), "maintenance/"+id+"/notice")
	// Due 16 business hours before the start: at Monday's opening, 09:00 in
	// Mexico City (15:00 UTC).
	if err != nil || st.State != "pending" || !st.RunAt.Equal(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("notice timer: %+v, %v", st, err)
	}

	var list maintenanceList
	sup.must(200, "GET", "/api/v1/maintenance", nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != w.ID {
		t.Fatalf("list: %+v", list)
	}
	sup.must(200, "POST", "/api/v1/maintenance/"+id+"/cancel", nil, &w)
	if !w.Cancelled || w.CancelledBy != "sup1" {
		t.Errorf("cancelled: %+v", w)
	}
	sup.must(200, "GET", "/api/v1/maintenance", nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("list without cancelled: %+v", list)
	}
	sup.must(200, "GET", "/api/v1/maintenance?cancelled=true&past=true&limit=10", nil, &list)
	if len(list.Items) != 1 {
		t.Errorf("list with cancelled: %+v", list)
	}
	if r := sup.do("GET", "/api/v1/maintenance?past=maybe", nil); r.status != 400 {
		t.Errorf("bad past: %d", r.status)
	}
	if r := sup.do("POST", "/api/v1/maintenance/999/cancel", nil); r.status != 404 {
		t.Errorf("cancel unknown: %d %s", r.status, r.body)
	}
}

func TestMaintenanceRoles(t *testing.T) {
	t.Parallel()
	e := newMaintenanceEnv(t)
	for i, role := range tickets.Roles {
		c := e.login(string(role)+"1", role)
		lead := role == tickets.RoleSupervisor || role == tickets.RoleAdmin
		start := earliestStart.Add(time.Duration(i) * 24 * time.Hour)
		r := c.do("POST", "/api/v1/maintenance", maintenanceBody(start))
		var w escalation.Maintenance
		if lead {
			if r.status != 201 {
				t.Fatalf("%s create: %d %s", role, r.status, r.body)
			}
			r.decode(t, &w)
		}
		id := strconv.FormatInt(max(w.ID, 1), 10)
		for _, rr := range []resp{r, c.do("GET", "/api/v1/maintenance", nil), c.do("POST", "/api/v1/maintenance/"+id+"/cancel", nil)} {
			code, _ := rr.errCode()
			switch {
			case lead && rr.status >= 400:
				t.Errorf("%s: %d %s, want allowed", role, rr.status, rr.body)
			case !lead && (rr.status != 403 || code != tickets.EFORBIDDEN):
				t.Errorf("%s: %d %s, want 403", role, rr.status, rr.body)
			}
		}
	}
}

// With the maintenance desk wired, its routes are in the mux and the
// document, protected and with their roles; without it they are absent.
func TestMaintenanceOpenAPI(t *testing.T) {
	t.Parallel()
	e := newMaintenanceEnv(t)
	raw, err := json.Marshal(e.s.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	documented := 0
	for _, ops := range doc.Paths {
		documented += len(ops)
	}
	if documented != len(e.s.Routes()) {
		t.Errorf("%d documented operations, %d routes", documented, len(e.s.Routes()))
	}
	for _, m := range regexp.MustCompile(`"#/components/schemas/([^"]+)"`).FindAllSubmatch(raw, -1) {
		if _, ok := doc.Components.Schemas[string(m[1])]; !ok {
			t.Errorf("dangling $ref %s", m[1])
		}
	}
	anon := e.anon()
	for _, op := range []string{"POST /api/v1/maintenance", "GET /api/v1/maintenance", "POST /api/v1/maintenance/{id}/cancel"} {
		method, path, _ := strings.Cut(op, " ")
		var o struct {
			XRoles []string `json:"x-roles"`
		}
		if err := json.Unmarshal(doc.Paths[path][strings.ToLower(method)], &o); err != nil || len(o.XRoles) != 2 {
			t.Errorf("%s: x-roles %v (%v)", op, o.XRoles, err)
		}
		r := anon.do(method, strings.ReplaceAll(path, "{id}", "1"), nil)
		if code, _ := r.errCode(); r.status != 401 || code != tickets.EUNAUTHORIZED {
			t.Errorf("%s anonymous: %d %s", op, r.status, r.body)
		}
	}
	if _, ok := doc.Components.Schemas["Maintenance"]; !ok {
		t.Error("no Maintenance schema")
	}

	plain := newEnv(t)
	if _, ok := plain.s.OpenAPI()["paths"].(map[string]any)["/api/v1/maintenance"]; ok {
		t.Error("maintenance documented without a maintenance desk")
	}
	if r := plain.login("sup", tickets.RoleSupervisor).do("GET", "/api/v1/maintenance", nil); r.status != 404 {
		t.Errorf("maintenance without a desk: %d", r.status)
	}
}
