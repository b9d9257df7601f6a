package static_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/ivr"
)

// Internal calls show next to each extension's registration state, in the
// reader's language, live: "on a call with 1002" (English network staff),
// "en llamada con 1002" (a Spanish supervisor); a call to a queue or the
// menu names the help desk; the mark goes when the call ends.
func TestNetworkPageInternalCalls(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	login(t, ctx, s.url, "net", "/network.html")
	waitJS(t, ctx, "two extensions", `document.querySelectorAll("#ext-rows tr").length === 2`)
	const onCall = `(document.querySelector('tr[data-ext="1001"] .badge.on-call') || {}).textContent || ""`
	s.hub.ExtensionCalls(ivr.ExtensionCalls{Extension: "1001", Peers: []string{"1002"}, Since: time.Now()})
	waitJS(t, ctx, "1001 on a call", onCall+` !== ""`)
	browsertest.Screenshot(t, ctx, "network-internal-call")
	if got := eval[string](t, ctx, onCall); got != "on a call with 1002" {
		t.Errorf("1001 shows %q, want %q", got, "on a call with 1002")
	}
	s.hub.ExtensionCalls(ivr.ExtensionCalls{Extension: "1001", Peers: []string{""}, Since: time.Now()})
	waitJS(t, ctx, "1001 with the help desk", onCall+` === "on a call"`)
	s.hub.ExtensionCalls(ivr.ExtensionCalls{Extension: "1001", Peers: []string{}})
	waitJS(t, ctx, "1001 idle", onCall+` === ""`)

	sup := browsertest.Incognito(t, ctx)
	login(t, sup, s.url, "sup", "/wallboard.html")
	step(t, sup, "open the network page", chromedp.Navigate(s.url+"/network.html"))
	waitJS(t, sup, "two extensions, live", `document.querySelectorAll("#ext-rows tr").length === 2 && document.getElementById("ws-status").classList.contains("online")`)
	s.hub.ExtensionCalls(ivr.ExtensionCalls{Extension: "1001", Peers: []string{"1002"}, Since: time.Now()})
	waitJS(t, sup, "1001 en llamada", onCall+` !== ""`)
	if got := eval[string](t, sup, onCall); got != "en llamada con 1002" {
		t.Errorf("1001 shows %q, want %q", got, "en llamada con 1002")
	}
}
