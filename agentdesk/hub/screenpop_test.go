package hub_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/gorilla/websocket"
)

// An agent console's "popped" message ends the screen-pop time of its own
// offer, measured from the offer, once; acknowledgements of someone else's
// offer, of an unknown call or a repeated one measure nothing. The number
// of open connections is reported as it changes.
func TestScreenPopAcknowledgement(t *testing.T) {
	var (
		mu      sync.Mutex
		pops    []time.Duration
		clients []int
	)
	d := &desk{snap: agentdesk.Snapshot{Agents: []agentdesk.Agent{{Username: "ana", State: agentdesk.StateAvailable}}}}
	h := hub.New(hub.Config{}, hub.Deps{
		Authenticate: func(r *http.Request) (hub.Principal, error) {
			p, ok := principals[r.Header.Get("X-Test-User")]
			if !ok {
				return hub.Principal{}, errors.New("no session")
			}
			return p, nil
		},
		Snapshot:       d.Snapshot,
		ScreenPop:      func(x time.Duration) { mu.Lock(); pops = append(pops, x); mu.Unlock() },
		ClientsChanged: func(n int) { mu.Lock(); clients = append(clients, n); mu.Unlock() },
	})
	d.h = h
	srv := httptest.NewServer(h)
	defer func() { srv.CloseClientConnections(); srv.Close(); _ = h.Close() }()
	f := &fixture{desk: d, hub: h, srv: srv}
	ana := f.mustDial(t, "ana", -1)
	beto := f.mustDial(t, "beto", -1)
	read(t, ana) // snapshot
	read(t, beto)

	offeredAt := time.Now().Add(-300 * time.Millisecond)
	d.publish(agentdesk.Event{Kind: agentdesk.CallOffered, At: offeredAt, CallID: "c1", Agent: "ana", Queue: "soporte"})
	readUntil(t, ana, isEvent(agentdesk.CallOffered))
	send := func(c *websocket.Conn, msg string) {
		t.Helper()
		if err := c.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	send(beto, `{"type":"popped","call_id":"c1"}`) // not beto's offer
	send(ana, `{"type":"popped","call_id":"c9"}`)  // no such offer
	send(ana, `not json`)
	send(ana, `{"type":"popped","call_id":"c1"}`)
	send(ana, `{"type":"popped","call_id":"c1"}`) // once
	waitFor(t, "the screen-pop time", func() bool { mu.Lock(); defer mu.Unlock(); return len(pops) > 0 })
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	if len(pops) != 1 || pops[0] < 300*time.Millisecond || pops[0] > time.Minute {
		t.Errorf("screen-pop times %v, want one of at least 300 ms", pops)
	}
	if len(clients) < 2 || clients[0] != 1 || clients[1] != 2 {
		t.Errorf("clients %v", clients)
	}
	mu.Unlock()

	// An offer whose call ended before the pop was painted is not measured.
	d.publish(agentdesk.Event{Kind: agentdesk.CallOffered, CallID: "c2", Agent: "ana"})
	d.publish(agentdesk.Event{Kind: agentdesk.CallAbandoned, CallID: "c2", Agent: "ana"})
	readUntil(t, ana, isEvent(agentdesk.CallAbandoned))
	send(ana, `{"type":"popped","call_id":"c2"}`)
	_ = beto.Close()
	waitFor(t, "beto's connection to close", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return clients[len(clients)-1] == 1
	})
	mu.Lock()
	defer mu.Unlock()
	if len(pops) != 1 {
		t.Errorf("screen-pop times %v after an abandoned offer", pops)
	}
}
