package hub_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/atiende/atiende/ivr"
	"github.com/gorilla/websocket"
)

func offer(agent, ext, name string) agentdesk.Event {
	return agentdesk.Event{Kind: agentdesk.CallOffered, CallID: "c-" + agent, Queue: "soporte",
		TicketNumber: "20260001", CallerNumber: "+525512345678", CallerName: name,
		IVRPath: []string{"menu", "2"}, Agent: agent, Extension: principals[agent].Extension}
}

func TestFanOutInOrder(t *testing.T) {
	f := newFixture(t, hub.Config{})
	conns := make([]*websocket.Conn, 3)
	for i := range conns {
		conns[i] = f.mustDial(t, "sup", -1)
		if m := read(t, conns[i]); m.Type != hub.TypeSnapshot {
			t.Fatalf("first message %q, want snapshot", m.Type)
		}
	}
	var want []uint64
	for range 20 {
		want = append(want, f.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "x", Queue: "soporte"}).Seq)
	}
	for i, c := range conns {
		var got []uint64
		for len(got) < len(want) {
			if m := read(t, c); m.Type == hub.TypeEvent {
				got = append(got, m.Event.Seq)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("client %d got seqs %v, want %v", i, got, want)
		}
	}
	if n := f.hub.Clients(); n != 3 {
		t.Errorf("Clients() = %d, want 3", n)
	}
}

func TestRoleFiltering(t *testing.T) {
	f := newFixture(t, hub.Config{RefreshInterval: -1})
	ana, beto, sup, net := f.mustDial(t, "ana", -1), f.mustDial(t, "beto", -1), f.mustDial(t, "sup", -1), f.mustDial(t, "net", -1)
	for _, c := range []*websocket.Conn{ana, beto, sup} {
		if m := read(t, c); m.Type != hub.TypeSnapshot {
			t.Fatalf("first message %q, want snapshot", m.Type)
		}
	}
	if m := read(t, net); m.Type != hub.TypeExtensions || len(m.Extensions) != 1 {
		t.Fatalf("network page got %+v first, want the extension list", m)
	}

	f.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "c-ana", Queue: "soporte",
		CallerName: "Secreto", CallerNumber: "+525512345678", TicketNumber: "20260001"})
	f.desk.publish(offer("ana", "1001", "Secreto"))
	f.desk.publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "beto", State: agentdesk.StatePaused, PauseReason: "lunch"})
	f.hub.ExtensionChanged(ivr.ExtensionStatus{Extension: "1002", State: ivr.ExtUnreachable, UserAgent: "<b>x</b>"})
	last := f.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "end", Queue: "soporte"})

	collect := func(c *websocket.Conn) (evs []agentdesk.Event, exts int) {
		for {
			m := read(t, c)
			switch m.Type {
			case hub.TypeExtension:
				exts++
			case hub.TypeEvent:
				evs = append(evs, *m.Event)
				if m.Event.Seq == last.Seq {
					return evs, exts
				}
			}
		}
	}
	evs, exts := collect(ana)
	if exts != 0 {
		t.Errorf("agent got %d extension statuses", exts)
	}
	kinds := []agentdesk.EventKind{}
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
		if e.Kind == agentdesk.CallQueued && (e.CallerName != "" || e.CallerNumber != "" || e.TicketNumber != "") {
			t.Errorf("agent got another call's caller data: %+v", e)
		}
		if e.Kind == agentdesk.CallOffered && e.CallerName != "Secreto" {
			t.Errorf("agent's own offer lost the caller: %+v", e)
		}
	}
	if want := []agentdesk.EventKind{agentdesk.CallQueued, agentdesk.CallOffered, agentdesk.CallQueued}; !slices.Equal(kinds, want) {
		t.Errorf("agent ana got %v, want %v", kinds, want)
	}
	evs, _ = collect(beto)
	for _, e := range evs {
		if e.Kind == agentdesk.CallOffered {
			t.Errorf("agent beto got ana's offer")
		}
	}
	if !slices.ContainsFunc(evs, func(e agentdesk.Event) bool { return e.Kind == agentdesk.AgentStateChanged }) {
		t.Errorf("agent beto did not get his own agent_state")
	}
	evs, exts = collect(sup)
	if len(evs) != 4 || exts != 1 {
		t.Errorf("supervisor got %d events and %d extension changes, want 4 and 1", len(evs), exts)
	}
	m := readUntil(t, net, func(m hub.Message) bool { return m.Type == hub.TypeExtension })
	if m.Extension.Extension != "1002" || m.Extension.UserAgent != "<b>x</b>" {
		t.Errorf("network got %+v", m.Extension)
	}
	quiet(t, net, 100*time.Millisecond) // and no desk events
}

func TestOriginAndAuth(t *testing.T) {
	f := newFixture(t, hub.Config{AllowedOrigins: []string{"https://desk.example.org"}})
	for _, tc := range []struct {
		user, origin string
		status       int
	}{
		{"ana", "https://evil.example", http.StatusForbidden},
		{"ana", "http://127.0.0.1.evil.example", http.StatusForbidden},
		{"ana", f.srv.URL, http.StatusSwitchingProtocols},
		{"ana", "https://desk.example.org", http.StatusSwitchingProtocols},
		{"ana", "", http.StatusSwitchingProtocols},
		{"nobody", f.srv.URL, http.StatusUnauthorized},
		{"nobody", "https://evil.example", http.StatusForbidden},
	} {
		_, resp, err := f.dial(t, tc.user, -1, tc.origin)
		if resp == nil {
			t.Fatalf("%s from %q: no response: %v", tc.user, tc.origin, err)
		}
		if resp.StatusCode != tc.status {
			t.Errorf("%s from %q: status %d, want %d", tc.user, tc.origin, resp.StatusCode, tc.status)
		}
	}
}

// A console that reconnects gets what it missed from the ring, including
// the call ringing it now.
func TestResumeReplaysMissedEvents(t *testing.T) {
	f := newFixture(t, hub.Config{RefreshInterval: -1})
	c := f.mustDial(t, "ana", -1)
	snap := read(t, c)
	f.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "c-ana", Queue: "soporte"})
	seen := read(t, c).Event.Seq
	_ = c.Close()
	waitFor(t, "the hub to forget the page", func() bool { return f.hub.Clients() == 0 })

	f.desk.publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "beto", State: agentdesk.StatePaused})
	off := f.desk.publish(offer("ana", "1001", "<img src=x onerror=alert(1)>"))
	f.desk.publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "ana", State: agentdesk.StateRinging})

	c = f.mustDial(t, "ana", int64(seen))
	m := read(t, c)
	if m.Type != hub.TypeEvent || m.Event.Seq != off.Seq || m.Event.Kind != agentdesk.CallOffered || m.Event.CallerName != off.CallerName {
		t.Fatalf("after resume got %+v, want the missed call_offered (seq %d)", m, off.Seq)
	}
	if m = read(t, c); m.Event == nil || m.Event.Kind != agentdesk.AgentStateChanged || m.Event.Agent != "ana" {
		t.Fatalf("then got %+v, want ana's agent_state", m)
	}
	if snap.Snapshot == nil || f.hub.Stats().Resumes != 1 {
		t.Errorf("stats %+v, want one resume", f.hub.Stats())
	}
}

// When the gap is older than the ring, the console gets a snapshot whose
// offers carry the call ringing it.
func TestResumeTooOldGetsSnapshotWithOffer(t *testing.T) {
	f := newFixture(t, hub.Config{RingSize: 4, RefreshInterval: -1})
	f.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "old", Queue: "soporte"})
	off := f.desk.publish(offer("ana", "1001", "María"))
	for range 6 {
		f.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "x", Queue: "soporte"})
	}
	waitFor(t, "the hub to take in every event", func() bool { return f.hub.Stats().LastSeq == f.desk.seq })
	c := f.mustDial(t, "ana", 1)
	m := read(t, c)
	if m.Type != hub.TypeSnapshot {
		t.Fatalf("got %q, want snapshot", m.Type)
	}
	if m.Snapshot.Seq != f.desk.seq {
		t.Errorf("snapshot seq %d, want %d", m.Snapshot.Seq, f.desk.seq)
	}
	if len(m.Offers) != 1 || m.Offers[0].CallID != off.CallID || m.Offers[0].CallerName != "María" {
		t.Fatalf("offers %+v, want ana's ringing call", m.Offers)
	}
	// beto resuming the same way sees no offer of ana's.
	b := f.mustDial(t, "beto", 1)
	if m := read(t, b); len(m.Offers) != 0 || len(m.Snapshot.Agents) != 1 || m.Snapshot.Agents[0].Username != "beto" {
		t.Errorf("beto's snapshot: offers %+v agents %+v", m.Offers, m.Snapshot.Agents)
	}
}

// A page that never reads is dropped; the others keep receiving everything.
func TestStalledClientDropped(t *testing.T) {
	f := newFixture(t, hub.Config{SendBuffer: 64, WriteTimeout: 300 * time.Millisecond, RefreshInterval: -1})
	stalled := f.mustDial(t, "sup", -1) // never read
	_ = stalled
	good := f.mustDial(t, "sup", -1)
	read(t, good)
	waitFor(t, "two clients", func() bool { return f.hub.Clients() == 2 })

	big := make([]string, 2000)
	for i := range big {
		big[i] = "opción-larga-del-menú"
	}
	const n = 300
	done := make(chan []uint64, 1)
	go func() {
		var got []uint64
		for len(got) < n {
			_ = good.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, b, err := good.ReadMessage()
			if err != nil {
				t.Logf("reading client: %v", err)
				break
			}
			if len(b) > 1000 {
				got = append(got, 0)
			}
		}
		done <- got
	}()
	start := time.Now()
	for range n {
		f.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "x", Queue: "soporte", IVRPath: big})
		time.Sleep(2 * time.Millisecond)
	}
	got := <-done
	if len(got) != n {
		t.Fatalf("the reading client got %d of %d events", len(got), n)
	}
	waitFor(t, "the stalled client to be dropped", func() bool { return f.hub.Clients() == 1 })
	if st := f.hub.Stats(); st.SlowDropped != 1 {
		t.Errorf("stats %+v, want one slow client dropped", st)
	}
	t.Logf("%d events of ~%d KiB in %v; stalled client dropped", n, len(big)*24/1024, time.Since(start))
}

// A gap in Seq (the hub lost events, or the ACD restarted) makes every
// page start again from a snapshot.
func TestSequenceGapResyncs(t *testing.T) {
	f := newFixture(t, hub.Config{RefreshInterval: -1})
	ana, sup := f.mustDial(t, "ana", -1), f.mustDial(t, "sup", -1)
	read(t, ana)
	read(t, sup)
	f.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "a", Queue: "soporte"})
	f.desk.mu.Lock()
	f.desk.seq = 0 // the ACD restarted: Seq starts again
	f.desk.mu.Unlock()
	f.desk.publish(offer("ana", "1001", "Tras reinicio"))
	for _, c := range []*websocket.Conn{ana, sup} {
		m := readUntil(t, c, func(m hub.Message) bool { return m.Type == hub.TypeSnapshot })
		if m.Snapshot.Seq != 1 || len(m.Offers) != 1 || m.Offers[0].CallerName != "Tras reinicio" {
			t.Errorf("resync snapshot seq %d offers %+v", m.Snapshot.Seq, m.Offers)
		}
	}
}
