package hub_test

import (
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/atiende/atiende/ivr"
)

// Internal call activity goes to network staff and supervisors, never to
// agents (who would learn who calls whom).
func TestExtensionCallsToNetworkOnly(t *testing.T) {
	f := newFixture(t, hub.Config{RefreshInterval: -1})
	ana, net := f.mustDial(t, "ana", -1), f.mustDial(t, "net", -1)
	if m := read(t, ana); m.Type != hub.TypeSnapshot {
		t.Fatalf("first message %q, want snapshot", m.Type)
	}
	if m := read(t, net); m.Type != hub.TypeExtensions {
		t.Fatalf("first message %q, want extensions", m.Type)
	}
	f.hub.ExtensionCalls(ivr.ExtensionCalls{Extension: "1002", Peers: []string{"1001"}, Since: time.Now()})
	m := readUntil(t, net, func(m hub.Message) bool { return m.Type == hub.TypeExtensionCalls })
	if m.Calls == nil || m.Calls.Extension != "1002" || !slices.Equal(m.Calls.Peers, []string{"1001"}) || m.Extension != nil {
		t.Errorf("network got %+v", m)
	}
	quiet(t, ana, 100*time.Millisecond)
}
