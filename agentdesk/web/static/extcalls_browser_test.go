package static_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/ivr"
)

// Internal calls show next to each extension's registration state, in the
// reader's language, live: "on a call with 1001" (English network staff),
// "en llamada con 1001" (a Spanish supervisor); a call to a queue or the
// menu names the help desk; the mark goes when the call ends.
func TestNetworkPageInternalCalls(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	login(t, ctx, s.url, "net", "/network.html")
	waitJS(t, ctx, "two extensions", `document.querySelectorAll("#ext-rows tr").length === 2`)
	const onCall = `(document.querySelector('tr[data-ext="1002"] .badge.on-call') || {}).textContent || ""`
	s.hub.ExtensionCalls(ivr.ExtensionCalls{Extension: "1002", Peers: []string{"1001"}, Since: time.Now()})
	waitJS(t, ctx, "1002 on a call", onCall+` !== ""`)
	if got := eval[string](t, ctx, onCall); got != "on a call with 1001" {
		t.Errorf("1002 shows %q, want %q", got, "on a call with 1001")
	}
	s.hub.ExtensionCalls(ivr.ExtensionCalls{Extension: "1002", Peers: []string{""}, Since: time.Now()})
	waitJS(t, ctx, "1002 with the help desk", onCall+` === "on a call"`)
	s.hub.ExtensionCalls(ivr.ExtensionCalls{Extension: "1002", Peers: []string{}})
	waitJS(t, ctx, "1002 idle", onCall+` === ""`)

	sup := browsertest.Incognito(t, ctx)
	login(t, sup, s.url, "sup", "/wallboard.html")
	step(t, sup, "open the network page", chromedp.Navigate(s.url+"/network.html"))
	waitJS(t, sup, "two extensions, live", `document.querySelectorAll("#ext-rows tr").length === 2 && document.getElementById("ws-status").classList.contains("online")`)
	s.hub.ExtensionCalls(ivr.ExtensionCalls{Extension: "1002", Peers: []string{"1001"}, Since: time.Now()})
	waitJS(t, sup, "1002 en llamada", onCall+` !== ""`)
	if got := eval[string](t, sup, onCall); got != "en llamada con 1001" {
		t.Errorf("1002 shows %q, want %q", got, "en llamada con 1001")
	}
}
