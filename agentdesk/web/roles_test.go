package web

import (
	"testing"

	"github.com/atiende/atiende/tickets"
)

func TestRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clients := map[tickets.Role]*client{}
	for _, r := range tickets.Roles {
		clients[r] = e.login(string(r)+"1", r)
	}
	tk := clients[tickets.RoleAgent].newTicket(nil)
	const csv = "nombre,telefono\nJuan Soto,55 1234 5678\n"

	A, T, S, N, D := tickets.RoleAgent, tickets.RoleTechnician, tickets.RoleSupervisor, tickets.RoleNetwork, tickets.RoleAdmin
	cases := []struct {
		method, path string
		body         any
		ctype        string
		allowed      []tickets.Role
	}{
		{"GET", "/api/v1/tickets", nil, "", []tickets.Role{A, T, S, N, D}},
		{"GET", "/api/v1/tickets/" + tk.Number, nil, "", []tickets.Role{A, T, S, N, D}},
		{"POST", "/api/v1/tickets/" + tk.Number + "/notes", map[string]any{"body": "hi"}, "", []tickets.Role{A, T, S, N, D}},
		{"GET", "/api/v1/catalog", nil, "", []tickets.Role{A, T, S, N, D}},
		{"GET", "/api/v1/contacts", nil, "", []tickets.Role{A, T, S, N, D}},
		{"POST", "/api/v1/contacts", map[string]any{"name": "X", "phones": []string{"5512345678"}}, "", []tickets.Role{A, T, S, D}},
		{"POST", "/api/v1/contacts/import", csv, "text/csv", []tickets.Role{S, D}},
		{"GET", "/api/v1/users", nil, "", []tickets.Role{D}},
		{"POST", "/api/v1/users", map[string]any{"username": "new", "role": "agent", "password": "long enough pw"}, "", []tickets.Role{D}},
		{"PUT", "/api/v1/users/agent1", map[string]any{"extension": "1001"}, "", []tickets.Role{D}},
		{"GET", "/api/v1/agents", nil, "", []tickets.Role{S, D}},
		// Someone else's state: only supervisors and admins.
		{"POST", "/api/v1/agents/zoe/state", map[string]any{"state": "paused", "reason": "meeting"}, "", []tickets.Role{S, D}},
		{"POST", "/api/v1/tokens", map[string]any{"name": "cli"}, "", []tickets.Role{A, T, S, N, D}},
	}
	for _, tc := range cases {
		for _, role := range tickets.Roles {
			allowed := false
			for _, a := range tc.allowed {
				allowed = allowed || a == role
			}
			var hdr []string
			if tc.ctype != "" {
				hdr = []string{"Content-Type", tc.ctype}
			}
			body := tc.body
			if tc.path == "/api/v1/users" && tc.method == "POST" {
				body = map[string]any{"username": "new-" + string(role), "role": "agent", "password": "long enough pw"}
			}
			r := clients[role].do(tc.method, tc.path, body, hdr...)
			code, _ := r.errCode()
			switch {
			case allowed && (r.status >= 400):
				t.Errorf("%s %s as %s: %d %s, want allowed", tc.method, tc.path, role, r.status, r.body)
			case !allowed && (r.status != 403 || code != tickets.EFORBIDDEN):
				t.Errorf("%s %s as %s: %d %s, want 403 forbidden", tc.method, tc.path, role, r.status, r.body)
			}
		}
	}

	// An agent sets their own state, not another's; the network page role
	// has no agent state at all.
	if r := clients[A].do("POST", "/api/v1/agents/agent1/state", map[string]any{"state": "available"}); r.status != 204 {
		t.Errorf("own state: %d %s", r.status, r.body)
	}
	if r := clients[A].do("POST", "/api/v1/agents/technician1/state", map[string]any{"state": "available"}); r.status != 403 {
		t.Errorf("other's state: %d %s", r.status, r.body)
	}
	if r := clients[N].do("POST", "/api/v1/agents/network1/state", map[string]any{"state": "available"}); r.status != 403 {
		t.Errorf("network's state: %d %s", r.status, r.body)
	}
	if r := clients[S].do("POST", "/api/v1/agents/agent1/state", map[string]any{"state": "dancing"}); r.status != 422 {
		t.Errorf("unknown state: %d %s", r.status, r.body)
	}
}

func TestInternalNotesPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.login("ana", tickets.RoleAgent)
	bea := e.login("bea", tickets.RoleAgent)
	tec := e.login("tec", tickets.RoleTechnician)

	l1 := ana.newTicket(map[string]any{"level": 1})
	l3 := tec.newTicket(map[string]any{"level": 3, "assignee": "tec"})
	mine := tec.newTicket(map[string]any{"level": 3, "assignee": "bea"})
	for _, tk := range []*tickets.Ticket{l1, l3, mine} {
		tec.must(201, "POST", "/api/v1/tickets/"+tk.Number+"/notes", map[string]any{"body": "internal", "internal": true}, nil)
		tec.must(201, "POST", "/api/v1/tickets/"+tk.Number+"/notes", map[string]any{"body": "public"}, nil)
	}
	ana.must(201, "POST", "/api/v1/tickets/"+l3.Number+"/notes", map[string]any{"body": "ana's own", "internal": true}, nil)
	count := func(c *client, tk *tickets.Ticket) (internal, public int) {
		var notes []tickets.Note
		c.must(200, "GET", "/api/v1/tickets/"+tk.Number+"/notes", nil, &notes)
		for _, n := range notes {
			if n.Internal {
				internal++
			} else {
				public++
			}
		}
		return
	}
	for _, tc := range []struct {
		who          string
		c            *client
		tk           *tickets.Ticket
		internal, pu int
	}{
		{"agent, level-1 ticket", ana, l1, 1, 1},
		{"agent, level-3 ticket of another", ana, l3, 1, 1}, // only ana's own internal note
		{"other agent, level-3 ticket of another", bea, l3, 0, 1},
		{"agent, level-3 ticket assigned to them", bea, mine, 1, 1},
		{"technician", tec, l3, 2, 1},
	} {
		in, pu := count(tc.c, tc.tk)
		if in != tc.internal || pu != tc.pu {
			t.Errorf("%s: %d internal, %d public; want %d, %d", tc.who, in, pu, tc.internal, tc.pu)
		}
	}
}

// leadOnly checks that GET path answers supervisors and admins, refuses
// every other role (403) and anonymous callers (401). sup is a supervisor
// already logged in; the other roles are logged in as <role>2.
func (e *env) leadOnly(t *testing.T, sup *client, path string) {
	t.Helper()
	for _, r := range tickets.Roles {
		c := sup
		if r != tickets.RoleSupervisor {
			c = e.login(string(r)+"2", r)
		}
		want := 403
		if r == tickets.RoleSupervisor || r == tickets.RoleAdmin {
			want = 200
		}
		if got := c.do("GET", path, nil); got.status != want {
			t.Errorf("GET %s as %s: status %d, want %d", path, r, got.status, want)
		}
	}
	if got := e.anon().do("GET", path, nil); got.status != 401 {
		t.Errorf("GET %s anonymous: status %d, want 401", path, got.status)
	}
}
