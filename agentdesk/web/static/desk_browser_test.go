package static_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/chromedp/chromedp"
)

// The wallboard shows the open tickets by state, priority and level, the
// tickets past and near their SLA (subjects as text), and the day chart
// built from the hub's events.
func TestWallboardTicketsAndChart(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	dialogs := browsertest.WatchDialogs(ctx)
	console := browsertest.WatchConsole(ctx)
	login(t, ctx, s.url, "sup", "/wallboard.html")
	waitJS(t, ctx, "the ticket counts", `document.getElementById("tk-open").textContent === "17 abiertos"`)
	for _, c := range []struct{ js, want string }{
		{`document.querySelector("#tk-by-state tr.st-row-in_progress").textContent`, "En proceso7"},
		{`document.querySelector("#tk-by-state tr.st-row-pending_user").textContent`, "Pendiente por el usuario3"},
		{`document.querySelector("#tk-by-priority tr.prio-row-1").textContent`, "Prioridad 12"},
		{`document.querySelector("#tk-by-level tr.level-row-2").textContent`, "Nivel 24"},
		{`document.getElementById("sla-past-title").textContent`, "Vencidos (3)"},
		{`document.getElementById("sla-near-title").textContent`, "Por vencer (1)"},
		{`document.querySelector('#sla-past li[data-ticket="20260101"] .subject').textContent`, hostileSubject},
		{`document.querySelector("#sla-past li.more").textContent`, "y 1 más"},
		{`document.querySelector('#sla-near li[data-ticket="20260103"] .due').textContent`, "87,5 %"},
		{`document.querySelector('#sla-past li[data-ticket="20260101"] a').getAttribute("href")`, "/tickets.html#20260101"},
	} {
		if got := strings.ReplaceAll(eval[string](t, ctx, c.js), "\u00a0", " "); got != c.want {
			t.Errorf("%s = %q, want %q", c.js, got, c.want)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("img").length`); n != 0 {
		t.Errorf("%d images created from a ticket subject", n)
	}

	// Calls through the day: three queued now, one answered within the
	// service level; the bucket of now shows 3 and the SL line is drawn.
	now := time.Now()
	for i := range 3 {
		s.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "c-" + string(rune('a'+i)), Queue: "soporte", EnteredQueueAt: now})
	}
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: "c-a", Queue: "soporte", Agent: "beto",
		EnteredQueueAt: now, AnsweredAt: now.Add(5 * time.Second)})
	waitJS(t, ctx, "the bucket of now", `document.querySelector("#chart rect.bar.now") !== null && document.querySelector("#chart rect.bar.now").dataset.calls === "3"`)
	if n := eval[int](t, ctx, `document.querySelectorAll("#chart polyline.sl-line").length`); n != 1 {
		t.Errorf("%d service-level lines", n)
	}
	// The snapshot's stats (8 answered, 6 within SL, 2 abandoned) start the
	// day's service level; the answered call makes it 7/11.
	// The plot is 200 units high from y=12: 7/11 is at y = 212 - 200*7/11.
	lastY := `parseFloat(document.querySelector("#chart polyline.sl-line").getAttribute("points").trim().split(" ").pop().split(",")[1])`
	waitJS(t, ctx, "the service level at 7/11", `Math.abs(`+lastY+` - (212 - 200*7/11)) < 0.2`)
	browsertest.Screenshot(t, ctx, "wallboard-tickets-chart")

	// English labels.
	step(t, ctx, "English", chromedp.Evaluate[chromedp.Void](`localStorage.setItem("atiende_lang", "en"); location.reload()`))
	waitJS(t, ctx, "English counts", `document.getElementById("tk-open") && document.getElementById("tk-open").textContent === "17 open" && document.getElementById("sla-near-title").textContent === "Near due (1)"`)
	browsertest.Screenshot(t, ctx, "wallboard-tickets-en")
	if missing := eval[[]string](t, ctx, `import("/js/i18n.js").then(m => m.missingKeys())`); len(missing) != 0 {
		t.Errorf("i18n keys missing: %v", missing)
	}
	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("dialogs: %v", d)
	}
	checkConsole(t, console)
}

// checkConsole fails on console errors other than failed loads answered 401
// (the login page's /me probe) or 404 (the favicon): a CSP violation shows
// here.
func checkConsole(t *testing.T, c *browsertest.Console) {
	t.Helper()
	var errs []string
	for _, e := range c.Errors() {
		if !strings.Contains(e, "Failed to load resource") || !(strings.Contains(e, "404") || strings.Contains(e, "401")) {
			errs = append(errs, e)
		}
	}
	if len(errs) != 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// The agent picks an extension when going available (it goes with the state
// request) and sees the wrap-up countdown (the queue's wrap-up, 10 s by
// default).
func TestConsoleExtensionAndWrapUp(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	console := browsertest.WatchConsole(ctx)
	login(t, ctx, s.url, "ana", "/agent.html")
	waitJS(t, ctx, "the picker with her extension", `!document.getElementById("ext-pick-box").hidden && document.getElementById("ext-pick").value === "1001"`)
	step(t, ctx, "pick 1005 and go available",
		chromedp.SetValue(chromedp.ID("ext-pick"), "1005"),
		chromedp.Click(chromedp.ID("btn-available")))
	waitJS(t, ctx, "available at 1005", `document.getElementById("my-state").textContent === "Disponible" && document.getElementById("my-ext").textContent === "1005" && document.getElementById("ext-pick-box").hidden`)
	s.mu.Lock()
	if !slices.Contains(s.calls, "ana:available::ext=1005") {
		t.Errorf("state calls %v, want ana:available with extension 1005", s.calls)
	}
	s.mu.Unlock()

	s.desk.publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "ana", State: agentdesk.StateWrapUp})
	waitJS(t, ctx, "the wrap-up countdown", `!document.getElementById("wrapup").hidden && /^Post-llamada: quedan 0:(10|09|08)$/.test(document.getElementById("wrapup-countdown").textContent)`)
	browsertest.Screenshot(t, ctx, "console-wrapup")
	checkConsole(t, console)
}

// An admin creates a user from the admin page; the catalog and the
// maintenance windows show; a supervisor sees no users tab.
func TestAdminCreatesUser(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	dialogs := browsertest.WatchDialogs(ctx)
	console := browsertest.WatchConsole(ctx)
	login(t, ctx, s.url, "adm", "/wallboard.html")
	step(t, ctx, "open the admin page", chromedp.Navigate(s.url+"/admin.html"))
	waitJS(t, ctx, "the users", `document.querySelector('#user-rows tr[data-user="ana"]') !== null && !document.getElementById("panel-users").hidden`)
	desk.mu.Lock()
	desk.created, desk.users = nil, nil
	desk.mu.Unlock()
	step(t, ctx, "fill the new user",
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=username]`), "carla"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=name]`), "Carla Núñez"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=email]`), "carla@example.org"),
		chromedp.SetValue(chromedp.CSS(`#user-form select[name=role]`), "technician"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=extension]`), "1007"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=skills]`), "redes, soporte"),
		chromedp.SetValue(chromedp.CSS(`#user-form select[name=level]`), "2"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=password]`), "una clave bastante larga"))
	browsertest.Screenshot(t, ctx, "admin-new-user")
	step(t, ctx, "create", chromedp.Click(chromedp.ID("user-save")))
	waitJS(t, ctx, "carla in the list", `document.querySelector('#user-rows tr[data-user="carla"] .skills') !== null && document.querySelector('#user-rows tr[data-user="carla"] .skills').textContent === "redes, soporte"`)
	desk.mu.Lock()
	if len(desk.created) != 1 {
		t.Fatalf("POST /users bodies: %v", desk.created)
	}
	c := desk.created[0]
	desk.mu.Unlock()
	if c["username"] != "carla" || c["role"] != "technician" || c["extension"] != "1007" || c["level"] != float64(2) ||
		c["password"] != "una clave bastante larga" || c["name"] != "Carla Núñez" {
		t.Errorf("created %v", c)
	}
	if got := eval[string](t, ctx, `document.getElementById("flash").textContent`); got != "Usuario carla creado" {
		t.Errorf("flash %q", got)
	}
	browsertest.Screenshot(t, ctx, "admin-users")

	// Catalog and agents, read-only.
	step(t, ctx, "catalog tab", chromedp.Click(chromedp.ID("tab-catalog")))
	waitJS(t, ctx, "the catalog", `document.querySelector('#catalog-rows tr[data-service="internet_failure"] .queue').textContent === "redes"`)
	step(t, ctx, "queues tab", chromedp.Click(chromedp.ID("tab-queues")))
	waitJS(t, ctx, "the agents", `document.querySelector('#agent-rows tr[data-agent="ana"] .ext').textContent === "1001"`)
	browsertest.Screenshot(t, ctx, "admin-catalog")

	// Maintenance: schedule one and cancel it.
	step(t, ctx, "maintenance tab", chromedp.Click(chromedp.ID("tab-maintenance")))
	waitJS(t, ctx, "no windows", `document.querySelector("#m-rows td.muted") !== null`)
	step(t, ctx, "schedule",
		chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById("m-form"); f.elements.services.options[0].selected = true;
			f.elements.start.value = "2030-01-10T22:00"; f.elements.end.value = "2030-01-11T02:00"; })()`),
		chromedp.SendKeys(chromedp.CSS(`#m-form textarea[name=summary_es]`), "Cambio del enrutador <b>central</b>"),
		chromedp.Click(chromedp.CSS(`#m-form button[type=submit]`)))
	waitJS(t, ctx, "the window", `document.querySelector('#m-rows tr[data-maintenance="1"] .summary') !== null`)
	if got := eval[string](t, ctx, `document.querySelector('#m-rows tr[data-maintenance="1"] .summary').textContent`); got != "Cambio del enrutador <b>central</b>" {
		t.Errorf("summary %q", got)
	}
	step(t, ctx, "cancel it", chromedp.Click(chromedp.CSS(`#m-rows tr[data-maintenance="1"] button.cancel`)))
	waitJS(t, ctx, "the confirmation", `document.querySelector("dialog.ask[open]") !== null`)
	step(t, ctx, "confirm", chromedp.Click(chromedp.CSS(`dialog.ask button[type=submit]`)))
	waitJS(t, ctx, "cancelled", `document.querySelector('#m-rows tr[data-maintenance="1"] .status').textContent === "Cancelado"`)
	browsertest.Screenshot(t, ctx, "admin-maintenance")
	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("dialogs: %v", d)
	}
	checkConsole(t, console)

	// A supervisor: maintenance and catalog, no users.
	sup := browsertest.Incognito(t, ctx)
	login(t, sup, s.url, "sup", "/wallboard.html")
	step(t, sup, "open the admin page", chromedp.Navigate(s.url+"/admin.html"))
	waitJS(t, sup, "maintenance first, no users tab", `!document.getElementById("panel-maintenance").hidden && document.getElementById("tab-users").hidden`)
	// An agent is sent back to the console.
	ag := browsertest.Incognito(t, ctx)
	login(t, ag, s.url, "ana", "/agent.html")
	step(t, ag, "open the admin page", chromedp.Navigate(s.url+"/admin.html"))
	waitJS(t, ag, "the redirect", `location.pathname === "/agent.html"`)
}
