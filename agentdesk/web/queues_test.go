package web

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets"
)

// fakeQueues is a QueueAdmin for tests: two queues with configured values,
// versions as the store keeps them, and a record of every save.
type fakeQueues struct {
	mu     sync.Mutex
	now    func() time.Time
	config map[string]agentdesk.QueueSettings
	saved  map[string]*agentdesk.QueueSettings
	saves  []agentdesk.QueueSettings // what SaveQueueSettings was given
}

func newFakeQueues(now func() time.Time) *fakeQueues {
	yes := true
	cfg := func(name string) agentdesk.QueueSettings {
		return agentdesk.QueueSettings{Queue: name, Strategy: "longest_idle", RingTimeout: 15 * time.Second,
			WrapUp: 10 * time.Second, MaxWait: 2 * time.Minute, AnnounceInterval: 30 * time.Second,
			ServiceLevel: 20 * time.Second, AutoPause: &yes}
	}
	return &fakeQueues{now: now, config: map[string]agentdesk.QueueSettings{"redes": cfg("redes"), "correo": cfg("correo")},
		saved: map[string]*agentdesk.QueueSettings{}}
}

func (f *fakeQueues) infoLocked(name string) QueueInfo {
	q := QueueInfo{Name: name, Effective: f.config[name], Config: f.config[name]}
	if sv := f.saved[name]; sv != nil {
		cp := *sv
		q.Saved = &cp
		if !sv.Reverted {
			q.Effective = cp
			if q.Effective.AutoPause == nil {
				yes := true
				q.Effective.AutoPause = &yes
			}
		}
	}
	q.Live = QueueLive{Strategy: q.Effective.Strategy, WrapUp: q.Effective.WrapUp, ServiceLevel: q.Effective.ServiceLevel,
		Waiting: 2, LongestWait: 42 * time.Second, AgentsStaffed: 3, AgentsAvailable: 1}
	return q
}

func (f *fakeQueues) Queues(context.Context) ([]QueueInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for n := range f.config {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]QueueInfo, len(names))
	for i, n := range names {
		out[i] = f.infoLocked(n)
	}
	return out, nil
}

func (f *fakeQueues) version(name string) int {
	if sv := f.saved[name]; sv != nil {
		return sv.Version
	}
	return 0
}

func (f *fakeQueues) SaveQueueSettings(_ context.Context, s agentdesk.QueueSettings, expected int) (QueueInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saves = append(f.saves, s)
	if _, ok := f.config[s.Queue]; !ok {
		return QueueInfo{}, tickets.Errorf(tickets.ENOTFOUND, "no queue %s", s.Queue)
	}
	if v := f.version(s.Queue); v != expected {
		return QueueInfo{}, tickets.Errorf(tickets.ECONFLICT, "queue %s is at version %d, not %d", s.Queue, v, expected)
	}
	s.Version, s.UpdatedAt, s.Reverted = expected+1, f.now(), false
	f.saved[s.Queue] = &s
	return f.infoLocked(s.Queue), nil
}

func (f *fakeQueues) ResetQueueSettings(_ context.Context, queue string, expected int, actor string) (QueueInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.config[queue]; !ok {
		return QueueInfo{}, tickets.Errorf(tickets.ENOTFOUND, "no queue %s", queue)
	}
	if v := f.version(queue); v != expected {
		return QueueInfo{}, tickets.Errorf(tickets.ECONFLICT, "queue %s is at version %d, not %d", queue, v, expected)
	}
	if sv := f.saved[queue]; sv != nil && !sv.Reverted {
		sv.Reverted, sv.Version, sv.UpdatedBy, sv.UpdatedAt = true, sv.Version+1, actor, f.now()
	}
	return f.infoLocked(queue), nil
}

func withQueues(fq *fakeQueues) envOption {
	return func(_ *Config, d *Deps) { d.Queues = fq }
}

// queueErr is an error body with the field named.
type queueErr struct {
	Error errorDetail `json:"error"`
	Field string      `json:"field"`
}

func goodQueueBody(version int) map[string]any {
	return map[string]any{"version": version, "strategy": "ring_all", "ring_timeout_s": 7.5, "wrap_up_s": 0,
		"max_wait_s": 300, "announce_interval_s": 0, "service_level_s": 30, "auto_pause": false}
}

func TestQueueSettingsAPI(t *testing.T) {
	t.Parallel()
	var fq *fakeQueues
	e := newEnv(t, func(c *Config, d *Deps) { fq = newFakeQueues(d.Clock); withQueues(fq)(c, d) })
	sup := e.login("sup1", tickets.RoleSupervisor)
	adm := e.login("adm1", tickets.RoleAdmin)

	var list queueList
	sup.must(200, "GET", "/api/v1/queues", nil, &list)
	if len(list.Items) != 2 || list.Items[0].Name != "correo" || list.Items[1].Name != "redes" {
		t.Fatalf("list %+v", list)
	}
	redes := list.Items[1]
	want := queueValues{Strategy: "longest_idle", RingTimeout: 15, WrapUp: 10, MaxWait: 120, AnnounceInterval: 30, ServiceLevel: 20, AutoPause: true}
	if redes.Source != "config" || redes.Version != 0 || redes.Settings != want || redes.Config != want ||
		redes.UpdatedBy != "" || redes.UpdatedAt != nil || redes.Reverted {
		t.Errorf("redes from config: %+v", redes)
	}
	if l := redes.Live; l.Waiting != 2 || l.LongestWait != 42 || l.AgentsStaffed != 3 || l.AgentsAvailable != 1 || l.Strategy != "longest_idle" {
		t.Errorf("live %+v", l)
	}

	// Save: seconds become durations; who saved is the caller. (Each
	// answer is decoded into a fresh value: omitted fields must not linger.)
	var got queueView
	sup.must(200, "PUT", "/api/v1/queues/redes", goodQueueBody(0), &got)
	fq.mu.Lock()
	s := fq.saves[len(fq.saves)-1]
	fq.mu.Unlock()
	if s.Queue != "redes" || s.Strategy != "ring_all" || s.RingTimeout != 7500*time.Millisecond || s.WrapUp != 0 ||
		s.MaxWait != 5*time.Minute || s.AnnounceInterval != 0 || s.ServiceLevel != 30*time.Second ||
		s.AutoPause == nil || *s.AutoPause || s.UpdatedBy != "sup1" {
		t.Errorf("the desk was given %+v", s)
	}
	wantSaved := queueValues{Strategy: "ring_all", RingTimeout: 7.5, WrapUp: 0, MaxWait: 300, AnnounceInterval: 0, ServiceLevel: 30, AutoPause: false}
	if got.Source != "admin" || got.Version != 1 || got.Settings != wantSaved || got.Config != want || got.UpdatedBy != "sup1" ||
		got.UpdatedAt == nil || !got.UpdatedAt.Equal(e.clock.Now()) || got.Live.Strategy != "ring_all" {
		t.Errorf("saved view %+v", got)
	}
	sup.must(200, "GET", "/api/v1/queues", nil, &list)
	if list.Items[1].Source != "admin" || list.Items[1].Settings != wantSaved || list.Items[0].Source != "config" {
		t.Errorf("list after save %+v", list.Items)
	}

	// auto_pause may be left out: the default.
	body := goodQueueBody(1)
	delete(body, "auto_pause")
	got = queueView{}
	adm.must(200, "PUT", "/api/v1/queues/redes", body, &got)
	fq.mu.Lock()
	s = fq.saves[len(fq.saves)-1]
	fq.mu.Unlock()
	if s.AutoPause != nil || !got.Settings.AutoPause || got.Version != 2 || got.UpdatedBy != "adm1" {
		t.Errorf("without auto_pause: given %+v, view %+v", s, got)
	}

	// What a caller gets with nobody logged in: given to the desk, shown.
	body = goodQueueBody(2)
	body["no_agents"], body["overflow"] = "overflow", "correo"
	got = queueView{}
	sup.must(200, "PUT", "/api/v1/queues/redes", body, &got)
	fq.mu.Lock()
	s = fq.saves[len(fq.saves)-1]
	fq.mu.Unlock()
	if s.NoAgents != "overflow" || s.Overflow != "correo" || got.Settings.NoAgents != "overflow" || got.Settings.Overflow != "correo" {
		t.Errorf("no_agents overflow: given %+v, view %+v", s, got)
	}
	body = goodQueueBody(3)
	body["no_agents"] = "wait"
	got = queueView{}
	sup.must(200, "PUT", "/api/v1/queues/redes", body, &got)
	if got.Settings.NoAgents != "wait" || got.Settings.Overflow != "" || got.Version != 4 {
		t.Errorf("no_agents wait: view %+v", got)
	}

	// A stale version, an unknown queue.
	r := sup.do("PUT", "/api/v1/queues/redes", goodQueueBody(1))
	if code, msg := r.errCode(); r.status != 409 || code != tickets.ECONFLICT || !strings.Contains(msg, "version 4") {
		t.Errorf("stale save: %d %s", r.status, r.body)
	}
	r = sup.do("PUT", "/api/v1/queues/ventas", goodQueueBody(0))
	if code, _ := r.errCode(); r.status != 404 || code != tickets.ENOTFOUND {
		t.Errorf("unknown queue: %d %s", r.status, r.body)
	}

	// Back to the configuration: the version is required and must be
	// current; the view says who reverted.
	for _, tc := range []struct {
		query  string
		status int
		field  string
	}{
		{"", 400, "version"},
		{"?version=uno", 400, "version"},
		{"?version=-1", 400, "version"},
		{"?version=1", 409, ""},
	} {
		r := sup.do("DELETE", "/api/v1/queues/redes/settings"+tc.query, nil)
		var b queueErr
		_ = json.Unmarshal(r.body, &b)
		if r.status != tc.status || b.Field != tc.field {
			t.Errorf("DELETE %q: %d %s, want %d field %q", tc.query, r.status, r.body, tc.status, tc.field)
		}
	}
	r = sup.do("DELETE", "/api/v1/queues/ventas/settings?version=0", nil)
	if r.status != 404 {
		t.Errorf("revert unknown queue: %d %s", r.status, r.body)
	}
	e.clock.Add(time.Minute)
	got = queueView{}
	sup.must(200, "DELETE", "/api/v1/queues/redes/settings?version=4", nil, &got)
	if got.Source != "config" || !got.Reverted || got.Version != 5 || got.Settings != want || got.UpdatedBy != "sup1" ||
		got.UpdatedAt == nil || !got.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("reverted view %+v", got)
	}
	// A queue already on its configuration: nothing to do.
	var correo queueView
	sup.must(200, "DELETE", "/api/v1/queues/correo/settings?version=0", nil, &correo)
	if correo.Source != "config" || correo.Version != 0 || correo.Reverted || correo.UpdatedBy != "" {
		t.Errorf("revert of a queue on its configuration %+v", correo)
	}
}

// Every bad value is a 422 that names the field (a malformed request or
// version: 400), and nothing reaches the
// desk.
func TestQueueSettingsBadValues(t *testing.T) {
	t.Parallel()
	var fq *fakeQueues
	e := newEnv(t, func(c *Config, d *Deps) { fq = newFakeQueues(d.Clock); withQueues(fq)(c, d) })
	sup := e.login("sup1", tickets.RoleSupervisor)
	with := func(k string, v any) map[string]any {
		b := goodQueueBody(0)
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name  string
		body  any
		field string // "" for a malformed request
		msg   string
	}{
		{"malformed", `{"strategy":`, "", "malformed JSON"},
		{"unknown field", with("colour", "red"), "", `"colour"`},
		{"wrong type", with("ring_timeout_s", "fast"), "", `"ring_timeout_s" must be a number`},
		{"no strategy", with("strategy", nil), "strategy", "required"},
		{"unknown strategy", with("strategy", "random"), "strategy", `"random" is not one of longest_idle, ring_all, round_robin, fewest_calls`},
		{"no ring timeout", with("ring_timeout_s", nil), "ring_timeout_s", "from 5 to 120 seconds, not 0"},
		{"ring too short", with("ring_timeout_s", 4.9), "ring_timeout_s", "from 5 to 120 seconds, not 4.9"},
		{"ring too long", with("ring_timeout_s", 121), "ring_timeout_s", "not 121"},
		{"negative wrap-up", with("wrap_up_s", -1), "wrap_up_s", "from 0 to 600 seconds"},
		{"wrap-up too long", with("wrap_up_s", 601), "wrap_up_s", "not 601"},
		{"max wait too short", with("max_wait_s", 9), "max_wait_s", "from 10 to 3600 seconds"},
		{"max wait too long", with("max_wait_s", 3601), "max_wait_s", "not 3601"},
		{"announcements too often", with("announce_interval_s", 5), "announce_interval_s", "from 10 to 600 seconds (or 0: off)"},
		{"announcements too rare", with("announce_interval_s", 601), "announce_interval_s", "not 601"},
		{"no service level", with("service_level_s", 0), "service_level_s", "from 5 to 600 seconds"},
		{"service level too long", with("service_level_s", 601), "service_level_s", "not 601"},
		{"absurd", with("max_wait_s", 1e300), "max_wait_s", "out of range"},
		{"negative version", with("version", -1), "version", "0 or more"},
		{"long name", nil, "name", "longer than 100"},
		{"unknown no-agents choice", with("no_agents", "drop"), "no_agents", `"drop" is not one of callback, wait, overflow`},
		{"overflow nowhere", with("no_agents", "overflow"), "overflow", "required"},
	}
	for _, tc := range cases {
		path := "/api/v1/queues/redes"
		body := tc.body
		if tc.name == "long name" {
			path, body = "/api/v1/queues/"+strings.Repeat("q", 101), goodQueueBody(0)
		}
		r := sup.do("PUT", path, body)
		var b queueErr
		_ = json.Unmarshal(r.body, &b)
		want := 422 // a value the desk refuses
		if tc.field == "" || tc.field == "version" {
			want = 400 // a malformed request
		}
		if r.status != want || b.Error.Code != tickets.EINVALID || b.Field != tc.field || !strings.Contains(b.Error.Message, tc.msg) {
			t.Errorf("%s: %d %s, want %d field %q with %q", tc.name, r.status, r.body, want, tc.field, tc.msg)
		}
		if tc.field != "" && !strings.HasPrefix(b.Error.Message, tc.field+": ") {
			t.Errorf("%s: the message %q does not start with the field", tc.name, b.Error.Message)
		}
	}
	fq.mu.Lock()
	defer fq.mu.Unlock()
	if len(fq.saves) != 0 {
		t.Errorf("bad values reached the desk: %+v", fq.saves)
	}
}

// Supervisors and admins only; without a desk there are no queue routes.
func TestQueueSettingsRoles(t *testing.T) {
	t.Parallel()
	var fq *fakeQueues
	e := newEnv(t, func(c *Config, d *Deps) { fq = newFakeQueues(d.Clock); withQueues(fq)(c, d) })
	current := func() int {
		fq.mu.Lock()
		defer fq.mu.Unlock()
		return fq.version("correo")
	}
	for _, role := range tickets.Roles {
		c := e.login(string(role)+"1", role)
		lead := role == tickets.RoleSupervisor || role == tickets.RoleAdmin
		for _, op := range []struct {
			method string
			path   func() string
			body   func() any
		}{
			{"GET", func() string { return "/api/v1/queues" }, func() any { return nil }},
			{"PUT", func() string { return "/api/v1/queues/correo" }, func() any { return goodQueueBody(current()) }},
			{"DELETE", func() string { return fmt.Sprintf("/api/v1/queues/correo/settings?version=%d", current()) }, func() any { return nil }},
		} {
			path := op.path()
			r := c.do(op.method, path, op.body())
			code, _ := r.errCode()
			switch {
			case lead && r.status != 200:
				t.Errorf("%s %s as %s: %d %s", op.method, path, role, r.status, r.body)
			case !lead && (r.status != 403 || code != tickets.EFORBIDDEN):
				t.Errorf("%s %s as %s: %d %s, want 403", op.method, path, role, r.status, r.body)
			}
		}
	}
	if v := current(); v != 4 {
		t.Errorf("correo at version %d after two saves and two reverts, want 4", v)
	}

	none := newEnv(t)
	sup := none.login("sup", tickets.RoleSupervisor)
	if r := sup.do("GET", "/api/v1/queues", nil); r.status != 404 {
		t.Errorf("queues without a desk: %d %s", r.status, r.body)
	}
	if _, ok := none.s.OpenAPI()["paths"].(map[string]any)["/api/v1/queues"]; ok {
		t.Error("queues documented without a desk")
	}
}

// The route table documents the three operations with their types.
func TestQueueSettingsOpenAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config, d *Deps) { withQueues(newFakeQueues(d.Clock))(c, d) })
	raw, err := json.Marshal(e.s.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
				Required   []string                   `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for path, methods := range map[string][]string{
		"/api/v1/queues": {"get"}, "/api/v1/queues/{name}": {"put"}, "/api/v1/queues/{name}/settings": {"delete"},
	} {
		for _, m := range methods {
			op, ok := doc.Paths[path][m]
			if !ok {
				t.Errorf("%s %s is not documented", m, path)
				continue
			}
			if !strings.Contains(string(op), `"x-roles":["supervisor","admin"]`) {
				t.Errorf("%s %s: roles %s", m, path, op)
			}
		}
	}
	req := doc.Components.Schemas["QueueSettingsRequest"]
	for _, f := range []string{"version", "strategy", "ring_timeout_s", "wrap_up_s", "max_wait_s", "announce_interval_s", "service_level_s"} {
		if !slices.Contains(req.Required, f) {
			t.Errorf("request field %s is not required in %v", f, req.Required)
		}
	}
	if _, ok := req.Properties["auto_pause"]; !ok || slices.Contains(req.Required, "auto_pause") {
		t.Errorf("auto_pause: %v, required %v", req.Properties, req.Required)
	}
	view := doc.Components.Schemas["QueueView"]
	for _, f := range []string{"name", "source", "settings", "config", "version", "live"} {
		if _, ok := view.Properties[f]; !ok {
			t.Errorf("QueueView has no %s", f)
		}
	}
	if !strings.Contains(string(doc.Paths["/api/v1/queues/{name}/settings"]["delete"]), `"name":"version"`) {
		t.Errorf("DELETE does not document its version parameter: %s", doc.Paths["/api/v1/queues/{name}/settings"]["delete"])
	}
}
