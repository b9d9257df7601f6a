package web

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/extmon"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
	"github.com/atiende/atiende/tickets"
)

// fakeExtensions is an ExtensionSource for tests.
type fakeExtensions struct {
	mu      sync.Mutex
	list    []ExtensionInfo
	history map[string][]ExtensionEvent
	limits  []int
}

func (f *fakeExtensions) Extensions(context.Context) ([]ExtensionInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ExtensionInfo(nil), f.list...), nil
}

func (f *fakeExtensions) ExtensionHistory(_ context.Context, ext string, limit int) ([]ExtensionEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = append(f.limits, limit)
	h, ok := f.history[ext]
	if !ok {
		return nil, tickets.Errorf(tickets.ENOTFOUND, "extension %s is unknown", ext)
	}
	return h, nil
}

func withExtensions(src ExtensionSource) envOption {
	return func(_ *Config, d *Deps) { d.Extensions = src }
}

func sampleExtensions() *fakeExtensions {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return &fakeExtensions{
		list: []ExtensionInfo{
			{Extension: "1001", Owner: "María Pérez", State: "registered", Contact: "sip:1001@10.0.0.5:5060", UserAgent: "Yealink T46", RTTMillis: 12.5, Since: t0},
			{Extension: "1002", Owner: "Juan Soto", State: "unreachable", Contact: "sip:1002@10.0.0.6:5060", UserAgent: "baresip", Since: t0, DownSince: &t0, Reason: "qualify timeout"},
			{Extension: "1003", State: "unregistered", Since: t0, DownSince: &t0, Reason: "expired", Ticket: "260001"},
			{Extension: "1004", Owner: "<img src=x onerror=alert(1)>", State: "registered", UserAgent: "<b>ua</b>", Since: t0},
		},
		history: map[string][]ExtensionEvent{
			"1002": {{Extension: "1002", State: "unreachable", Reason: "qualify timeout", At: t0.Add(time.Minute)},
				{Extension: "1002", State: "registered", Contact: "sip:1002@10.0.0.6:5060", At: t0}},
			"1005": {},
		},
	}
}

func TestExtensionsRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withExtensions(sampleExtensions()))
	for _, role := range tickets.Roles {
		c := e.login(string(role)+"1", role)
		allowed := role == tickets.RoleNetwork || role == tickets.RoleSupervisor || role == tickets.RoleAdmin
		for _, path := range []string{"/api/v1/extensions", "/api/v1/extensions/1002/history"} {
			r := c.do("GET", path, nil)
			code, _ := r.errCode()
			if allowed && r.status != 200 || !allowed && (r.status != 403 || code != tickets.EFORBIDDEN) {
				t.Errorf("GET %s as %s: %d %s", path, role, r.status, r.body)
			}
		}
	}
	if r := e.anon().do("GET", "/api/v1/extensions", nil); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}
}

func TestExtensionsListAndFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withExtensions(sampleExtensions()))
	c := e.login("redes", tickets.RoleNetwork)
	exts := func(path string) []string {
		t.Helper()
		var l extensionList
		c.must(200, "GET", path, nil, &l)
		if l.Total != 4 || l.Counts["registered"] != 2 || l.Counts["unreachable"] != 1 || l.Counts["unregistered"] != 1 {
			t.Errorf("%s: total %d counts %v", path, l.Total, l.Counts)
		}
		var out []string
		for _, x := range l.Extensions {
			out = append(out, x.Extension)
		}
		return out
	}
	for _, tc := range []struct{ path, want string }{
		{"/api/v1/extensions", "1001 1002 1003 1004"},
		{"/api/v1/extensions?state=registered", "1001 1004"},
		{"/api/v1/extensions?state=down", "1002 1003"},
		{"/api/v1/extensions?state=unreachable", "1002"},
		{"/api/v1/extensions?q=MARÍA", "1001"},
		{"/api/v1/extensions?q=baresip", "1002"},
		{"/api/v1/extensions?q=10.0.0.5", "1001"},
		{"/api/v1/extensions?q=100&state=down", "1002 1003"},
		{"/api/v1/extensions?q=nobody", ""},
	} {
		if got := strings.Join(exts(tc.path), " "); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.path, got, tc.want)
		}
	}

	r := c.do("GET", "/api/v1/extensions", nil)
	body := string(r.body)
	for _, s := range []string{`"rtt_ms":12.5`, `"owner":"María Pérez"`, `"ticket":"260001"`, `"down_since":"2026-03-02T09:00:00Z"`,
		`"user_agent":"Yealink T46"`, `"since":"2026-03-02T09:00:00Z"`, `\u003cimg src=x onerror=alert(1)\u003e`} {
		if !strings.Contains(body, s) {
			t.Errorf("list lacks %s: %s", s, body)
		}
	}
	if strings.Contains(body, "<img") || strings.Contains(body, "<b>") {
		t.Errorf("markup not escaped: %s", body)
	}

	for _, path := range []string{"/api/v1/extensions?state=up", "/api/v1/extensions?q=" + strings.Repeat("x", 201)} {
		r := c.do("GET", path, nil)
		if code, _ := r.errCode(); r.status != 400 || code != tickets.EINVALID {
			t.Errorf("%s: %d %s", path[:min(len(path), 40)], r.status, r.body)
		}
	}
}

func TestExtensionHistoryAPI(t *testing.T) {
	t.Parallel()
	src := sampleExtensions()
	e := newEnv(t, withExtensions(src))
	c := e.login("sup", tickets.RoleSupervisor)
	var h []ExtensionEvent
	c.must(200, "GET", "/api/v1/extensions/1002/history?limit=10", nil, &h)
	if len(h) != 2 || h[0].State != "unreachable" || h[0].Reason != "qualify timeout" || h[1].State != "registered" {
		t.Errorf("history: %+v", h)
	}
	if r := c.do("GET", "/api/v1/extensions/1005/history", nil); r.status != 200 || strings.TrimSpace(string(r.body)) != "[]" {
		t.Errorf("empty history: %d %s", r.status, r.body)
	}
	if src.limits[0] != 10 || src.limits[1] != 50 {
		t.Errorf("limits passed: %v", src.limits)
	}
	if r := c.do("GET", "/api/v1/extensions/9999/history", nil); r.status != 404 {
		t.Errorf("unknown: %d %s", r.status, r.body)
	}
	for _, q := range []string{"0", "501", "x"} {
		r := c.do("GET", "/api/v1/extensions/1002/history?limit="+q, nil)
		if code, _ := r.errCode(); r.status != 400 || code != tickets.EINVALID {
			t.Errorf("limit=%s: %d %s", q, r.status, r.body)
		}
	}
}

// The routes are documented with their roles, and absent without a source.
func TestExtensionsOpenAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withExtensions(sampleExtensions()))
	paths := e.s.OpenAPI()["paths"].(map[string]any)
	anon := e.anon()
	for _, p := range []string{"/api/v1/extensions", "/api/v1/extensions/{ext}/history"} {
		op, ok := paths[p].(map[string]any)["get"].(map[string]any)
		if !ok {
			t.Fatalf("%s not documented", p)
		}
		if roles, _ := op["x-roles"].([]string); strings.Join(roles, ",") != "network,supervisor,admin" {
			t.Errorf("%s x-roles %v", p, op["x-roles"])
		}
		if r := anon.do("GET", strings.ReplaceAll(p, "{ext}", "1"), nil); r.status != 401 {
			t.Errorf("%s anonymous: %d", p, r.status)
		}
	}
	bare := newEnv(t)
	if _, ok := bare.s.OpenAPI()["paths"].(map[string]any)["/api/v1/extensions"]; ok {
		t.Error("extensions documented without a source")
	}
	if r := bare.login("adm", tickets.RoleAdmin).do("GET", "/api/v1/extensions", nil); r.status != 404 {
		t.Errorf("extensions without a source: %d", r.status)
	}
}

// monitorSource adapts an extmon.Monitor to ExtensionSource: the adapter
// cmd/atiende uses, checked here end to end.
type monitorSource struct{ m *extmon.Monitor }

func (s monitorSource) Extensions(ctx context.Context) ([]ExtensionInfo, error) {
	list, err := s.m.Extensions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ExtensionInfo, len(list))
	for i, x := range list {
		out[i] = ExtensionInfo{Extension: x.Extension, Owner: x.Owner, State: string(x.State), Contact: x.Contact,
			UserAgent: x.UserAgent, RTTMillis: ivr.RTTMillis(x.RTT), Since: x.Since,
			DownSince: x.DownSince, Reason: x.Reason, Ticket: x.Ticket}
	}
	return out, nil
}

func (s monitorSource) ExtensionHistory(ctx context.Context, ext string, limit int) ([]ExtensionEvent, error) {
	h, err := s.m.History(ctx, ext, limit)
	if err != nil {
		return nil, err
	}
	out := make([]ExtensionEvent, len(h))
	for i, st := range h {
		out[i] = ExtensionEvent{Extension: st.Extension, State: string(st.State), Contact: st.Contact, UserAgent: st.UserAgent,
			RTTMillis: ivr.RTTMillis(st.RTT), Reason: st.Reason, At: st.Since}
	}
	return out, nil
}

func TestExtensionsFromMonitor(t *testing.T) {
	t.Parallel()
	eng := ivrtest.NewEngine()
	src := &monitorSource{}
	e := newEnv(t, withExtensions(src))
	m, err := extmon.New(extmon.Config{DownAfter: time.Hour}, extmon.Deps{Engine: eng, Store: e.db, Tickets: e.db,
		Owner: extmon.DirectoryOwner(e.db)})
	if err != nil {
		t.Fatal(err)
	}
	src.m = m
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()

	if err := e.db.SaveContact(ctx, &tickets.Contact{Name: "Ana Ruiz", Extensions: []string{"1001"}}); err != nil {
		t.Fatal(err)
	}
	c := e.login("redes", tickets.RoleNetwork)
	now := time.Now()
	eng.SetExtension(ivr.ExtensionStatus{Extension: "1001", State: ivr.ExtRegistered, Contact: "sip:1001@192.0.2.1", UserAgent: "baresip", RTT: 1500 * time.Microsecond, Since: now})
	var h []ExtensionEvent
	for deadline := time.Now().Add(3 * time.Second); len(h) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c.must(200, "GET", "/api/v1/extensions/1001/history", nil, &h)
	}
	eng.SetExtension(ivr.ExtensionStatus{Extension: "1001", State: ivr.ExtUnreachable, Contact: "sip:1001@192.0.2.1", UserAgent: "baresip", Reason: "qualify timeout", Since: now.Add(time.Second)})
	for deadline := time.Now().Add(3 * time.Second); len(h) < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c.must(200, "GET", "/api/v1/extensions/1001/history", nil, &h)
	}
	if len(h) != 2 || h[0].State != "unreachable" || h[1].State != "registered" || h[1].RTTMillis != 1.5 || !h[1].At.Equal(now.Truncate(time.Microsecond)) {
		t.Fatalf("history: %+v", h)
	}
	var l extensionList
	c.must(200, "GET", "/api/v1/extensions?state=down", nil, &l)
	if len(l.Extensions) != 1 || l.Extensions[0].Reason != "qualify timeout" || l.Extensions[0].DownSince == nil ||
		l.Extensions[0].Owner != "Ana Ruiz" {
		t.Errorf("list: %+v", l)
	}
}
