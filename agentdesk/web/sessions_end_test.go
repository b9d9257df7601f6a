package web

import (
	"testing"

	"github.com/atiende/atiende/tickets"
)

func (e *env) status(c *client) int {
	e.t.Helper()
	return c.do("GET", "/api/v1/me", nil).status
}

// TestPasswordResetEndsSessionsAndTokens: after an admin resets a password
// the old cookies and the API tokens made before answer 401; with
// keep_tokens the tokens survive and the cookies still end.
func TestPasswordResetEndsSessionsAndTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, ana, prog := e.adminAndAnaWithToken()
	ana2 := e.login2("ana")
	for _, c := range []*client{ana, ana2, prog} {
		if st := e.status(c); st != 200 {
			t.Fatalf("before the reset: %d", st)
		}
	}
	admin.must(200, "PUT", "/api/v1/users/ana", map[string]any{"password": "a brand new password"}, nil)
	for i, c := range []*client{ana, ana2, prog} {
		if st := e.status(c); st != 401 {
			t.Errorf("credential %d after the reset: %d, want 401", i, st)
		}
	}

	// keep_tokens: the sessions end, the token stays.
	beto := e.login("beto", tickets.RoleAgent)
	var tr tokenResponse
	beto.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "script"}, &tr)
	prog.bearer = tr.Token
	admin.must(200, "PUT", "/api/v1/users/beto", map[string]any{"password": "another new password", "keep_tokens": true}, nil)
	if st := e.status(beto); st != 401 {
		t.Errorf("beto's cookie after the reset: %d, want 401", st)
	}
	if st := e.status(prog); st != 200 {
		t.Errorf("beto's token after a reset keeping tokens: %d, want 200", st)
	}
	// The admin's own session is someone else's business: it stays.
	if st := e.status(admin); st != 200 {
		t.Errorf("the admin after resetting others: %d", st)
	}
	// A change that is neither a reset nor disabling ends nothing.
	carl := e.login("carl", tickets.RoleAgent)
	admin.must(200, "PUT", "/api/v1/users/carl", map[string]any{"name": "Carl"}, nil)
	if st := e.status(carl); st != 200 {
		t.Errorf("carl after a name change: %d, want 200", st)
	}
}

// TestDisableEndsSessionsAndTokens: disabling ends the sessions and deletes
// the tokens, so that enabling the user again brings none of them back.
func TestDisableEndsSessionsAndTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, ana, prog := e.adminAndAnaWithToken()
	admin.must(200, "PUT", "/api/v1/users/ana", map[string]any{"disabled": true}, nil)
	admin.must(200, "PUT", "/api/v1/users/ana", map[string]any{"disabled": false}, nil)
	for i, c := range []*client{ana, prog} {
		if st := e.status(c); st != 401 {
			t.Errorf("credential %d after disable and enable: %d, want 401", i, st)
		}
	}
}

// TestLogoutEndsEverySession: logging out in one browser ends the user's
// other sessions too; API tokens stay.
func TestLogoutEndsEverySession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.login("ana", tickets.RoleAgent)
	var tr tokenResponse
	ana.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "script"}, &tr)
	prog := e.anon()
	prog.bearer = tr.Token
	other := e.login2("ana")
	ana.must(204, "POST", "/api/v1/logout", nil, nil)
	if st := e.status(other); st != 401 {
		t.Errorf("the other browser after logout: %d, want 401", st)
	}
	if st := e.status(prog); st != 200 {
		t.Errorf("the API token after logout: %d, want 200", st)
	}
}

// adminAndAnaWithToken logs in an admin and the agent ana, and returns a
// program using an API token ana made.
func (e *env) adminAndAnaWithToken() (admin, ana, prog *client) {
	e.t.Helper()
	admin, ana = e.login("root", tickets.RoleAdmin), e.login("ana", tickets.RoleAgent)
	var tr tokenResponse
	ana.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "script"}, &tr)
	prog = e.anon()
	prog.bearer = tr.Token
	return admin, ana, prog
}
