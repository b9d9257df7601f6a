package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const testPassword = "correct horse battery"

// testHash is testPassword hashed once: argon2id is slow under -race.
var (
	testHashOnce sync.Once
	testHash     string
	testHashErr  error
)

// clock is a test clock that the server and the store share.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a running server on a fresh database.
type env struct {
	t     *testing.T
	db    *postgres.DB
	s     *Server
	srv   *httptest.Server
	clock *clock
	agent *fakeAgents
}

type envOption func(*Config, *Deps)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	db, err := postgres.Open(ctx, pgtest.DB(t), postgres.Options{Clock: clk.Now, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	fa := &fakeAgents{states: map[string]string{}}
	cfg := Config{}
	d := Deps{Store: db, Catalog: tickets.DefaultCatalog(), Phones: tickets.PhonePlan{Region: "MX"},
		Clock: clk.Now, Agents: fa, Reports: db, TicketStats: db}
	for _, o := range opts {
		o(&cfg, &d)
	}
	s, err := New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, s: s, srv: srv, clock: clk, agent: fa}
}

// user creates a user with testPassword.
func (e *env) user(name string, role tickets.Role, level int) *tickets.User {
	e.t.Helper()
	testHashOnce.Do(func() { testHash, testHashErr = tickets.HashPassword(testPassword) })
	if testHashErr != nil {
		e.t.Fatal(testHashErr)
	}
	u := &tickets.User{Username: name, Name: name, Role: role, Language: "es", Level: level, PasswordHash: testHash}
	if err := e.db.CreateUser(context.Background(), u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// client is one browser (cookie jar + CSRF token) or one API program.
type client struct {
	e      *env
	hc     *http.Client
	csrf   string
	bearer string
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar}}
}

// login creates a user with role and returns a browser logged in as them.
func (e *env) login(name string, role tickets.Role) *client {
	e.t.Helper()
	e.user(name, role, 1)
	c := e.anon()
	r := c.do("POST", "/api/v1/login", map[string]string{"username": name, "password": testPassword})
	if r.status != 200 {
		e.t.Fatalf("login %s: %d %s", name, r.status, r.body)
	}
	var lr struct {
		CSRFToken string `json:"csrf_token"`
	}
	r.decode(e.t, &lr)
	c.csrf = lr.CSRFToken
	return c
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errCode returns the code and message of an error body.
func (r resp) errCode() (string, string) {
	var b errorBody
	_ = json.Unmarshal(r.body, &b)
	return b.Error.Code, b.Error.Message
}

// do sends a request. body is nil, a string (sent as is) or a value (sent
// as JSON). hdr are header name/value pairs that override the defaults.
func (c *client) do(method, path string, body any, hdr ...string) resp {
	c.e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" && unsafeMethod(method) {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// must sends a request that must answer want, and decodes the body into v.
func (c *client) must(want int, method, path string, body, v any) {
	c.e.t.Helper()
	r := c.do(method, path, body)
	if r.status != want {
		c.e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	if v != nil {
		r.decode(c.e.t, v)
	}
}

// newTicket creates a ticket through the API.
func (c *client) newTicket(extra map[string]any) *tickets.Ticket {
	c.e.t.Helper()
	body := map[string]any{"service": "internet_failure", "subject": "Sin internet en el piso 3",
		"description": "No hay conexión desde la mañana", "impact": "high", "urgency": "medium",
		"caller": map[string]any{"name": "María Pérez", "phone": "722-276-9600"}}
	for k, v := range extra {
		body[k] = v
	}
	var t tickets.Ticket
	c.must(201, "POST", "/api/v1/tickets", body, &t)
	return &t
}

// fakeAgents is an AgentControl for tests.
type fakeAgents struct {
	mu     sync.Mutex
	states map[string]string
	panic  bool
}

func (f *fakeAgents) Agents(context.Context) ([]AgentStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panic {
		panic("fake agents: boom")
	}
	var out []AgentStatus
	for u, s := range f.states {
		out = append(out, AgentStatus{Username: u, State: s})
	}
	return out, nil
}

func (f *fakeAgents) SetAgentState(_ context.Context, username, state, _ string) error {
	switch state {
	case "available", "paused", "wrap_up", "logged_out":
	default:
		return tickets.Errorf(tickets.EINVALID, "state %q is not available, paused, wrap_up or logged_out", state)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[username] = state
	return nil
}

// raw sends a JSON body and returns only the status; safe in goroutines
// (it never calls t.Fatal).
func (c *client) raw(method, path, body string) (int, error) {
	req, err := http.NewRequest(method, c.e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}
