package static_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub/browsertest"
)

// An available agent on an internal call gets no queue offer, so neither
// the wallboard nor the agent's own console shows them available: both read
// "En llamada interna con 1002" (or the English), live and from a snapshot,
// and "Disponible" again when the call ends.
func TestWallboardInternalCall(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	console := browsertest.WatchConsole(ctx)
	login(t, ctx, s.url, "sup", "/wallboard.html")
	agent := browsertest.Incognito(t, ctx)
	login(t, agent, s.url, "ana", "/agent.html")
	const badge = `(document.querySelector('#agent-rows tr[data-agent="ana"] .badge') || {}).textContent || ""`
	const cls = `(document.querySelector('#agent-rows tr[data-agent="ana"] .badge') || {}).className || ""`
	const mine = `document.getElementById("my-state").textContent`

	s.desk.publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "ana", Extension: "1001", State: agentdesk.StateAvailable})
	waitJS(t, ctx, "ana available on the wallboard", badge+` === "Disponible"`)
	waitJS(t, agent, "ana available on her console", mine+` === "Disponible"`)

	s.desk.publish(agentdesk.Event{Kind: agentdesk.AgentInternalCall, Agent: "ana", Extension: "1001", State: agentdesk.StateAvailable,
		InternalCall: &agentdesk.InternalCall{Peers: []string{"1002"}, Since: time.Now()}})
	waitJS(t, ctx, "ana on an internal call on the wallboard", badge+` !== "Disponible"`)
	if got := eval[string](t, ctx, badge); got != "En llamada interna con 1002" {
		t.Errorf("wallboard shows ana as %q, want %q", got, "En llamada interna con 1002")
	}
	if c := eval[string](t, ctx, cls); c != "badge agent-internal" {
		t.Errorf("wallboard badge class %q, want the internal call's, not available's", c)
	}
	waitJS(t, agent, "ana's console on the call", mine+` !== "Disponible"`)
	if got := eval[string](t, agent, mine); got != "En llamada interna con 1002" {
		t.Errorf("ana's console shows %q, want %q", got, "En llamada interna con 1002")
	}
	browsertest.Screenshot(t, ctx, "wallboard-internal-call")

	// A page opened during the call starts from the snapshot.
	step(t, ctx, "English", chromedp.Evaluate[chromedp.Void](`localStorage.setItem("atiende_lang", "en"); location.reload()`))
	waitJS(t, ctx, "English, from the snapshot", `document.querySelector('#agent-rows tr[data-agent="ana"] .badge') !== null && `+badge+` === "On an internal call with 1002"`)

	s.desk.publish(agentdesk.Event{Kind: agentdesk.AgentInternalCall, Agent: "ana", Extension: "1001", State: agentdesk.StateAvailable})
	waitJS(t, ctx, "ana available again on the wallboard", badge+` === "Available"`)
	waitJS(t, agent, "ana available again on her console", mine+` === "Disponible"`)
	checkConsole(t, console)
}
