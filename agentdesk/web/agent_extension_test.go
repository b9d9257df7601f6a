package web

import (
	"context"
	"sync"
	"testing"

	"github.com/atiende/atiende/tickets"
)

// extAgents is an AgentControl that knows extensions and can change them.
type extAgents struct {
	*fakeAgents
	mu   sync.Mutex
	exts map[string]string // username -> extension
	sets []string          // "user=ext" per SetAgentExtension
}

func (f *extAgents) Agents(ctx context.Context) ([]AgentStatus, error) {
	as, err := f.fakeAgents.Agents(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range as {
		as[i].Extension = f.exts[as[i].Username]
	}
	return as, err
}

func (f *extAgents) SetAgentExtension(_ context.Context, username, ext string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exts[username] = ext
	f.sets = append(f.sets, username+"="+ext)
	return nil
}

func TestAgentPicksExtension(t *testing.T) {
	t.Parallel()
	fa := &extAgents{fakeAgents: &fakeAgents{states: map[string]string{}}, exts: map[string]string{}}
	e := newEnv(t, func(_ *Config, d *Deps) { d.Agents, d.AgentExtensions = fa, fa })
	ana := e.login("ana", tickets.RoleAgent)
	beto := e.login("beto", tickets.RoleAgent)
	sup := e.login("sup", tickets.RoleSupervisor)
	// ana has 1001 configured; beto is logged in at 1002.
	u, _ := e.db.User(context.Background(), "ana")
	u.Extension = "1001"
	if err := e.db.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	fa.states["beto"], fa.exts["beto"] = "paused", "1002"

	ana.must(204, "POST", "/api/v1/agents/ana/state", map[string]any{"state": "available", "extension": "1001"}, nil)
	// Another free extension: allowed for an agent.
	ana.must(204, "POST", "/api/v1/agents/ana/state", map[string]any{"state": "available", "extension": "1005"}, nil)
	// beto's extension, while beto is logged in: refused.
	if r := ana.do("POST", "/api/v1/agents/ana/state", map[string]any{"state": "available", "extension": "1002"}); r.status != 409 {
		t.Errorf("taken extension: %d %s", r.status, r.body)
	}
	// Once beto logs out, it is free.
	beto.must(204, "POST", "/api/v1/agents/beto/state", map[string]any{"state": "logged_out"}, nil)
	ana.must(204, "POST", "/api/v1/agents/ana/state", map[string]any{"state": "available", "extension": "1002"}, nil)
	for _, bad := range []string{"12a", "<b>", "123456789012345678901"} {
		if r := ana.do("POST", "/api/v1/agents/ana/state", map[string]any{"state": "available", "extension": bad}); r.status != 400 && r.status != 422 {
			t.Errorf("extension %q: %d", bad, r.status)
		}
	}
	// A supervisor has only their configured extension (none here).
	if r := sup.do("POST", "/api/v1/agents/sup/state", map[string]any{"state": "available", "extension": "1009"}); r.status != 403 {
		t.Errorf("supervisor picking an extension: %d %s", r.status, r.body)
	}
	// An agent cannot move another agent's phone (nor their state).
	if r := beto.do("POST", "/api/v1/agents/ana/state", map[string]any{"state": "available", "extension": "1003"}); r.status != 403 {
		t.Errorf("beto moving ana: %d", r.status)
	}
	fa.mu.Lock()
	defer fa.mu.Unlock()
	if want := []string{"ana=1001", "ana=1005", "ana=1002"}; len(fa.sets) != 3 || fa.sets[0] != want[0] || fa.sets[1] != want[1] || fa.sets[2] != want[2] {
		t.Errorf("extension changes %v, want %v", fa.sets, want)
	}
	if fa.states["ana"] != "available" {
		t.Errorf("ana's state %q", fa.states["ana"])
	}
}

// Without an AgentExtensionSetter a new extension is refused, and the one
// the desk already has passes.
func TestAgentExtensionWithoutSetter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.login("ana", tickets.RoleAgent)
	if r := ana.do("POST", "/api/v1/agents/ana/state", map[string]any{"state": "available", "extension": "1001"}); r.status != 503 {
		t.Errorf("status %d %s, want 503", r.status, r.body)
	}
	ana.must(204, "POST", "/api/v1/agents/ana/state", map[string]any{"state": "available"}, nil)
}
