package main

// Browser tests of the administration page (users, maintenance windows) and
// the weekly report page against a real running Atiende (Main serve,
// PostgreSQL, demo data), driving Debian's Chromium with chromedp. What the
// page shows is checked against the API and the database.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// admZone is where the help desk's people sit: the supervisor's browser
// runs in this time zone (maintenance windows are typed in local time).
const admZone = "America/Mexico_City"

// admFormLogin logs user in through the login form at / with password and
// waits for the page the role lands on, with its header drawn.
func admFormLogin(t testing.TB, ctx context.Context, base, user, password, page string) {
	t.Helper()
	brStep(t, ctx, "log in as "+user,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
	brWaitJS(t, ctx, 15*time.Second, user+" on "+page,
		`location.pathname === "`+page+`" && document.querySelector("#top nav a") !== null`)
}

// admOpen leaves the page (for about:blank), marks the console so that
// only what the next page logs is checked, navigates to path and waits
// until cond holds. The pages a role lands on are other tests' business.
func admOpen(t testing.TB, ctx context.Context, c *admConsole, base, path, what, cond string) {
	t.Helper()
	brStep(t, ctx, "leave the page", chromedp.Navigate("about:blank"))
	c.markNow(t, ctx)
	brStep(t, ctx, "open "+path, chromedp.Navigate(base+path))
	brWaitJS(t, ctx, 15*time.Second, what, cond)
}

// admLoginStatus tries POST /api/v1/login and returns the status.
func admLoginStatus(t testing.TB, base, user, password string) int {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"username": user, "password": password})
	resp, err := http.Post(base+"/api/v1/login", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// admConsole records a tab's console errors with the address they are
// about (browsertest.Console keeps only the text; a failed load names its
// address in the URL).
type admConsole struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
	mark int // unexpected looks at msgs[mark:]
}

func admWatchConsole(ctx context.Context) *admConsole {
	c := &admConsole{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				c.mu.Lock()
				c.msgs = append(c.msgs, m)
				c.mu.Unlock()
			}
		}
	}()
	return c
}

// admMark is the console error markNow writes.
const admMark = "admin_browser_test: mark"

// markNow writes a marker to the console and waits until it is recorded:
// unexpected then looks only at what came after it.
func (c *admConsole) markNow(t testing.TB, ctx context.Context) {
	t.Helper()
	brEval[bool](t, ctx, `(console.error("`+admMark+`"), true)`)
	if !waitFor(10*time.Second, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i := len(c.msgs) - 1; i >= c.mark; i-- {
			if c.msgs[i].Text == admMark {
				c.mark = i + 1
				return true
			}
		}
		return false
	}) {
		t.Fatal("the console marker was not seen")
	}
}

// unexpected returns the errors since the mark other than failed loads
// answered with one of the expected "status path" pairs (e.g. "409
// /api/v1/users").
func (c *admConsole) unexpected(expected ...string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []string
	for _, m := range c.msgs[c.mark:] {
		ok := false
		if strings.Contains(m.Text, "Failed to load resource") {
			for _, e := range expected {
				status, path, _ := strings.Cut(e, " ")
				ok = ok || strings.Contains(m.Text, "status of "+status) && strings.Contains(m.URL, path)
			}
		}
		if !ok {
			errs = append(errs, m.String()+" ("+m.URL+")")
		}
	}
	return errs
}

// admFavicon is the favicon Chromium asks for (Atiende has none).
const admFavicon = "404 /favicon.ico"

// admFlash is the text of the page's flash message, "" when hidden.
const admFlash = `(document.getElementById("flash").hidden ? "" : document.getElementById("flash").className + ": " + document.getElementById("flash").textContent)`

// admAgent finds one agent in GET /api/v1/agents, with its queues sorted.
func admAgent(t testing.TB, c *apiClient, username string) (agentStatus, []string, bool) {
	t.Helper()
	var list []struct {
		agentStatus
		Queues []string `json:"queues"`
	}
	if code := c.do("GET", "/api/v1/agents", nil, &list); code != 200 {
		t.Fatalf("GET /api/v1/agents: %d", code)
	}
	for _, a := range list {
		if a.Username == username {
			slices.Sort(a.Queues)
			return a.agentStatus, a.Queues, true
		}
	}
	return agentStatus{}, nil, false
}

// TestAdminPages: the admin manages users and a supervisor maintenance
// windows in the administration page of a real Atiende.
func TestAdminPages(t *testing.T) {
	start := time.Now()
	browser := browsertest.Browser(t)
	exts := demoExtensions()
	exts["1005"] = "demo1005" // the phone of the agent the admin creates
	a := startAtiende(t, harnessOptions{Extensions: exts})
	t.Logf("atiende at %s, browser up: %v", a.Base, time.Since(start).Round(time.Millisecond))
	t.Run("Users", func(t *testing.T) { admUsers(t, a, browser) })
	t.Run("Maintenance", func(t *testing.T) { admMaintenance(t, a, browser) })
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}

// admUsers: the admin creates an agent with an extension and skills, who
// can log in and takes calls in the queues of the skills; disables her,
// and her login is refused; resets another agent's password. A supervisor
// sees no users tab and is refused the users API.
func admUsers(t *testing.T, a *atiende, browser context.Context) {
	ctx := context.Background()
	page := browsertest.Incognito(t, browser)
	dialogs := browsertest.WatchDialogs(page)
	console := admWatchConsole(page)
	admFormLogin(t, page, a.Base, "admin", adminPassword, "/wallboard.html")
	admOpen(t, page, console, a.Base, "/admin.html", "the users tab with the demo users",
		`!document.getElementById("panel-users").hidden && !document.getElementById("tab-users").hidden && document.querySelector('#user-rows tr[data-user="ana"]') !== null`)
	if got := brEval[string](t, page, `document.querySelector('#user-rows tr[data-user="ana"] .ext').textContent`); got != "1001" {
		t.Errorf("ana's extension in the list: %q, want 1001", got)
	}

	// Create elena: an agent on 1005 in the network and general queues.
	const elenaPW = "clave-de-elena-2026"
	brStep(t, page, "fill the new user",
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=username]`), "elena"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=name]`), "Elena Soto"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=email]`), "elena@mesa.example.mx"),
		chromedp.SetValue(chromedp.CSS(`#user-form select[name=role]`), "agent"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=extension]`), "1005"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=skills]`), "network, general"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=password]`), elenaPW))
	browsertest.Screenshot(t, page, "new-user-form")
	brStep(t, page, "create elena", chromedp.Click(chromedp.ID("user-save")))
	brWaitJS(t, page, 10*time.Second, "elena in the list or an error",
		`document.querySelector('#user-rows tr[data-user="elena"]') !== null || document.querySelector("#flash.error:not([hidden])") !== null`)
	if got := brEval[string](t, page, admFlash); got != "flash: Usuario elena creado" {
		t.Fatalf("flash after creating elena: %q", got)
	}
	for js, want := range map[string]string{
		`document.querySelector('#user-rows tr[data-user="elena"] .name').textContent`:   "Elena Soto",
		`document.querySelector('#user-rows tr[data-user="elena"] .ext').textContent`:    "1005",
		`document.querySelector('#user-rows tr[data-user="elena"] .skills').textContent`: "Redes, Atención general",
		`document.querySelector('#user-rows tr[data-user="elena"] .badge').textContent`:  "Agente",
		`document.querySelector('#user-rows tr[data-user="elena"] .status').textContent`: "Activo",
		`document.querySelector('#user-form input[name=username]').value`:                "", // the form is ready for the next one
	} {
		if got := brEval[string](t, page, js); got != want {
			t.Errorf("%s = %q, want %q", js, got, want)
		}
	}
	browsertest.Screenshot(t, page, "user-created")
	u, err := a.store().User(ctx, "elena")
	if err != nil {
		t.Fatalf("elena in PostgreSQL: %v", err)
	}
	if u.Role != tickets.RoleAgent || u.Extension != "1005" || strings.Join(u.Skills, ",") != "network,general" ||
		u.Name != "Elena Soto" || u.Email != "elena@mesa.example.mx" || u.Language != "es" || u.Level != 1 || u.Disabled {
		t.Errorf("elena in PostgreSQL: %+v", u)
	}
	if ok, err := tickets.CheckPassword(u.PasswordHash, elenaPW); err != nil || !ok {
		t.Errorf("elena's stored password does not match what the admin typed (%v)", err)
	}

	// A second "ana" is refused with the server's reason; ana is untouched.
	brStep(t, page, "create another ana",
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=username]`), "ana"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=name]`), "Otra Ana"),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=password]`), "otra-clave-de-ana"),
		chromedp.Click(chromedp.ID("user-save")))
	brWaitJS(t, page, 10*time.Second, "the refusal", `document.querySelector("#flash.error:not([hidden])") !== null`)
	if got := brEval[string](t, page, admFlash); got != `flash error: user "ana" already exists` {
		t.Errorf("flash after creating a second ana: %q", got)
	}
	if u, err := a.store().User(ctx, "ana"); err != nil || u.Name != "Ana Martínez" || u.Version != 1 {
		t.Errorf("ana after the refused duplicate: %+v %v", u, err)
	}
	brStep(t, page, "clear the form", chromedp.Click(chromedp.ID("user-cancel")))

	// She logs in; the ACD knows her, on 1005 in her skills' queues, and
	// she takes calls once she goes available as her console does.
	sup := a.login(t, "supervisora", brPassword)
	elena := a.login(t, "elena", elenaPW)
	var me struct {
		User struct {
			Username, Role, Extension string
		} `json:"user"`
	}
	if code := elena.do("GET", "/api/v1/me", nil, &me); code != 200 || me.User.Role != "agent" || me.User.Extension != "1005" {
		t.Errorf("elena's /me: %d %+v", code, me.User)
	}
	if st, queues, ok := admAgent(t, sup, "elena"); !ok || st.Extension != "1005" || st.State != "logged_out" ||
		strings.Join(queues, ",") != "general,network" {
		t.Errorf("elena in GET /api/v1/agents after she was created: present %v, %+v, queues %q; want logged_out on 1005 in general,network", ok, st, queues)
	}
	elena.setState("elena", "available", "")
	if st, queues, ok := admAgent(t, sup, "elena"); !ok || st.Extension != "1005" || st.State != "available" ||
		strings.Join(queues, ",") != "general,network" {
		t.Errorf("elena in GET /api/v1/agents once available: present %v, %+v, queues %q; want available on 1005 in general,network", ok, st, queues)
	}

	// The admin disables her: her login is refused, her session ends and
	// the ACD stops offering her calls.
	brStep(t, page, "edit elena", chromedp.Click(chromedp.CSS(`#user-rows tr[data-user="elena"] button.edit`)))
	brWaitJS(t, page, 5*time.Second, "the edit form", `document.getElementById("user-form-title").textContent === "Editar a elena" && !document.getElementById("user-disabled-box").hidden`)
	if got := brEval[string](t, page, `[...new FormData(document.getElementById("user-form")).entries()].filter(([k]) => k !== "password").map(([k, v]) => k + "=" + v).join("&")`); got != "username=elena&name=Elena Soto&email=elena@mesa.example.mx&role=agent&language=es&extension=1005&skills=network, general&level=1" {
		t.Errorf("the edit form shows %q", got)
	}
	brEval[bool](t, page, `(document.getElementById("flash").hidden = true, true)`)
	brStep(t, page, "disable elena",
		chromedp.Click(chromedp.CSS(`#user-form input[name=disabled]`)),
		chromedp.Click(chromedp.ID("user-save")))
	brWaitJS(t, page, 10*time.Second, "elena disabled in the list or an error",
		`document.querySelector('#user-rows tr[data-user="elena"].disabled') !== null || document.querySelector("#flash.error:not([hidden])") !== null`)
	if got := brEval[string](t, page, admFlash); got != "flash: Usuario elena guardado" {
		t.Fatalf("flash after disabling elena: %q", got)
	}
	if got := brEval[string](t, page, `document.querySelector('#user-rows tr[data-user="elena"] .status').textContent`); got != "Deshabilitado" {
		t.Errorf("elena's status in the list: %q", got)
	}
	browsertest.Screenshot(t, page, "user-disabled")
	if u, err := a.store().User(ctx, "elena"); err != nil || !u.Disabled || u.Extension != "1005" || u.Version < 2 {
		t.Errorf("elena in PostgreSQL after disabling: %+v %v", u, err)
	}
	if code := admLoginStatus(t, a.Base, "elena", elenaPW); code != http.StatusUnauthorized {
		t.Errorf("elena's login once disabled: %d, want 401", code)
	}
	if code := elena.do("GET", "/api/v1/me", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("elena's open session once disabled: GET /me %d, want 401", code)
	}
	if st, _, ok := admAgent(t, sup, "elena"); ok && st.State != "logged_out" {
		t.Errorf("disabled elena is still %q in the ACD: calls would ring her phone", st.State)
	}

	// A password reset: dario gets a new password, nothing else changes.
	before, err := a.store().User(ctx, "dario")
	if err != nil {
		t.Fatal(err)
	}
	const darioPW = "nueva-clave-de-dario"
	brStep(t, page, "edit dario", chromedp.Click(chromedp.CSS(`#user-rows tr[data-user="dario"] button.edit`)))
	brWaitJS(t, page, 5*time.Second, "dario's form", `document.getElementById("user-form-title").textContent === "Editar a dario"`)
	if got := brEval[string](t, page, `document.getElementById("user-password-label").textContent`); got != "Nueva contraseña (vacío: no cambia)" {
		t.Errorf("password label when editing: %q", got)
	}
	brEval[bool](t, page, `(document.getElementById("flash").hidden = true, true)`)
	brStep(t, page, "reset dario's password",
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=password]`), darioPW),
		chromedp.Click(chromedp.ID("user-save")))
	brWaitJS(t, page, 10*time.Second, "saved or an error", `!document.getElementById("flash").hidden`)
	if got := brEval[string](t, page, admFlash); got != "flash: Usuario dario guardado" {
		t.Fatalf("flash after resetting dario's password: %q", got)
	}
	if code := admLoginStatus(t, a.Base, "dario", brPassword); code != http.StatusUnauthorized {
		t.Errorf("dario's old password after the reset: %d, want 401", code)
	}
	if code := admLoginStatus(t, a.Base, "dario", darioPW); code != http.StatusOK {
		t.Errorf("dario's new password: %d, want 200", code)
	}
	after, err := a.store().User(ctx, "dario")
	if err != nil {
		t.Fatal(err)
	}
	if after.Role != before.Role || after.Extension != before.Extension || !slices.Equal(after.Skills, before.Skills) ||
		after.Name != before.Name || after.Email != before.Email || after.Level != before.Level || after.Disabled ||
		after.PasswordHash == before.PasswordHash {
		t.Errorf("dario before the reset %+v, after %+v: only the password should change", before, after)
	}
	// An admin's change of skills and extension reaches the ACD at once,
	// with the agent's state left alone (no need for dario to log in again).
	admin := a.login(t, "admin", adminPassword)
	dario := a.login(t, "dario", darioPW)
	dario.setState("dario", "available", "")
	if code := admin.do("PUT", "/api/v1/users/dario", map[string]any{"skills": []string{"servers", "general"}, "extension": "1005"}, nil); code != 200 {
		t.Fatalf("PUT /api/v1/users/dario (skills, extension): %d", code)
	}
	if st, queues, ok := admAgent(t, sup, "dario"); !ok || st.State != "available" || st.Extension != "1005" || strings.Join(queues, ",") != "general,servers" {
		t.Errorf("dario in the ACD right after the admin's change: present %v, %+v, queues %q; want available on 1005 in general,servers", ok, st, queues)
	}
	if code := admin.do("PUT", "/api/v1/users/dario", map[string]any{"extension": before.Extension}, nil); code != 200 {
		t.Fatalf("PUT /api/v1/users/dario (extension back): %d", code)
	}
	dario.setState("dario", "logged_out", "")

	// The list, as the API gives it to the admin, agrees with the page.
	var users []tickets.User
	if code := admin.do("GET", "/api/v1/users", nil, &users); code != 200 {
		t.Fatalf("GET /api/v1/users as admin: %d", code)
	}
	rows := brEval[[]string](t, page, `[...document.querySelectorAll("#user-rows tr")].map((r) => [r.dataset.user, r.querySelector(".ext").textContent, r.querySelector(".status").textContent].join(" "))`)
	var want []string
	for _, u := range users {
		ext, status := u.Extension, "Activo"
		if ext == "" {
			ext = "—"
		}
		if u.Disabled {
			status = "Deshabilitado"
		}
		want = append(want, u.Username+" "+ext+" "+status)
	}
	slices.Sort(want)
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("user rows in the page:\n%q\nGET /api/v1/users:\n%q", rows, want)
	}
	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("JavaScript dialogs opened: %v", d)
	}
	// Expected besides: the refusal of the second ana (409).
	if errs := console.unexpected(admFavicon, "409 /api/v1/users"); len(errs) != 0 {
		t.Errorf("console errors: %v", errs)
	}

	// A supervisor: the page opens on maintenance, with no users tab, even
	// when asked for it; the API refuses her the users.
	sp := browsertest.Incognito(t, browser)
	spConsole := admWatchConsole(sp)
	admFormLogin(t, sp, a.Base, "supervisora", brPassword, "/wallboard.html")
	admOpen(t, sp, spConsole, a.Base, "/admin.html#users", "the admin page as a supervisor",
		`document.body.classList.contains("admin") && !document.getElementById("panel-maintenance").hidden`)
	for js, want := range map[string]bool{
		`document.getElementById("tab-users").hidden`:                       true,
		`document.getElementById("panel-users").hidden`:                     true,
		`document.querySelectorAll("#user-rows tr").length === 0`:           true,
		`document.querySelector('#top nav a[href="/admin.html"]') !== null`: true,
	} {
		if got := brEval[bool](t, sp, js); got != want {
			t.Errorf("as supervisora: %s = %v, want %v", js, got, want)
		}
	}
	browsertest.Screenshot(t, sp, "supervisor-admin")
	if code := sup.do("GET", "/api/v1/users", nil, nil); code != http.StatusForbidden {
		t.Errorf("GET /api/v1/users as supervisora: %d, want 403", code)
	}
	if code := sup.do("POST", "/api/v1/users", map[string]any{"username": "intruso", "role": "admin", "password": "x-password-123"}, nil); code != http.StatusForbidden {
		t.Errorf("POST /api/v1/users as supervisora: %d, want 403", code)
	}
	if _, err := a.store().User(ctx, "intruso"); tickets.ErrorCode(err) != tickets.ENOTFOUND {
		t.Errorf("the supervisor's refused user exists: %v", err)
	}
	if errs := spConsole.unexpected(admFavicon); len(errs) != 0 {
		t.Errorf("console errors as supervisora: %v", errs)
	}
}

// admLocal formats an instant for a datetime-local input in loc.
func admLocal(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02T15:04") }

// admMaintenance: a supervisor schedules a window; a start inside the 16
// business hours' notice is refused with the server's message naming the
// earliest start; one after it is stored, listed and then cancelled.
func admMaintenance(t *testing.T, a *atiende, browser context.Context) {
	ctx := context.Background()
	mx, err := time.LoadLocation(admZone)
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	sla, _, err := escalation.New(escalation.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if sla.Rules.MaintenanceNotice != 16*time.Hour {
		t.Fatalf("the default maintenance notice is %v, the domain says 16 business hours", sla.Rules.MaintenanceNotice)
	}
	office, err := escalation.DefaultCalendar()
	if err != nil {
		t.Fatal(err)
	}
	sup := a.login(t, "supervisora", brPassword)

	page := browsertest.Incognito(t, browser)
	if _, err := chromedp.Call(page, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: admZone}); err != nil {
		t.Fatalf("time zone override: %v", err)
	}
	dialogs := browsertest.WatchDialogs(page)
	console := admWatchConsole(page)
	admFormLogin(t, page, a.Base, "supervisora", brPassword, "/wallboard.html")
	admOpen(t, page, console, a.Base, "/admin.html", "the maintenance tab, empty, with the services",
		`!document.getElementById("panel-maintenance").hidden && document.querySelector("#m-rows td.muted") !== null && document.querySelector('#m-form select[name=services] option[value="internet_failure"]') !== null`)
	if tz := brEval[string](t, page, `Intl.DateTimeFormat().resolvedOptions().timeZone`); tz != admZone {
		t.Fatalf("the browser's time zone is %q, want %s", tz, admZone)
	}
	if got := brEval[string](t, page, `document.querySelector("#m-rows td.muted").textContent`); got != "No hay mantenimientos" {
		t.Errorf("empty list: %q", got)
	}
	fill := func(start, end time.Time, summaryES, summaryEN string) {
		t.Helper()
		brStep(t, page, "fill the window",
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const f = document.getElementById("m-form");
				for (const o of f.elements.services.options) o.selected = o.value === "internet_failure" || o.value === "new_connection";
				f.elements.start.value = %q; f.elements.end.value = %q;
				f.elements.summary_es.value = ""; f.elements.summary_en.value = ""; f.elements.areas.value = ""; })()`,
				admLocal(start, mx), admLocal(end, mx))),
			chromedp.SendKeys(chromedp.CSS(`#m-form input[name=areas]`), "Toluca Centro, Metepec"),
			chromedp.SendKeys(chromedp.CSS(`#m-form textarea[name=summary_es]`), summaryES),
			chromedp.SendKeys(chromedp.CSS(`#m-form textarea[name=summary_en]`), summaryEN))
		if got := brEval[string](t, page, `document.getElementById("m-form").elements.start.value`); got != admLocal(start, mx) {
			t.Fatalf("the start input holds %q, want %q", got, admLocal(start, mx))
		}
	}
	submit := func() {
		t.Helper()
		brEval[bool](t, page, `(document.getElementById("flash").hidden = true, true)`)
		brStep(t, page, "schedule", chromedp.Click(chromedp.CSS(`#m-form button[type=submit]`)))
		brWaitJS(t, page, 10*time.Second, "the answer", `!document.getElementById("flash").hidden`)
	}

	// Too soon: in an hour. The page shows the server's refusal.
	soon := time.Now().Add(time.Hour).Truncate(time.Minute)
	fill(soon, soon.Add(2*time.Hour), "Cambio urgente del enrutador", "Urgent router change")
	before := time.Now().Truncate(time.Second)
	submit()
	after := time.Now()
	msg := brEval[string](t, page, admFlash)
	browsertest.Screenshot(t, page, "maintenance-refused")
	m := regexp.MustCompile(`^flash error: Hay que avisar a los contactos con 16 horas hábiles de anticipación: el inicio más próximo permitido es (.+)\.$`).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("refusal shown: %q; want it in Spanish with the 16 business hours and the earliest start", msg)
	}
	iso := brEval[string](t, page, `document.getElementById("flash").dataset.earliest || ""`)
	earliest, err := time.Parse(time.RFC3339, iso)
	if err != nil {
		t.Fatalf("earliest start %q (data-earliest) of %q: %v", iso, msg, err)
	}
	if local := earliest.In(mx); !strings.Contains(m[1], local.Format("15:04:05")) || !strings.Contains(m[1], local.Format("2/1/06")) {
		t.Errorf("refusal %q: want the earliest start %v in Mexico City time", msg, local)
	}
	lo, hi := office.Add(before, 16*time.Hour), office.Add(after, 16*time.Hour)
	if earliest.Before(lo.Truncate(time.Second)) || earliest.After(hi) {
		t.Errorf("earliest start %v; 16 office hours from the submission is between %v and %v", earliest, lo, hi)
	}
	if ws, err := a.store().ListMaintenance(ctx, escalation.MaintenanceFilter{IncludeCancelled: true}); err != nil || len(ws) != 0 {
		t.Fatalf("windows in PostgreSQL after the refusal: %+v %v", ws, err)
	}

	// A week after the earliest start, at 22:00 Mexico City time, for four
	// hours: accepted.
	e := earliest.In(mx).AddDate(0, 0, 7)
	start := time.Date(e.Year(), e.Month(), e.Day(), 22, 0, 0, 0, mx)
	end := start.Add(4 * time.Hour)
	const summaryES, summaryEN = "Cambio del enrutador <b>central</b>", "Core router replacement"
	fill(start, end, summaryES, summaryEN)
	submit()
	if got := brEval[string](t, page, admFlash); got != "flash: Mantenimiento programado" {
		t.Fatalf("flash after scheduling: %q", got)
	}
	ws, err := a.store().ListMaintenance(ctx, escalation.MaintenanceFilter{IncludeCancelled: true})
	if err != nil || len(ws) != 1 {
		t.Fatalf("windows in PostgreSQL: %+v %v", ws, err)
	}
	w := ws[0]
	if !w.Start.Equal(start) || !w.End.Equal(end) || strings.Join(w.Services, ",") != "internet_failure,new_connection" ||
		strings.Join(w.Areas, ",") != "Toluca Centro,Metepec" || w.SummaryES != summaryES || w.SummaryEN != summaryEN ||
		w.CreatedBy != "supervisora" || w.Cancelled || w.NotifiedAt != nil {
		t.Errorf("the window in PostgreSQL: %+v; want %v to %v (22:00 to 02:00 in %s)", w, start, end, admZone)
	}
	row := fmt.Sprintf(`#m-rows tr[data-maintenance="%d"]`, w.ID)
	brWaitJS(t, page, 10*time.Second, "the window in the list", `document.querySelector('`+row+` .summary') !== null`)
	wantStart := brEval[string](t, page, fmt.Sprintf(`new Intl.DateTimeFormat("es", { dateStyle: "short", timeStyle: "medium" }).format(new Date(%q))`, start.Format(time.RFC3339)))
	if !strings.Contains(wantStart, "22:00:00") {
		t.Errorf("the start as the page would write it: %q, want 22:00:00 local", wantStart)
	}
	cells := brEval[[]string](t, page, `[...document.querySelectorAll('`+row+` td')].map((td) => td.textContent)`)
	if want := []string{strconv.FormatInt(w.ID, 10), wantStart, "", "Falla de conexión a Internet, Conexión nueva a Internet", "Toluca Centro, Metepec", summaryES, "Aviso pendiente", "Cancelar"}; len(cells) != len(want) ||
		cells[0] != want[0] || cells[1] != want[1] || cells[3] != want[3] || cells[4] != want[4] || cells[5] != want[5] || cells[6] != want[6] || cells[7] != want[7] {
		t.Errorf("the window's row: %q, want %q (end aside)", cells, want)
	}
	if n := brEval[int](t, page, `document.querySelectorAll("#m-rows b, #m-rows img").length`); n != 0 {
		t.Errorf("%d elements made from the summary's markup", n)
	}
	if got := brEval[string](t, page, `document.getElementById("m-form").elements.start.value + "|" + document.getElementById("m-form").elements.summary_es.value`); got != "|" {
		t.Errorf("the form after scheduling: %q, want it reset", got)
	}
	browsertest.Screenshot(t, page, "maintenance-scheduled")
	var listed maintenanceListJSON
	if code := sup.do("GET", "/api/v1/maintenance", nil, &listed); code != 200 || len(listed.Items) != 1 || listed.Items[0].ID != w.ID || listed.Items[0].Cancelled {
		t.Errorf("GET /api/v1/maintenance: %d %+v", code, listed)
	}

	// Cancelled from its row, after confirming.
	brStep(t, page, "cancel the window", chromedp.Click(chromedp.CSS(row+` button.cancel`)))
	brWaitJS(t, page, 5*time.Second, "the confirmation", `document.querySelector("dialog.ask[open]") !== null`)
	if got := brEval[string](t, page, `document.querySelector("dialog.ask[open] h3").textContent`); got != fmt.Sprintf("¿Cancelar el mantenimiento %d? El aviso no se enviará.", w.ID) {
		t.Errorf("confirmation: %q", got)
	}
	brStep(t, page, "confirm", chromedp.Click(chromedp.CSS(`dialog.ask button[type=submit]`)))
	brWaitJS(t, page, 10*time.Second, "the window cancelled", `document.querySelector('`+row+` .status').textContent === "Cancelado"`)
	if n := brEval[int](t, page, `document.querySelectorAll('`+row+` button.cancel').length`); n != 0 {
		t.Errorf("a cancelled window still offers %d cancel buttons", n)
	}
	browsertest.Screenshot(t, page, "maintenance-cancelled")
	got, err := a.store().Maintenance(ctx, w.ID)
	if err != nil || !got.Cancelled || got.CancelledBy != "supervisora" || got.CancelledAt == nil {
		t.Errorf("the window in PostgreSQL after cancelling: %+v %v", got, err)
	}
	listed = maintenanceListJSON{}
	if code := sup.do("GET", "/api/v1/maintenance", nil, &listed); code != 200 || len(listed.Items) != 0 {
		t.Errorf("GET /api/v1/maintenance (cancelled left out): %d %+v", code, listed)
	}
	if code := sup.do("GET", "/api/v1/maintenance?cancelled=true", nil, &listed); code != 200 || len(listed.Items) != 1 || !listed.Items[0].Cancelled {
		t.Errorf("GET /api/v1/maintenance?cancelled=true: %d %+v", code, listed)
	}
	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("JavaScript dialogs opened: %v", d)
	}
	// Expected besides: the refusal of the first window (422).
	if errs := console.unexpected(admFavicon, "422 /api/v1/maintenance"); len(errs) != 0 {
		t.Errorf("console errors: %v", errs)
	}
}

type maintenanceListJSON struct {
	Items []escalation.Maintenance `json:"items"`
}

// admClock is the clock of the store that writes the report's fixture.
type admClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *admClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *admClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// repTicket is one ticket of the report's fixture; zero times are steps
// that did not happen.
type repTicket struct {
	kind                      tickets.Kind
	service, phone            string
	created, response, solved time.Time
	closed                    bool
	responseDue, solutionDue  time.Time
}

// repLoad writes the fixture through the PostgreSQL store with its clock
// moved to each instant, so that the store stamps created_at,
// first_response_at and resolved_at itself, and returns the numbers.
func repLoad(t *testing.T, dbURL string, fx []repTicket) []string {
	t.Helper()
	ctx := context.Background()
	clock := &admClock{}
	db, err := postgres.Open(ctx, dbURL, postgres.Options{MaxConns: 2, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	move := func(number string, at time.Time, to tickets.State) {
		t.Helper()
		clock.set(at)
		if _, err := db.Transition(ctx, number, to, tickets.Change{Actor: "beto", Reason: "hecho: " + string(to)}); err != nil {
			t.Fatalf("ticket %s to %s: %v", number, to, err)
		}
	}
	var numbers []string
	for _, f := range fx {
		clock.set(f.created)
		tk := &tickets.Ticket{Kind: f.kind, Service: f.service, Impact: tickets.Medium, Urgency: tickets.Medium,
			Priority: tickets.P3, Level: 1, Channel: tickets.Phone, Subject: "Falla reportada por teléfono",
			Caller:      tickets.Caller{Name: "Usuario de prueba", Phone: f.phone},
			ResponseDue: opt(f.responseDue), ResolutionDue: opt(f.solutionDue)}
		if err := db.CreateTicket(ctx, tk, "ana"); err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, tk.Number)
		switch {
		case !f.response.IsZero():
			move(tk.Number, f.response, tickets.InProgress)
		case !f.solved.IsZero():
			move(tk.Number, f.solved, tickets.InProgress)
		}
		if !f.solved.IsZero() {
			move(tk.Number, f.solved, tickets.Resolved)
		}
		if f.closed {
			move(tk.Number, f.solved.Add(time.Hour), tickets.Closed)
		}
	}
	return numbers
}

// The page's number formats (js/report.js), for comparing every cell with
// the API's figures.
const repDash = "—"

func repHM(sec *float64) string {
	if sec == nil {
		return repDash
	}
	m := int64(math.Round(math.Abs(*sec) / 60))
	s := fmt.Sprintf("%dh %02dm", m/60, m%60)
	if *sec < 0 {
		s = "-" + s
	}
	return s
}

func repSignedHM(sec *float64) string {
	if sec != nil && *sec > 0 {
		return "+" + repHM(sec)
	}
	return repHM(sec)
}

func repSignedInt(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// repDec1 writes v with one decimal, rounding half away from zero as Intl
// does, with the language's decimal separator.
func repDec1(lang string, v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	if lang == "es" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s
}

func repSLA(lang string, s tickets.SLAFigure) string {
	if s.Percent == nil {
		return repDash
	}
	return fmt.Sprintf("%s %% (%d/%d)", repDec1(lang, *s.Percent), s.Met, s.Total)
}

func repPoints(lang string, p *float64) string {
	if p == nil {
		return repDash
	}
	s := repDec1(lang, *p)
	if math.Round(*p*10) > 0 {
		s = "+" + s
	}
	return s + " pts"
}

// repCells is what the page should show in a row of the table, by column:
// "this week | the week before | the difference".
func repCells(lang string, g tickets.ReportGroup) map[string]string {
	w, p, d := g.Week, g.Previous, g.Delta
	j := func(a, b, c string) string { return a + " | " + b + " | " + c }
	return map[string]string{
		"opened":   j(strconv.Itoa(w.Opened), strconv.Itoa(p.Opened), repSignedInt(d.Opened)),
		"resolved": j(strconv.Itoa(w.Resolved), strconv.Itoa(p.Resolved), repSignedInt(d.Resolved)),
		"mean":     j(repHM(w.MeanResolution), repHM(p.MeanResolution), repSignedHM(d.MeanResolution)),
		"p90":      j(repHM(w.P90Resolution), repHM(p.P90Resolution), repSignedHM(d.P90Resolution)),
		"rsla":     j(repSLA(lang, w.ResolutionSLA), repSLA(lang, p.ResolutionSLA), repPoints(lang, d.ResolutionSLA)),
		"fsla":     j(repSLA(lang, w.ResponseSLA), repSLA(lang, p.ResponseSLA), repPoints(lang, d.ResponseSLA)),
		"repeated": j(strconv.Itoa(w.Repeated), strconv.Itoa(p.Repeated), repSignedInt(d.Repeated)),
	}
}

// repRow is one row of the page's table.
type repRow struct {
	Class   string            `json:"class"`
	Service string            `json:"service"`
	Kind    string            `json:"kind"`
	Cells   map[string]string `json:"cells"`
}

const repRowsJS = `[...document.querySelectorAll("#rep-rows tr")].map((tr) => ({
  class: tr.className, service: tr.dataset.service, kind: tr.dataset.kind,
  cells: Object.fromEntries([...tr.querySelectorAll("td[data-col]")].map((td) => [td.dataset.col, [...td.children].map((n) => n.textContent).join(" | ")])),
}))`

// repCompare checks every row of the page's table, in order, against the
// report the API gives, and the totals tiles and the charts too.
func repCompare(t *testing.T, page context.Context, lang string, r *tickets.WeeklyReport) {
	t.Helper()
	var want []repRow
	add := func(cls string, g tickets.ReportGroup) {
		want = append(want, repRow{Class: cls, Service: g.Service, Kind: string(g.Kind), Cells: repCells(lang, g)})
	}
	for _, s := range r.ByService {
		add("subtotal service", s)
		for _, g := range r.Groups {
			if g.Service == s.Service {
				add("group", g)
			}
		}
	}
	for _, k := range r.ByKind {
		add("subtotal kind", k)
	}
	add("total", r.Total)
	got := brEval[[]repRow](t, page, repRowsJS)
	if len(got) != len(want) {
		t.Errorf("%s: %d rows in the page, %d from the API:\n got %+v\nwant %+v", r.Week, len(got), len(want), got, want)
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Class != w.Class || g.Service != w.Service || g.Kind != w.Kind {
			t.Errorf("%s row %d: %s %q/%q, want %s %q/%q", r.Week, i, g.Class, g.Service, g.Kind, w.Class, w.Service, w.Kind)
			continue
		}
		for col, wv := range w.Cells {
			if g.Cells[col] != wv {
				t.Errorf("%s %s/%s %s: page %q, API %q", r.Week, w.Service, w.Kind, col, g.Cells[col], wv)
			}
		}
	}
	tiles := brEval[map[string]string](t, page, `Object.fromEntries([...document.querySelectorAll("#totals .tile")].map((n) => [n.dataset.col, n.querySelector(".tile-value").textContent]))`)
	for col, cell := range repCells(lang, r.Total) {
		if cur, _, _ := strings.Cut(cell, " | "); tiles[col] != cur {
			t.Errorf("%s total tile %s: page %q, API %q", r.Week, col, tiles[col], cur)
		}
	}
	var bars, wantBars []string
	bars = brEval[[]string](t, page, `[...document.querySelectorAll("#chart-volume g.bar-group, #chart-times g.bar-group")].map((g) =>
		g.closest(".rep-chart").id + ":" + g.dataset.service + ":" + [...g.querySelectorAll("rect")].map((r) => r.dataset.series + "=" + r.dataset.value).join(","))`)
	hours := func(s *float64) string { return strconv.FormatFloat(*s/3600, 'f', -1, 64) }
	for _, s := range r.ByService {
		wantBars = append(wantBars, fmt.Sprintf("chart-volume:%s:opened=%d,resolved=%d", s.Service, s.Week.Opened, s.Week.Resolved))
	}
	for _, s := range r.ByService {
		var rs []string
		if s.Week.MeanResolution != nil {
			rs = append(rs, "mean="+hours(s.Week.MeanResolution))
		}
		if s.Week.P90Resolution != nil {
			rs = append(rs, "p90="+hours(s.Week.P90Resolution))
		}
		wantBars = append(wantBars, fmt.Sprintf("chart-times:%s:%s", s.Service, strings.Join(rs, ",")))
	}
	if strings.Join(bars, "\n") != strings.Join(wantBars, "\n") {
		t.Errorf("%s charts:\n%s\nwant\n%s", r.Week, strings.Join(bars, "\n"), strings.Join(wantBars, "\n"))
	}
}

// repAPI reads the report of week through the API.
func repAPI(t *testing.T, c *apiClient, week string) *tickets.WeeklyReport {
	t.Helper()
	var r tickets.WeeklyReport
	if code := c.do("GET", "/api/v1/reports/weekly?week="+week, nil, &r); code != 200 {
		t.Fatalf("GET /api/v1/reports/weekly?week=%s: %d", week, code)
	}
	return &r
}

// TestReportPage: tickets of two past weeks are written to the database;
// the supervisor's weekly report page shows the figures the API computes
// (every cell) and the ones computed by hand here, downloads the CSV, moves
// between weeks and speaks English. An agent is kept out.
func TestReportPage(t *testing.T) {
	start := time.Now()
	mx, err := time.LoadLocation(tickets.DefaultReportZone)
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	browser := browsertest.Browser(t)
	a := startAtiende(t, harnessOptions{})
	t.Logf("atiende at %s, browser up: %v", a.Base, time.Since(start).Round(time.Millisecond))

	// The week two weeks back (W) and the one before it (P): both over,
	// and nothing of the demo data (created now) falls in them.
	week := tickets.WeekOf(time.Now(), mx).Prev().Prev()
	prev := week.Prev()
	day := func(w tickets.ISOWeek, d, h, m int) time.Time {
		s := w.Start(mx)
		return time.Date(s.Year(), s.Month(), s.Day()+d, h, m, 0, 0, mx)
	}
	const phone, other, third = "+525512345678", "+525598765432", "+525511112222"
	inc, chg := tickets.Incident, tickets.ChangeRequest
	fx := []repTicket{
		// W, Monday: an internet fault resolved in 2 h, both SLAs met.
		{inc, "internet_failure", phone, day(week, 0, 9, 0), day(week, 0, 9, 15), day(week, 0, 11, 0), true, day(week, 0, 9, 30), day(week, 0, 17, 0)},
		// W, Tuesday: the same phone again; answered late, resolved a day
		// later (24 h), both SLAs missed.
		{inc, "internet_failure", phone, day(week, 1, 10, 0), day(week, 1, 11, 0), day(week, 2, 10, 0), false, day(week, 1, 10, 30), day(week, 1, 18, 0)},
		// W, Thursday: another phone, answered in time, still open.
		{inc, "internet_failure", other, day(week, 3, 9, 0), day(week, 3, 9, 10), time.Time{}, false, day(week, 3, 9, 30), day(week, 3, 17, 0)},
		// W, Wednesday: an email account, done in 1 h, no due times.
		{chg, "email_account", "", day(week, 2, 12, 0), time.Time{}, day(week, 2, 13, 0), true, time.Time{}, time.Time{}},
		// P, Monday: an internet fault resolved in 4 h, both SLAs met.
		{inc, "internet_failure", third, day(prev, 0, 10, 0), day(prev, 0, 10, 10), day(prev, 0, 14, 0), true, day(prev, 0, 10, 30), day(prev, 0, 18, 0)},
		// P, Friday: an email account, done in 2 h.
		{chg, "email_account", "", day(prev, 4, 9, 0), time.Time{}, day(prev, 4, 11, 0), true, time.Time{}, time.Time{}},
	}
	n := repLoad(t, a.DBURL, fx)

	sup := a.login(t, "supervisora", brPassword)
	r := repAPI(t, sup, week.String())
	rp := repAPI(t, sup, prev.String())

	// By hand. W: opened 4; resolved 3 (2 h, 24 h, 1 h): mean 9 h, p90
	// 2 + 0.8 * 22 = 19.6 h; resolution SLA 1 of 2; first response 2 of 3
	// (the email account has no due time); 2 repeated (the same phone
	// twice). P: opened 2, resolved 2 (4 h, 2 h): mean 3 h, p90 3.8 h, both
	// SLAs 1 of 1, nothing repeated.
	tot := r.Total
	f := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	if tot.Week.Opened != 4 || tot.Week.Resolved != 3 || f(tot.Week.MeanResolution) != 9*3600 || f(tot.Week.P90Resolution) != 19.6*3600 ||
		tot.Week.ResolutionSLA.Met != 1 || tot.Week.ResolutionSLA.Total != 2 || tot.Week.ResponseSLA.Met != 2 || tot.Week.ResponseSLA.Total != 3 ||
		tot.Week.Repeated != 2 || tot.Previous.Opened != 2 || tot.Previous.Resolved != 2 || f(tot.Previous.MeanResolution) != 3*3600 ||
		math.Abs(f(tot.Previous.P90Resolution)-3.8*3600) > 1e-6 || tot.Previous.Repeated != 0 {
		b, _ := json.Marshal(tot)
		t.Errorf("API total of %s: %s", week, b)
	}
	if len(r.Repeated) != 1 || r.Repeated[0].Value != phone || strings.Join(r.Repeated[0].Tickets, ",") != n[0]+","+n[1] {
		t.Errorf("API repeated faults of %s: %+v", week, r.Repeated)
	}
	if !reflect.DeepEqual(rp.Total.Week, tot.Previous) {
		t.Errorf("%s on its own %+v, as the week before %s %+v", prev, rp.Total.Week, week, tot.Previous)
	}

	// The supervisor opens the report from the navigation (the current
	// week, to date: on day one the last complete week is empty), goes to
	// the previous week with one click, and asks for W with the form.
	page := browsertest.Incognito(t, browser)
	dialogs := browsertest.WatchDialogs(page)
	console := admWatchConsole(page)
	admFormLogin(t, page, a.Base, "supervisora", brPassword, "/wallboard.html")
	if got := brEval[string](t, page, `document.querySelector('#top nav a[href="/report.html"]').textContent`); got != "Reporte semanal" {
		t.Errorf("the report's link in the navigation: %q", got)
	}
	current := tickets.WeekOf(time.Now(), mx)
	admOpen(t, page, console, a.Base, "/report.html", "the report of the current week",
		`document.body.dataset.week === "`+current.String()+`" && location.search === ""`)
	if !brEval[bool](t, page, `document.body.dataset.current === "true" && document.getElementById("next-week").disabled && document.getElementById("period").textContent.startsWith("Semana en curso")`) {
		t.Errorf("the current week is not shown as to date: period %q", brEval[string](t, page, `document.getElementById("period").textContent`))
	}
	last := current.Prev().String()
	brStep(t, page, "the previous week", chromedp.Click(chromedp.ID("prev-week")))
	brWaitJS(t, page, 15*time.Second, "the report of the last complete week "+last,
		`document.body.dataset.week === "`+last+`" && document.body.dataset.current === "" && !document.getElementById("next-week").disabled`)
	brStep(t, page, "ask for "+week.String(),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById("week").value = %q`, week.String())),
		chromedp.Click(chromedp.CSS(`#week-form button[type=submit]`)))
	brWaitJS(t, page, 15*time.Second, "the report of "+week.String(),
		`document.body.dataset.week === "`+week.String()+`" && location.search === "?week=`+week.String()+`"`)
	repCompare(t, page, "es", r)
	cell := func(svc, kind, col string) string {
		return brEval[string](t, page, `(() => { const td = document.querySelector('#rep-rows tr[data-service="`+svc+`"][data-kind="`+kind+`"] td[data-col="`+col+`"]');
			return td ? [...td.children].map((n) => n.textContent).join(" | ") : "missing"; })()`)
	}
	for _, c := range []struct{ svc, kind, col, want string }{
		{"", "", "opened", "4 | 2 | +2"},
		{"", "", "resolved", "3 | 2 | +1"},
		{"", "", "mean", "9h 00m | 3h 00m | +6h 00m"},
		{"", "", "p90", "19h 36m | 3h 48m | +15h 48m"},
		{"", "", "rsla", "50,0 % (1/2) | 100,0 % (1/1) | -50,0 pts"},
		{"", "", "fsla", "66,7 % (2/3) | 100,0 % (1/1) | -33,3 pts"},
		{"", "", "repeated", "2 | 0 | +2"},
		{"internet_failure", "", "mean", "13h 00m | 4h 00m | +9h 00m"},
		{"email_account", "change_request", "mean", "1h 00m | 2h 00m | -1h 00m"},
		{"email_account", "change_request", "rsla", "— | — | —"},
	} {
		if got := cell(c.svc, c.kind, c.col); got != c.want {
			t.Errorf("by hand, %s/%s %s: page %q, want %q", c.svc, c.kind, c.col, got, c.want)
		}
	}
	for js, want := range map[string]string{
		`document.querySelector('#rep-rows tr[data-service="internet_failure"][data-kind=""] .svc').textContent`:             "Falla de conexión a Internet",
		`document.querySelector('#rep-rows tr[data-service="email_account"][data-kind="change_request"] .kind').textContent`: "Solicitud de cambio",
		`document.querySelector('#repeat-rows tr[data-by="phone"] .value').textContent`:                                      phone,
		`document.querySelector('#repeat-rows tr[data-by="phone"] .tickets').textContent`:                                    n[0] + ", " + n[1],
		`document.querySelector('#repeat-rows tr[data-by="phone"] td.num').textContent`:                                      "2",
		`document.getElementById("week").value`:                                                                              week.String(),
		`String(document.getElementById("empty").hidden)`:                                                                    "true",
		`new URL(document.getElementById("dl-csv").href).search`:                                                             "?week=" + week.String() + "&lang=es",
	} {
		if got := brEval[string](t, page, js); got != want {
			t.Errorf("%s = %q, want %q", js, got, want)
		}
	}
	if p := brEval[string](t, page, `document.getElementById("period").textContent`); !strings.Contains(p, prev.String()) || !strings.Contains(p, tickets.DefaultReportZone) {
		t.Errorf("period %q: want the zone and the week before (%s)", p, prev)
	}
	browsertest.Screenshot(t, page, "weekly-report")

	// The CSV link, fetched as the page would download it.
	type fetched struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Body        string `json:"body"`
	}
	fetchCSV := func() ([][]string, fetched) {
		t.Helper()
		res := brEval[fetched](t, page, `fetch(document.getElementById("dl-csv").href).then(async (r) => ({
			status: r.status, type: r.headers.get("content-type") || "", disposition: r.headers.get("content-disposition") || "", body: await r.text() }))`)
		if res.Status != 200 || !strings.HasPrefix(res.Type, "text/csv") {
			t.Fatalf("CSV download: %d %q %q", res.Status, res.Type, res.Body)
		}
		recs, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v\n%s", err, res.Body)
		}
		return recs, res
	}
	recs, res := fetchCSV()
	if !strings.Contains(res.Disposition, "atiende-weekly-"+week.String()+".csv") ||
		brEval[string](t, page, `document.getElementById("dl-csv").getAttribute("download")`) != "atiende-weekly-"+week.String()+".csv" {
		t.Errorf("CSV file name: header %q, link %q", res.Disposition, brEval[string](t, page, `document.getElementById("dl-csv").getAttribute("download")`))
	}
	totalRow := func(recs [][]string, all string) []string {
		for _, rec := range recs {
			if len(rec) > 2 && rec[1] == all && rec[2] == all {
				return rec
			}
		}
		return nil
	}
	if h := strings.Join(recs[0][:4], ","); h != "semana,servicio,categoria,abiertos" {
		t.Errorf("CSV header in Spanish: %q", h)
	}
	wantTotal := week.String() + ",todos,todos,4,3,9.00,19.60,50.00,66.67,2,2,2,3.00,3.80,100.00,100.00,0,2,1,6.00,15.80,-50.00,-33.33,2"
	if got := strings.Join(totalRow(recs, "todos"), ","); got != wantTotal {
		t.Errorf("CSV total row:\n %s\nwant\n %s", got, wantTotal)
	}
	if len(recs) != 1+len(r.Groups)+len(r.ByService)+len(r.ByKind)+1 {
		t.Errorf("CSV: %d records for %d groups, %d services, %d kinds and the total", len(recs), len(r.Groups), len(r.ByService), len(r.ByKind))
	}

	// The week before, with the arrow.
	brStep(t, page, "previous week", chromedp.Click(chromedp.ID("prev-week")))
	brWaitJS(t, page, 15*time.Second, "the report of "+prev.String(), `document.body.dataset.week === "`+prev.String()+`" && location.search === "?week=`+prev.String()+`"`)
	repCompare(t, page, "es", rp)
	browsertest.Screenshot(t, page, "weekly-report-previous")

	// English: the toggle reloads the page on the same week.
	brStep(t, page, "switch to English", chromedp.Click(chromedp.CSS(`#top button[data-i18n="nav.lang"]`)))
	brWaitJS(t, page, 15*time.Second, "the English page", `document.body.dataset.week === "`+prev.String()+`" && document.querySelector("h1").textContent === "Weekly fault report"`)
	brStep(t, page, "next week", chromedp.Click(chromedp.ID("next-week")))
	brWaitJS(t, page, 15*time.Second, "back to "+week.String(), `document.body.dataset.week === "`+week.String()+`"`)
	repCompare(t, page, "en", r)
	for js, want := range map[string]string{
		`document.querySelector('#rep-rows').closest("table").querySelector('th[data-i18n="rep.opened"]').textContent`:       "Opened",
		`document.querySelector('#totals .tile[data-col="rsla"] .tile-label').textContent`:                                   "Resolution SLA",
		`document.querySelector('#rep-rows tr[data-service="internet_failure"][data-kind=""] .svc').textContent`:             "Internet connection failure",
		`document.querySelector('#rep-rows tr[data-service="email_account"][data-kind="change_request"] .kind').textContent`: "Change request",
		`document.querySelector('#rep-rows tr.total .svc').textContent`:                                                      "All",
		`document.querySelector('#repeat-rows tr[data-by="phone"] td').textContent`:                                          "Phone",
		`document.querySelector('#dl-csv').textContent`:                                                                      "Download CSV",
		`new URL(document.getElementById("dl-csv").href).search`:                                                             "?week=" + week.String() + "&lang=en",
	} {
		if got := brEval[string](t, page, js); got != want {
			t.Errorf("in English, %s = %q, want %q", js, got, want)
		}
	}
	if got := cell("", "", "rsla"); got != "50.0 % (1/2) | 100.0 % (1/1) | -50.0 pts" {
		t.Errorf("total resolution SLA in English: %q", got)
	}
	recs, _ = fetchCSV()
	if h := strings.Join(recs[0][:4], ","); h != "week,service,kind,opened" {
		t.Errorf("CSV header in English: %q", h)
	}
	if got := strings.Join(totalRow(recs, "all"), ","); got != strings.ReplaceAll(wantTotal, "todos", "all") {
		t.Errorf("English CSV total row: %s", got)
	}
	browsertest.Screenshot(t, page, "weekly-report-en")
	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("JavaScript dialogs opened: %v", d)
	}
	if errs := console.unexpected(admFavicon); len(errs) != 0 {
		t.Errorf("console errors: %v", errs)
	}

	// An agent: sent back to her console, refused by the API.
	ag := browsertest.Incognito(t, browser)
	admFormLogin(t, ag, a.Base, "ana", brPassword, "/agent.html")
	brStep(t, ag, "open the report as ana", chromedp.Navigate(a.Base+"/report.html?week="+week.String()))
	brWaitJS(t, ag, 15*time.Second, "ana sent back to her console", `location.pathname === "/agent.html"`)
	if n := brEval[int](t, ag, `document.querySelectorAll("#rep-rows tr").length`); n != 0 {
		t.Errorf("%d report rows on ana's page", n)
	}
	ana := a.login(t, "ana", brPassword)
	for _, p := range []string{"/api/v1/reports/weekly?week=" + week.String(), "/api/v1/reports/weekly.csv?week=" + week.String()} {
		if code := ana.do("GET", p, nil, nil); code != http.StatusForbidden {
			t.Errorf("GET %s as ana: %d, want 403", p, code)
		}
	}
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}
