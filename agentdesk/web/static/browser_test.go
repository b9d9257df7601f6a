package static_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/agentdesk/web/static"
	"github.com/atiende/atiende/ivr"
	"github.com/chromedp/chromedp"
)

type site struct {
	url    string
	desk   *fakeDesk
	hub    *hub.Hub
	mu     sync.Mutex
	calls  []string   // agent state changes: "user:state:reason"
	since  []string   // the since parameter of every /ws request
	hijack []net.Conn // websocket connections, to cut them
}

// cutWebsockets closes every websocket as a network failure would.
func (s *site) cutWebsockets() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.hijack {
		_ = c.Close()
	}
	s.hijack = nil
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{desk: &fakeDesk{agents: map[string]agentdesk.Agent{
		"ana":  {Username: "ana", Name: "Ana López", Extension: "1001", State: agentdesk.StateLoggedOut, StateSince: time.Now()},
		"beto": {Username: "beto", Name: "Beto Ruiz", Extension: "1002", State: agentdesk.StatePaused, PauseReason: "lunch", StateSince: time.Now()},
	}}}
	s.hub = hub.New(hub.Config{}, hub.Deps{Authenticate: principalOf, Snapshot: s.desk.Snapshot,
		Extensions: func(context.Context) ([]ivr.ExtensionStatus, error) {
			return []ivr.ExtensionStatus{
				{Extension: "1001", State: ivr.ExtRegistered, Contact: "sip:1001@127.0.0.1:5062", UserAgent: "baresip 1.0.0", RTT: 3 * time.Millisecond, Since: time.Now().Add(-time.Hour)},
				{Extension: "1002", State: ivr.ExtUnregistered, Since: time.Now().Add(-2 * time.Hour), Reason: "expired"},
			}, nil
		}})
	s.desk.h = s.hub
	mux := http.NewServeMux()
	mux.Handle("GET /ws", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.since = append(s.since, r.URL.Query().Get("since"))
		s.mu.Unlock()
		s.hub.ServeHTTP(w, r)
	}))
	mux.Handle("/api/v1/", checkFake(t, fakeAPI(s.desk, &s.calls, &s.mu)))
	mux.Handle("/", http.FileServerFS(static.FS))
	srv := httptest.NewUnstartedServer(secure(mux))
	srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateHijacked {
			s.mu.Lock()
			s.hijack = append(s.hijack, c)
			s.mu.Unlock()
		}
	}
	srv.Start()
	t.Cleanup(func() { srv.Close(); _ = s.hub.Close() })
	s.url = srv.URL
	return s
}

// step runs actions with a timeout, failing the test with what was tried.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		browsertest.Screenshot(t, ctx, "failed")
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitJS waits until the expression is true (10 s).
func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	browsertest.WaitJS(t, ctx, 10*time.Second, what, js)
}

func login(t *testing.T, ctx context.Context, base, user, page string) {
	t.Helper()
	step(t, ctx, "log in as "+user,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), "secreto"),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
	waitJS(t, ctx, page, `location.pathname === "`+page+`" && document.getElementById("ws-status") !== null && document.getElementById("ws-status").classList.contains("online")`)
}

func TestConsoleScreenPopAndWallboard(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	dialogs := browsertest.WatchDialogs(ctx)
	console := browsertest.WatchConsole(ctx)

	// The agent logs in and goes available (a POST with the CSRF token).
	login(t, ctx, s.url, "ana", "/agent.html")
	waitJS(t, ctx, "the snapshot state", `document.getElementById("my-state").textContent === "Desconectado"`)
	step(t, ctx, "go available", chromedp.Click(chromedp.ID("btn-available")))
	waitJS(t, ctx, "state available", `document.getElementById("my-state").textContent === "Disponible"`)
	s.mu.Lock()
	if !slices.Contains(s.calls, "ana:available:") {
		t.Errorf("state calls %v, want ana:available", s.calls)
	}
	s.mu.Unlock()

	// A call rings her phone: the pop shows the hostile display name as text.
	start := time.Now()
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallOffered, CallID: "call-1", Queue: "soporte",
		TicketNumber: "20260001", CallerNumber: "+525512345678", CallerName: hostile,
		IVRPath: []string{"bienvenida", "menú: 2 (internet)", "ticket nuevo"}, Agent: "ana", Extension: "1001"})
	waitJS(t, ctx, "the screen-pop", `!document.getElementById("pop").hidden && document.getElementById("pop-display-name").textContent !== ""`)
	t.Logf("screen-pop shown %v after publish", time.Since(start).Round(time.Millisecond))
	if got := eval[string](t, ctx, `document.getElementById("pop-display-name").textContent`); got != hostile {
		t.Errorf("display name shown as %q, want the literal %q", got, hostile)
	}
	waitJS(t, ctx, "the ticket, the unknown caller and the checklist",
		`document.querySelector("#pop-ticket .ticket-head[data-number]") !== null && !document.getElementById("pop-unknown").hidden && document.querySelectorAll("#pop-checklist li").length === 3 && !document.getElementById("pop-major").hidden`)
	for _, c := range []struct{ js, want string }{
		{`document.getElementById("pop-name").textContent`, "Llamante desconocido"},
		{`document.getElementById("pop-ivr").textContent`, "bienvenida › menú: 2 (internet) › ticket nuevo"},
		{`document.querySelector("#pop-ticket .ticket-subject").textContent`, "<b>sin internet</b>"},
		{`document.querySelector("#pop-ticket .ticket-description").textContent`, "<script>alert(2)</script>"},
		{`document.querySelector("#pop-open-list li span:last-child").textContent`, "<i>impresora</i>"},
		{`document.getElementById("pop-phase").textContent`, "Llamada entrante"},
	} {
		if got := eval[string](t, ctx, c.js); got != c.want {
			t.Errorf("%s = %q, want %q", c.js, got, c.want)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("img, #pop b, #pop i, #pop script").length`); n != 0 {
		t.Errorf("%d elements were created from caller text", n)
	}
	browsertest.Screenshot(t, ctx, "screen-pop")

	// The supervisor's wallboard, in its own browser context.
	wb := browsertest.Incognito(t, ctx)
	wbDialogs := browsertest.WatchDialogs(wb)
	login(t, wb, s.url, "sup", "/wallboard.html")
	waiting := `document.querySelector('tr[data-queue="soporte"] .waiting').textContent`
	waitJS(t, wb, "the wallboard", waiting+` === "0" && document.querySelector('tr[data-agent="ana"]') !== null`)
	for i := range 3 {
		s.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "q-" + string(rune('a'+i)), Queue: "soporte",
			CallerName: hostile, EnteredQueueAt: time.Now()})
	}
	waitJS(t, wb, "3 waiting", waiting+` === "3"`)
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: "q-a", Queue: "soporte", Agent: "beto"})
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallAbandoned, CallID: "q-b", Queue: "soporte"})
	waitJS(t, wb, "1 waiting", waiting+` === "1"`)
	if got := eval[string](t, wb, `document.querySelector('tr[data-agent="beto"] .reason').textContent`); got != "Comida" {
		t.Errorf("beto's pause reason shown as %q, want Comida", got)
	}
	browsertest.Screenshot(t, wb, "wallboard")

	// The agent's console counted the same queue without caller data.
	waitJS(t, ctx, "the agent's queue count", `document.querySelector('#queue-counts li[data-queue="soporte"] .waiting').textContent === "1 en espera"`)

	// Both languages are complete.
	if missing := eval[[]string](t, ctx, `import("/js/i18n.js").then(m => m.missingKeys())`); len(missing) != 0 {
		t.Errorf("i18n keys missing: %v", missing)
	}
	if d := append(dialogs.Opened(), wbDialogs.Opened()...); len(d) != 0 {
		t.Errorf("JavaScript dialogs opened: %v", d)
	}
	var errs []string
	for _, e := range console.Errors() {
		// Expected: the login page's /me probe (401) and the contact lookup
		// of an unknown caller (404).
		if !strings.Contains(e, "Failed to load resource") || !(strings.Contains(e, "404") || strings.Contains(e, "401")) {
			errs = append(errs, e)
		}
	}
	if len(errs) != 0 {
		t.Errorf("console errors (a CSP violation shows here): %v", errs)
	}
}

// A console whose websocket drops reconnects with since=<last seq> and
// pops the call that rang while it was away.
func TestConsoleResumesAfterDisconnect(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	login(t, ctx, s.url, "ana", "/agent.html")
	s.desk.publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "ana", State: agentdesk.StateAvailable})
	waitJS(t, ctx, "state available", `document.getElementById("my-state").textContent === "Disponible"`)

	s.cutWebsockets()
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallOffered, CallID: "call-2", Queue: "soporte",
		TicketNumber: "20260001", CallerNumber: "+525512345678", CallerName: "María Pérez", Agent: "ana", Extension: "1001"})
	waitJS(t, ctx, "the pop after reconnecting", `!document.getElementById("pop").hidden && document.getElementById("pop-display-name").textContent === "María Pérez"`)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.since) < 2 || s.since[0] != "" || s.since[len(s.since)-1] == "" || s.since[len(s.since)-1] == "0" {
		t.Errorf("since of each /ws request: %q; want none first, then the last seq", s.since)
	}
	if st := s.hub.Stats(); st.Resumes < 1 {
		t.Errorf("hub stats %+v: the reconnect was not served from the ring", st)
	}
	browsertest.Screenshot(t, ctx, "resumed-pop")
}

// patchTicket changes the fake's ticket as user would through the API and
// returns its new version.
func (s *site) patchTicket(t *testing.T, user string, body map[string]any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("PATCH", s.url+"/api/v1/tickets/20260001", bytes.NewReader(b))
	req.AddCookie(&http.Cookie{Name: "test_user", Value: user})
	req.Header.Set("X-CSRF-Token", csrfToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tk struct{ Version int }
	if err := json.NewDecoder(resp.Body).Decode(&tk); err != nil || resp.StatusCode != 200 {
		t.Fatalf("PATCH ticket %v: %d %v", body, resp.StatusCode, err)
	}
	return tk.Version
}

const (
	popAssignee = `document.querySelector("#pop-ticket .field.assignee .value").textContent`
	popNote     = `document.querySelector("#pop-ticket form.note textarea").value`
	errorFlash  = `document.querySelector("#flash.error:not([hidden])") !== null`
)

// The ticket changes under the pop after the answer (Atiende assigns it to
// ana): ticket_changed makes the console draw it again, keeping the note
// ana is typing, and her next action carries the new version. A change by
// someone else is refused as a conflict with a clear message and a redraw.
func TestConsoleTicketChangedRedrawsPop(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	login(t, ctx, s.url, "ana", "/agent.html")
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallOffered, CallID: "call-1", Queue: "soporte",
		TicketNumber: "20260001", CallerNumber: "+525512345678", CallerName: "María Pérez", Agent: "ana", Extension: "1001"})
	waitJS(t, ctx, "the pop's ticket", `document.querySelector('#pop-ticket button.move[data-to="in_progress"]') !== null`)
	if got := eval[string](t, ctx, popAssignee); got != "—" {
		t.Fatalf("assignee at the offer %q, want none", got)
	}
	step(t, ctx, "type a note", chromedp.SendKeys(chromedp.CSS(`#pop-ticket form.note textarea`), "Nota a medias"))
	eval[bool](t, ctx, `(document.querySelector("#pop-ticket .ticket-head").dataset.drawn = "offer", true)`)

	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: "call-1", Queue: "soporte", TicketNumber: "20260001", Agent: "ana"})
	waitJS(t, ctx, "talking", `document.getElementById("pop-phase").classList.contains("phase-talking")`)
	v := s.patchTicket(t, "sup", map[string]any{"version": 1, "assignee": "ana"})
	s.hub.Publish(agentdesk.Event{Kind: agentdesk.TicketChanged, At: time.Now(), CallID: "call-1", TicketNumber: "20260001", TicketVersion: v, Agent: "ana"})
	waitJS(t, ctx, "ana as the assignee in the pop", popAssignee+` === "ana"`)
	if eval[bool](t, ctx, `document.querySelector('#pop-ticket .ticket-head[data-drawn]') !== null`) {
		t.Error("the pop's ticket was not drawn again")
	}
	if got := eval[string](t, ctx, popNote); got != "Nota a medias" {
		t.Errorf("the note being typed became %q", got)
	}
	if got := eval[string](t, ctx, `document.activeElement.name || ""`); got != "note" {
		t.Errorf("focus on %q after the redraw, want the note", got)
	}
	step(t, ctx, "start work", chromedp.Click(chromedp.CSS(`#pop-ticket button.move[data-to="in_progress"]`)))
	waitJS(t, ctx, "in progress or refused", `document.querySelector("#pop-ticket .badge.state-in_progress") !== null || `+errorFlash)
	if eval[bool](t, ctx, errorFlash) {
		t.Fatalf("start work refused: %q", eval[string](t, ctx, `document.getElementById("flash").textContent`))
	}
	if got := eval[string](t, ctx, popNote); got != "Nota a medias" {
		t.Errorf("the note being typed became %q after starting work", got)
	}

	// Someone else changes the ticket: the next action is refused, says why,
	// and the pop shows the current ticket (and still the note).
	s.patchTicket(t, "sup", map[string]any{"version": v + 1, "subject": "Cambiado por otra persona"})
	step(t, ctx, "ask the user", chromedp.Click(chromedp.CSS(`#pop-ticket button.move[data-to="pending_user"]`)))
	waitJS(t, ctx, "the reason dialog", `document.querySelector("dialog.ask[open] textarea") !== null`)
	step(t, ctx, "give the reason",
		chromedp.SendKeys(chromedp.CSS(`dialog.ask textarea`), "Falta el número de serie"),
		chromedp.Click(chromedp.CSS(`dialog.ask button[type=submit]`)))
	waitJS(t, ctx, "the conflict", errorFlash+` && document.querySelector("#pop-ticket .ticket-subject").textContent === "Cambiado por otra persona"`)
	if got, want := eval[string](t, ctx, `document.getElementById("flash").textContent`), eval[string](t, ctx, `import("/js/i18n.js").then(m => m.t("pop.conflict"))`); got != want {
		t.Errorf("conflict flash %q, want %q", got, want)
	}
	if got := eval[string](t, ctx, popNote); got != "Nota a medias" {
		t.Errorf("the note being typed became %q after the conflict", got)
	}
	browsertest.Screenshot(t, ctx, "conflict")
}

// The assignment lands between the pop's draw and ana's click, and its
// ticket_changed is lost: the stale action is sent again on the current
// version, since the only change was the ticket becoming ana's.
func TestConsoleActionRetriedAfterOwnAssignment(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	login(t, ctx, s.url, "ana", "/agent.html")
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallOffered, CallID: "call-1", Queue: "soporte",
		TicketNumber: "20260001", CallerNumber: "+525512345678", CallerName: "María Pérez", Agent: "ana", Extension: "1001"})
	waitJS(t, ctx, "the pop's ticket", `document.querySelector('#pop-ticket button.move[data-to="in_progress"]') !== null`)
	s.patchTicket(t, "sup", map[string]any{"version": 1, "assignee": "ana"})
	step(t, ctx, "start work", chromedp.Click(chromedp.CSS(`#pop-ticket button.move[data-to="in_progress"]`)))
	waitJS(t, ctx, "in progress or refused", `document.querySelector("#pop-ticket .badge.state-in_progress") !== null || `+errorFlash)
	if eval[bool](t, ctx, errorFlash) {
		t.Fatalf("start work refused: %q", eval[string](t, ctx, `document.getElementById("flash").textContent`))
	}
	if got := eval[string](t, ctx, popAssignee); got != "ana" {
		t.Errorf("assignee %q after starting work, want ana", got)
	}
}

// Network staff (English) see every extension live; a phone's user agent is
// text; agents cannot open the page.
func TestNetworkPage(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	dialogs := browsertest.WatchDialogs(ctx)
	login(t, ctx, s.url, "net", "/network.html")
	waitJS(t, ctx, "two extensions", `document.querySelectorAll("#ext-rows tr").length === 2`)
	if got := eval[string](t, ctx, `document.querySelector("h1").textContent`); got != "Phone extensions" {
		t.Errorf("title %q, want the English one", got)
	}
	s.hub.ExtensionChanged(ivr.ExtensionStatus{Extension: "1002", State: ivr.ExtRegistered, Contact: "sip:1002@127.0.0.1:5064",
		UserAgent: hostile, RTT: 12 * time.Millisecond, Since: time.Now()})
	waitJS(t, ctx, "1002 registered", `document.querySelector('tr[data-ext="1002"]').className === "ext-registered"`)
	browsertest.Screenshot(t, ctx, "network")
	if got := eval[string](t, ctx, `document.querySelector('tr[data-ext="1002"] .ua').textContent`); got != hostile {
		t.Errorf("user agent shown as %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("img").length + document.querySelectorAll("#ext-changes li").length * 100`); n != 100 {
		t.Errorf("images*1 + changes*100 = %d, want one change and no image", n)
	}
	step(t, ctx, "filter unregistered", chromedp.SetValue(chromedp.ID("filter-state"), "unregistered"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("filter-state").dispatchEvent(new Event("change"))`))
	waitJS(t, ctx, "the filter", `document.querySelectorAll("#ext-rows tr").length === 0`)
	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("dialogs: %v", d)
	}

	agent := browsertest.Incognito(t, ctx)
	login(t, agent, s.url, "ana", "/agent.html")
	step(t, agent, "open the network page", chromedp.Navigate(s.url+"/network.html"))
	waitJS(t, agent, "the redirect to the console", `location.pathname === "/agent.html"`)
}

// The tickets page: a ticket moves through the lifecycle from its detail,
// with the reason asked for in a dialog when the move needs one, and the
// history shows it.
func TestTicketLifecycleFromDetail(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	login(t, ctx, s.url, "ana", "/agent.html")
	step(t, ctx, "open the ticket", chromedp.Navigate(s.url+"/tickets.html#20260001"))
	waitJS(t, ctx, "the detail", `document.querySelector('#detail button.move[data-to="in_progress"]') !== null`)
	step(t, ctx, "start work", chromedp.Click(chromedp.CSS(`#detail button.move[data-to="in_progress"]`)))
	waitJS(t, ctx, "in progress", `document.querySelector('#detail button.move[data-to="pending_user"]') !== null`)
	step(t, ctx, "ask the user", chromedp.Click(chromedp.CSS(`#detail button.move[data-to="pending_user"]`)))
	waitJS(t, ctx, "the reason dialog", `document.querySelector("dialog.ask[open] textarea") !== null`)
	step(t, ctx, "confirm without a reason", chromedp.Click(chromedp.CSS(`dialog.ask button[type=submit]`)))
	waitJS(t, ctx, "the refusal", `!document.querySelector("dialog.ask p.error").hidden`)
	step(t, ctx, "give the reason",
		chromedp.SendKeys(chromedp.CSS(`dialog.ask textarea`), "Falta el número de serie del módem"),
		chromedp.Click(chromedp.CSS(`dialog.ask button[type=submit]`)))
	waitJS(t, ctx, "pending user with history",
		`document.querySelector("#detail .badge.state-pending_user") !== null && document.querySelectorAll("#history tr").length === 2`)
	if got := eval[string](t, ctx, `document.querySelector("#history tr:last-child td:last-child").textContent`); got != "Falta el número de serie del módem" {
		t.Errorf("history reason %q", got)
	}
	browsertest.Screenshot(t, ctx, "ticket-detail")
}
