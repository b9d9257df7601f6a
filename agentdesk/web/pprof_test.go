package web

import (
	"strings"
	"testing"

	"github.com/atiende/atiende/tickets"
)

// The profiler is off by default (404), and when on it is for admins only.
func TestPprofAdminOnly(t *testing.T) {
	t.Parallel()
	off := newEnv(t)
	admin := off.login("admin1", tickets.RoleAdmin)
	for _, p := range []string{"/debug/pprof/", "/debug/pprof/heap"} {
		if r := admin.do("GET", p, nil); r.status != 404 {
			t.Errorf("profiling off: GET %s = %d, want 404", p, r.status)
		}
	}

	on := newEnv(t, func(c *Config, _ *Deps) { c.Profiling = true })
	admin = on.login("admin1", tickets.RoleAdmin)
	r := admin.do("GET", "/debug/pprof/", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "goroutine") || !strings.Contains(string(r.body), "heap") {
		t.Errorf("admin: GET /debug/pprof/ = %d %.200s", r.status, r.body)
	}
	if r := admin.do("GET", "/debug/pprof/goroutine?debug=1", nil); r.status != 200 || !strings.Contains(string(r.body), "goroutine profile") {
		t.Errorf("admin: goroutine profile = %d %.200s", r.status, r.body)
	}
	if r := admin.do("GET", "/debug/pprof/heap", nil); r.status != 200 || len(r.body) == 0 {
		t.Errorf("admin: heap profile = %d, %d bytes", r.status, len(r.body))
	}
	for _, role := range []tickets.Role{tickets.RoleAgent, tickets.RoleTechnician, tickets.RoleSupervisor, tickets.RoleNetwork} {
		c := on.login("u_"+string(role), role)
		for _, p := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/cmdline"} {
			if r := c.do("GET", p, nil); r.status != 403 {
				t.Errorf("%s: GET %s = %d, want 403", role, p, r.status)
			}
		}
	}
	if r := on.anon().do("GET", "/debug/pprof/", nil); r.status != 401 {
		t.Errorf("anonymous: GET /debug/pprof/ = %d, want 401", r.status)
	}
}
