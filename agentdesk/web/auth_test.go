package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
)

func TestLoginSessionLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config, _ *Deps) { c.SecureCookies = true })
	e.user("ana", tickets.RoleAgent, 1)
	c := e.anon()
	r := c.do("POST", "/api/v1/login", map[string]string{"username": "ana", "password": testPassword})
	if r.status != 200 {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	var lr loginResponse
	r.decode(t, &lr)
	if lr.CSRFToken == "" || lr.User.Username != "ana" || bytes.Contains(r.body, []byte("argon2")) {
		t.Fatalf("login response: %s", r.body)
	}
	res := http.Response{Header: r.header}
	var ck *http.Cookie
	for _, x := range res.Cookies() {
		if x.Name == SessionCookie {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Fatalf("session cookie = %+v", ck)
	}
	// Only the hash is stored.
	sess, err := e.db.SessionByHash(context.Background(), tickets.HashToken(ck.Value))
	if err != nil || sess.Username != "ana" || sess.CSRFToken != lr.CSRFToken {
		t.Fatalf("stored session: %+v, %v", sess, err)
	}
	if _, err := e.db.SessionByHash(context.Background(), []byte(ck.Value)); tickets.ErrorCode(err) != tickets.ENOTFOUND {
		t.Errorf("clear token found as a hash: %v", err)
	}

	// The cookie jar refuses Secure cookies over http; send it by hand.
	b := e.anon()
	b.hc.Jar = nil
	send := func(method, path string, hdr ...string) resp {
		return b.do(method, path, nil, append([]string{"Cookie", SessionCookie + "=" + ck.Value}, hdr...)...)
	}
	var me meResponse
	if r := send("GET", "/api/v1/me"); r.status != 200 {
		t.Fatalf("me: %d %s", r.status, r.body)
	} else {
		r.decode(t, &me)
	}
	if me.User.Username != "ana" || me.CSRFToken != lr.CSRFToken {
		t.Errorf("me = %+v", me)
	}
	if r := send("POST", "/api/v1/logout"); r.status != 403 {
		t.Errorf("logout without CSRF: %d", r.status)
	}
	if r := send("POST", "/api/v1/logout", "X-CSRF-Token", lr.CSRFToken); r.status != 204 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := send("GET", "/api/v1/me"); r.status != 401 {
		t.Errorf("me after logout: %d", r.status)
	}

	// A new login makes a new session, and sessions expire.
	c2 := e.login2("ana")
	e.clock.Add(DefaultSessionTTL + time.Minute)
	if r := c2.do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Errorf("me after expiry: %d %s", r.status, r.body)
	}
}

// login2 logs an existing user in over plain http (no Secure cookies).
func (e *env) login2(name string) *client {
	e.t.Helper()
	c := e.anon()
	c.hc.Jar = nil
	r := c.do("POST", "/api/v1/login", map[string]string{"username": name, "password": testPassword})
	if r.status != 200 {
		e.t.Fatalf("login: %d %s", r.status, r.body)
	}
	res := http.Response{Header: r.header}
	for _, ck := range res.Cookies() {
		if ck.Name == SessionCookie {
			jarless := c
			jarless.hc = &http.Client{Transport: cookieTransport{ck}}
			return jarless
		}
	}
	e.t.Fatal("no session cookie")
	return nil
}

type cookieTransport struct{ ck *http.Cookie }

func (c cookieTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r.AddCookie(c.ck)
	return http.DefaultTransport.RoundTrip(r)
}

func TestLoginFailuresAndThrottling(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("ana", tickets.RoleAgent, 1)
	// Requests go straight to the handler so that each can come from its
	// own client address.
	login := func(ip, user, pw string) resp {
		body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
		req := httptest.NewRequest("POST", "/api/v1/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = ip + ":40000"
		rec := httptest.NewRecorder()
		e.s.Handler().ServeHTTP(rec, req)
		return resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	}
	wrong, unknown := login("10.0.0.1", "ana", "not the password"), login("10.0.0.2", "nobody", testPassword)
	if wrong.status != 401 || unknown.status != 401 || !bytes.Equal(wrong.body, unknown.body) {
		t.Fatalf("wrong password %d %s vs unknown user %d %s", wrong.status, wrong.body, unknown.status, unknown.body)
	}
	// Per account and address: failures from one address lock that
	// address out of that account, and no one else.
	for i := range DefaultLoginAttempts {
		if r := login("10.0.1.1", "ana", "still wrong!"); r.status != 401 {
			t.Fatalf("failure %d: %d", i, r.status)
		}
	}
	r := login("10.0.1.1", "ana", testPassword) // right password, but locked
	if r.status != 429 {
		t.Fatalf("after %d failures: %d %s", DefaultLoginAttempts, r.status, r.body)
	}
	if code, _ := r.errCode(); code != codeRateLimited {
		t.Errorf("code = %q", code)
	}
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs <= 0 || secs > int(DefaultLoginWindow/time.Second) {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	var body struct {
		RetryAfter int `json:"retry_after"`
	}
	if r.decode(t, &body); body.RetryAfter != secs {
		t.Errorf("retry_after = %d, Retry-After %d", body.RetryAfter, secs)
	}
	if r := login("10.0.2.1", "ana", testPassword); r.status != 200 {
		t.Fatalf("the real user from another address: %d %s", r.status, r.body)
	}
	e.clock.Add(DefaultLoginWindow)
	if r := login("10.0.1.1", "ana", testPassword); r.status != 200 {
		t.Fatalf("after the window: %d %s", r.status, r.body)
	}

	// Per account, a ceiling: guesses spread over many addresses lock the
	// account once they reach it.
	e.clock.Add(DefaultLoginWindow)
	for i := range DefaultLoginCeiling {
		if r := login("10.1."+strconv.Itoa(i/4)+"."+strconv.Itoa(i%4), "ana", "still wrong!"); r.status != 401 {
			t.Fatalf("spread failure %d: %d", i, r.status)
		}
	}
	if r := login("10.0.2.1", "ana", testPassword); r.status != 429 {
		t.Errorf("after %d failures from many addresses: %d", DefaultLoginCeiling, r.status)
	}

	// Per address, a ceiling: failures spread over many usernames lock the
	// address, and only that address.
	e.clock.Add(DefaultLoginWindow)
	for i := range DefaultLoginCeiling {
		login("10.0.3.1", "guess"+strconv.Itoa(i), "whatever pw")
	}
	if r := login("10.0.3.1", "ana", testPassword); r.status != 429 {
		t.Errorf("per-IP throttling: %d", r.status)
	}
	if r := login("10.0.3.2", "ana", testPassword); r.status != 200 {
		t.Errorf("another address: %d", r.status)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.login("ana", tickets.RoleAgent)
	body := map[string]any{"service": "internet_failure", "subject": "x"}
	for _, tc := range []struct {
		name string
		hdr  []string
		want int
	}{
		{"missing", []string{"X-CSRF-Token", ""}, 403},
		{"wrong", []string{"X-CSRF-Token", "not-the-token"}, 403},
		{"cross-origin", []string{"Origin", "http://evil.example"}, 403},
		{"right", nil, 201},
		{"right, same origin", []string{"Origin", e.srv.URL}, 201},
	} {
		r := a.do("POST", "/api/v1/tickets", body, tc.hdr...)
		if r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.want)
			continue
		}
		if tc.want == 403 {
			code, msg := r.errCode()
			if code != tickets.EFORBIDDEN || (tc.name != "cross-origin" && msg != "missing or invalid CSRF token") {
				t.Errorf("%s: %s", tc.name, r.body)
			}
		}
	}
	var list ticketList
	a.must(200, "GET", "/api/v1/tickets", nil, &list) // safe methods need no token
	if list.Total != 2 {
		t.Errorf("tickets written = %d, want 2 (only the accepted requests)", list.Total)
	}
	// Allowed origins from the config pass.
	e2 := newEnv(t, func(c *Config, _ *Deps) { c.AllowedOrigins = []string{"https://desk.example"} })
	b := e2.login("ana", tickets.RoleAgent)
	if r := b.do("POST", "/api/v1/tickets", body, "Origin", "https://desk.example"); r.status != 201 {
		t.Errorf("allowed origin: %d %s", r.status, r.body)
	}
}

func TestBearerTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.login("ana", tickets.RoleAgent)
	var tr tokenResponse
	a.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "script", "expires_in_days": 30}, &tr)
	if tr.Token == "" || tr.Username != "ana" || tr.ExpiresAt == nil {
		t.Fatalf("token = %+v", tr)
	}
	p := e.anon()
	p.bearer = tr.Token
	// No CSRF token needed: a bearer token is not sent by browsers on its own.
	p.newTicket(nil)
	var me meResponse
	p.must(200, "GET", "/api/v1/me", nil, &me)
	if me.User.Username != "ana" || me.CSRFToken != "" {
		t.Errorf("me = %+v", me)
	}

	bad := e.anon()
	bad.bearer = "nonsense"
	if r := bad.do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Errorf("bad token: %d", r.status)
	}
	if r := e.anon().do("GET", "/api/v1/me", nil, "Authorization", "Basic Zm9vOmJhcg=="); r.status != 401 {
		t.Errorf("basic auth: %d", r.status)
	}
	if r := e.anon().do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	} else if code, _ := r.errCode(); code != tickets.EUNAUTHORIZED {
		t.Errorf("anonymous code: %s", code)
	}
	e.clock.Add(31 * 24 * time.Hour)
	if r := p.do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Errorf("expired token: %d", r.status)
	}
}
