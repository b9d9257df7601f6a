package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/atiende/atiende/tickets"
)

func newHoldsEnv(t *testing.T) (*env, *extAgents) {
	t.Helper()
	fa := &extAgents{fakeAgents: &fakeAgents{states: map[string]string{}}, exts: map[string]string{}}
	e := newEnv(t, func(_ *Config, d *Deps) {
		d.Agents, d.AgentExtensions = fa, fa
		d.ExtensionHolds = d.Store.(tickets.ExtensionHolds)
	})
	return e, fa
}

// TestOneAgentPerExtension: the case. beto takes 1001 while its
// owner ana is logged out; ana then going available on her configured 1001
// is refused (409, in her language) instead of both being available on it.
func TestOneAgentPerExtension(t *testing.T) {
	t.Parallel()
	e, fa := newHoldsEnv(t)
	ctx := context.Background()
	ana := e.login("ana", tickets.RoleAgent)
	beto := e.login("beto", tickets.RoleAgent)
	u, _ := e.db.User(ctx, "ana")
	u.Extension, u.Language = "1001", "en"
	if err := e.db.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	fa.states["ana"], fa.exts["ana"] = "logged_out", "1001" // the desk, as cmd builds it

	ana.must(204, "POST", API+"/agents/ana/state", map[string]any{"state": "available"}, nil)
	r := beto.do("POST", API+"/agents/beto/state", map[string]any{"state": "available", "extension": "1001"})
	if _, msg := r.errCode(); r.status != 409 || !strings.Contains(msg, "La extensión 1001 está en uso por ana") {
		t.Errorf("beto takes ana's extension while she is logged in: %d %s, want 409 in Spanish", r.status, r.body)
	}
	ana.must(204, "POST", API+"/agents/ana/state", map[string]any{"state": "logged_out"}, nil)
	beto.must(204, "POST", API+"/agents/beto/state", map[string]any{"state": "available", "extension": "1001"}, nil)
	r = ana.do("POST", API+"/agents/ana/state", map[string]any{"state": "available"})
	if _, msg := r.errCode(); r.status != 409 || !strings.Contains(msg, "Extension 1001 is in use by beto") {
		t.Errorf("ana back on 1001 held by beto: %d %s, want 409 in English", r.status, r.body)
	}
	if fa.states["ana"] != "logged_out" {
		t.Errorf("ana is %s; two agents would be on 1001", fa.states["ana"])
	}
	if h, _ := e.db.ExtensionHolder(ctx, "1001"); h != "beto" {
		t.Errorf("1001 held by %q, want beto", h)
	}
	// On another extension ana may work.
	ana.must(204, "POST", API+"/agents/ana/state", map[string]any{"state": "available", "extension": "1003"}, nil)
}

// TestExtensionRaceAPI: agents asking for one free extension at once;
// exactly one gets it.
func TestExtensionRaceAPI(t *testing.T) {
	t.Parallel()
	e, _ := newHoldsEnv(t)
	const n = 8
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = e.login(fmt.Sprintf("ag%d", i), tickets.RoleAgent)
	}
	codes := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], errs[i] = cs[i].raw("POST", fmt.Sprintf("%s/agents/ag%d/state", API, i), `{"state":"available","extension":"1007"}`)
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, c := range codes {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch c {
		case 204:
			won++
		case 409:
		default:
			t.Errorf("agent %d: %d", i, c)
		}
	}
	if won != 1 {
		t.Errorf("%d agents took extension 1007 at once, want 1 (codes %v)", won, codes)
	}
}

// TestStaleExtensionHold: a hold left in the store by an agent the desk has
// logged out (a restart: the desk starts everyone logged out) does not lock
// the extension; the newcomer takes it over.
func TestStaleExtensionHold(t *testing.T) {
	t.Parallel()
	e, fa := newHoldsEnv(t)
	ctx := context.Background()
	e.user("ana", tickets.RoleAgent, 1)
	beto := e.login("beto", tickets.RoleAgent)
	if err := e.db.HoldExtension(ctx, "ana", "1001"); err != nil {
		t.Fatal(err)
	}
	fa.states["ana"], fa.exts["ana"] = "logged_out", "1001"
	beto.must(204, "POST", API+"/agents/beto/state", map[string]any{"state": "available", "extension": "1001"}, nil)
	if h, _ := e.db.ExtensionHolder(ctx, "1001"); h != "beto" {
		t.Errorf("1001 held by %q, want beto", h)
	}
	// Logging out releases the hold.
	beto.must(204, "POST", API+"/agents/beto/state", map[string]any{"state": "logged_out"}, nil)
	if h, _ := e.db.ExtensionHolder(ctx, "1001"); h != "" {
		t.Errorf("1001 held by %q after beto logged out", h)
	}
}
