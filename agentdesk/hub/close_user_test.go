package hub_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/gorilla/websocket"
)

// closedWith reads c until it ends and returns its close code, failing if
// that takes longer than d.
func closedWith(t testing.TB, c *websocket.Conn, d time.Duration) int {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(d))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		t.Fatalf("socket not closed within %v: %v", d, err)
	}
}

// TestCloseUserEndsOnlyThatUsersSockets: the hub closes every socket of a
// user whose sessions ended, with the close code that sends pages to the
// login, and leaves the other users' sockets open.
func TestCloseUserEndsOnlyThatUsersSockets(t *testing.T) {
	f := newFixture(t, hub.Config{})
	ana1, ana2, beto := f.mustDial(t, "ana", -1), f.mustDial(t, "ana", -1), f.mustDial(t, "beto", -1)
	for _, c := range []*websocket.Conn{ana1, ana2, beto} {
		read(t, c) // the snapshot
	}
	start := time.Now()
	f.hub.CloseUser("ana")
	for _, c := range []*websocket.Conn{ana1, ana2} {
		if code := closedWith(t, c, 2*time.Second); code != hub.CloseSessionEnded {
			t.Errorf("close code %d, want %d", code, hub.CloseSessionEnded)
		}
	}
	t.Logf("ana's sockets closed %v after CloseUser", time.Since(start))
	waitFor(t, "one client left", func() bool { return f.hub.Clients() == 1 })
	e := f.desk.publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "beto", State: agentdesk.StatePaused})
	if m := readUntil(t, beto, isEvent(agentdesk.AgentStateChanged)); m.Event.Seq != e.Seq {
		t.Errorf("beto got seq %d, want %d", m.Event.Seq, e.Seq)
	}
	// Ana may log in again and open a new socket.
	again := f.mustDial(t, "ana", -1)
	if m := read(t, again); m.Type != hub.TypeSnapshot {
		t.Errorf("new socket after CloseUser: %+v", m)
	}
}

// TestCloseUserRefusesSocketAuthenticatedBefore: a socket whose request was
// authenticated before the revocation, but that registers after it, is
// closed at once rather than left open for good.
func TestCloseUserRefusesSocketAuthenticatedBefore(t *testing.T) {
	authenticated, proceed := make(chan struct{}), make(chan struct{})
	var h *hub.Hub
	h = hub.New(hub.Config{}, hub.Deps{
		Authenticate: func(r *http.Request) (hub.Principal, error) {
			close(authenticated)
			<-proceed // the revocation happens here
			return hub.Principal{Username: "ana", Role: "agent"}, nil
		},
		Snapshot: func() agentdesk.Snapshot { return agentdesk.Snapshot{} },
	})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close(); _ = h.Close() })
	go func() {
		<-authenticated
		h.CloseUser("ana")
		time.Sleep(50 * time.Millisecond) // let the loop handle it
		close(proceed)
	}()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if code := closedWith(t, c, 2*time.Second); code != hub.CloseSessionEnded {
		t.Errorf("close code %d, want %d", code, hub.CloseSessionEnded)
	}
	if n := h.Clients(); n != 0 {
		t.Errorf("%d clients, want 0", n)
	}
}

// TestCloseAll closes everyone, for when revocations may have been missed.
func TestCloseAll(t *testing.T) {
	f := newFixture(t, hub.Config{})
	a, b := f.mustDial(t, "ana", -1), f.mustDial(t, "sup", -1)
	read(t, a)
	read(t, b)
	f.hub.CloseAll()
	for _, c := range []*websocket.Conn{a, b} {
		if code := closedWith(t, c, 2*time.Second); code != hub.CloseSessionEnded {
			t.Errorf("close code %d", code)
		}
	}
}
