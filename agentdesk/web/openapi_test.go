package web

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/atiende/atiende/tickets"
)

// The document and the mux come from one table; this checks they agree in
// both directions, through the real server.
func TestOpenAPIHonest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.anon()
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	c.must(200, "GET", "/api/v1/openapi.json", nil, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	for _, name := range []string{"Ticket", "Note", "HistoryEntry", "Contact", "User", "Error", "CallRecord", "Catalog", "AgentStatus"} {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("no component schema %s", name)
		}
	}
	// Every $ref points at a component.
	raw := c.do("GET", "/api/v1/openapi.json", nil).body
	for _, m := range regexp.MustCompile(`"#/components/schemas/([^"]+)"`).FindAllSubmatch(raw, -1) {
		if _, ok := doc.Components.Schemas[string(m[1])]; !ok {
			t.Errorf("dangling $ref %s", m[1])
		}
	}

	// Every route is documented.
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, r := range e.s.Routes() {
		if !documented[r] {
			t.Errorf("route %s is not documented", r)
		}
	}
	if len(documented) != len(e.s.Routes()) {
		t.Errorf("%d documented operations, %d routes", len(documented), len(e.s.Routes()))
	}

	// Every documented operation exists: the mux has a pattern for it, and
	// the real server does not answer 404/405 for want of a route.
	sample := regexp.MustCompile(`\{[^}]+\}`)
	var ops []string
	for op := range documented {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		concrete := sample.ReplaceAllString(path, "1")
		req := httptest.NewRequest(method, concrete, nil)
		if _, pattern := e.s.mux.Handler(req); pattern != method+" "+path {
			t.Errorf("%s: mux pattern %q", op, pattern)
		}
		r := c.do(method, concrete, nil)
		code, _ := r.errCode()
		if r.status == 405 || (r.status == 404 && strings.Contains(string(r.body), "no such endpoint")) {
			t.Errorf("%s: %d %s", op, r.status, r.body)
		}
		var o struct {
			XRoles   []string `json:"x-roles"`
			Security []any    `json:"security"`
		}
		_ = json.Unmarshal(doc.Paths[path][strings.ToLower(method)], &o)
		// Protected operations refuse the anonymous probe, and say so.
		if len(o.Security) > 0 && (r.status != 401 || code != tickets.EUNAUTHORIZED) {
			t.Errorf("%s without credentials: %d %s", op, r.status, r.body)
		}
		if len(o.Security) > 0 && len(o.XRoles) == 0 {
			t.Errorf("%s: no x-roles", op)
		}
	}

	// And an undocumented path is a JSON 404.
	r := c.do("GET", "/api/v1/not-a-route", nil)
	if code, _ := r.errCode(); r.status != 404 || code != tickets.ENOTFOUND {
		t.Errorf("undocumented: %d %s", r.status, r.body)
	}
}

// Without an agent desk there are no agent routes, in the mux or the document.
func TestOpenAPIWithoutAgents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(_ *Config, d *Deps) { d.Agents = nil })
	doc := e.s.OpenAPI()
	if _, ok := doc["paths"].(map[string]any)["/api/v1/agents"]; ok {
		t.Error("agents documented without an agent desk")
	}
	a := e.login("sup", tickets.RoleSupervisor)
	if r := a.do("GET", "/api/v1/agents", nil); r.status != 404 {
		t.Errorf("agents without a desk: %d", r.status)
	}
}
