package hub_test

import (
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/gorilla/websocket"
)

// ticket_changed (intake's, without a Seq) goes to the agent it names and
// to supervisors, not to other agents, and does not disturb the sequence:
// no resync, and the next desk event follows on.
func TestTicketChangedToItsAgent(t *testing.T) {
	f := newFixture(t, hub.Config{RefreshInterval: -1})
	conns := map[string]*websocket.Conn{"ana": f.mustDial(t, "ana", -1), "beto": f.mustDial(t, "beto", -1), "sup": f.mustDial(t, "sup", -1)}
	for name, c := range conns {
		if m := read(t, c); m.Type != hub.TypeSnapshot {
			t.Fatalf("%s: first message %q, want snapshot", name, m.Type)
		}
	}
	snaps := f.hub.Stats().Snapshots

	f.desk.publish(agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: "c1", Queue: "soporte", Agent: "ana", TicketNumber: "20260001"})
	f.hub.Publish(agentdesk.Event{Kind: agentdesk.TicketChanged, At: time.Now(), CallID: "c1", TicketNumber: "20260001", TicketVersion: 2, Agent: "ana"})
	last := f.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "c2", Queue: "soporte"})

	want := map[string][]agentdesk.EventKind{
		"ana":  {agentdesk.CallAnswered, agentdesk.TicketChanged, agentdesk.CallQueued},
		"beto": {agentdesk.CallAnswered, agentdesk.CallQueued}, // queue moves, redacted
		"sup":  {agentdesk.CallAnswered, agentdesk.TicketChanged, agentdesk.CallQueued},
	}
	for name, c := range conns {
		var got []agentdesk.EventKind
		for {
			m := read(t, c)
			if m.Type == hub.TypeSnapshot {
				t.Fatalf("%s got a snapshot: ticket_changed made the hub resync", name)
			}
			if m.Type != hub.TypeEvent {
				continue // supervisors get the extension list too
			}
			got = append(got, m.Event.Kind)
			if e := m.Event; e.Kind == agentdesk.TicketChanged && (e.TicketNumber != "20260001" || e.TicketVersion != 2 || e.Seq != 0) {
				t.Errorf("%s: ticket_changed arrived as %+v", name, e)
			}
			if m.Event.Seq == last.Seq {
				break
			}
		}
		if !slices.Equal(got, want[name]) {
			t.Errorf("%s got %v, want %v", name, got, want[name])
		}
	}
	if st := f.hub.Stats(); st.Snapshots != snaps || st.LastSeq != last.Seq {
		t.Errorf("hub stats %+v after ticket_changed: want no snapshot sent and last seq %d", st, last.Seq)
	}
}
