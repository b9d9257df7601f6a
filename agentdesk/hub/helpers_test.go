package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/atiende/atiende/ivr"
	"github.com/gorilla/websocket"
)

// principals are the fake session's users, chosen by the X-Test-User header.
var principals = map[string]hub.Principal{
	"ana":  {Username: "ana", Role: "agent", Extension: "1001", Lang: "es"},
	"beto": {Username: "beto", Role: "agent", Extension: "1002", Lang: "es"},
	"sup":  {Username: "sup", Role: "supervisor", Lang: "en"},
	"net":  {Username: "net", Role: "network", Lang: "es"},
}

// desk is a fake ACD: it numbers events and serves a snapshot whose Seq
// is the last one published.
type desk struct {
	mu    sync.Mutex
	seq   uint64
	snap  agentdesk.Snapshot
	h     *hub.Hub
	calls int
}

func (d *desk) Snapshot() agentdesk.Snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	s := d.snap
	s.Seq, s.At = d.seq, time.Now()
	return s
}

func (d *desk) publish(e agentdesk.Event) agentdesk.Event {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	e.Seq = d.seq
	if e.At.IsZero() {
		e.At = time.Now()
	}
	d.h.Publish(e)
	return e
}

type fixture struct {
	desk *desk
	hub  *hub.Hub
	srv  *httptest.Server
}

func newFixture(t testing.TB, cfg hub.Config) *fixture {
	t.Helper()
	d := &desk{snap: agentdesk.Snapshot{
		Queues: []agentdesk.QueueSnapshot{{Name: "soporte", Calls: []agentdesk.WaitingCall{}}},
		Agents: []agentdesk.Agent{{Username: "ana", State: agentdesk.StateAvailable}, {Username: "beto", State: agentdesk.StateAvailable}},
	}}
	h := hub.New(cfg, hub.Deps{
		Authenticate: func(r *http.Request) (hub.Principal, error) {
			p, ok := principals[r.Header.Get("X-Test-User")]
			if !ok {
				return hub.Principal{}, errors.New("no session")
			}
			return p, nil
		},
		Snapshot: d.Snapshot,
		Extensions: func(context.Context) ([]ivr.ExtensionStatus, error) {
			return []ivr.ExtensionStatus{{Extension: "1001", State: ivr.ExtRegistered}}, nil
		},
	})
	d.h = h
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		_ = h.Close()
	})
	return &fixture{desk: d, hub: h, srv: srv}
}

// dial opens /ws as user; since < 0 leaves the parameter out.
func (f *fixture) dial(t testing.TB, user string, since int64, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	u := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"
	if since >= 0 {
		u += "?since=" + strconv.FormatInt(since, 10)
	}
	hd := http.Header{"X-Test-User": {user}}
	if origin != "" {
		hd.Set("Origin", origin)
	}
	c, resp, err := websocket.DefaultDialer.Dial(u, hd)
	if err == nil {
		t.Cleanup(func() { _ = c.Close() })
	}
	return c, resp, err
}

func (f *fixture) mustDial(t testing.TB, user string, since int64) *websocket.Conn {
	t.Helper()
	c, _, err := f.dial(t, user, since, "")
	if err != nil {
		t.Fatalf("dial as %s: %v", user, err)
	}
	return c
}

func read(t testing.TB, c *websocket.Conn) hub.Message {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m hub.Message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m
}

// readUntil reads messages until one passes ok, failing after 5 s.
func readUntil(t testing.TB, c *websocket.Conn, ok func(hub.Message) bool) hub.Message {
	t.Helper()
	for {
		if m := read(t, c); ok(m) {
			return m
		}
	}
}

// quiet asserts nothing arrives within d.
func quiet(t testing.TB, c *websocket.Conn, d time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(d))
	if _, b, err := c.ReadMessage(); err == nil {
		t.Fatalf("unexpected message: %s", b)
	}
}

func isEvent(kind agentdesk.EventKind) func(hub.Message) bool {
	return func(m hub.Message) bool { return m.Type == hub.TypeEvent && m.Event.Kind == kind }
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
