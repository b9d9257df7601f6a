package main

// The service catalog edited from the admin page, against a real running
// Atiende (Main serve, PostgreSQL, demo data) and Debian's Chromium: the
// admin changes a checklist step and adds a service in a new group; agents
// see the change at once through the API, the new group is a live ACD
// queue, tickets open on the new service, and all of it survives a restart
// on the same database.

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/tickets"
	"github.com/chromedp/chromedp"
)

const catWait = 20 * time.Second

// The edit the admin makes: step 2 of internet_failure, and a new service.
const (
	catStepES  = "Verificación física del cable y del módem."
	catStepEN  = "Check the cable and the modem."
	catNewCode = "printer_failure"
	catNewQ    = "printers"
)

// catLogin logs user in through the login form and waits for the page the
// role lands on, with its header drawn.
func catLogin(t testing.TB, ctx context.Context, base, user, password, page string) {
	t.Helper()
	formLoginWithin(t, ctx, catWait, base, user, password, page)
}

// catCatalog is GET /api/v1/catalog.
type catCatalog struct {
	Version  int               `json:"version"`
	EditedBy string            `json:"edited_by"`
	Services []tickets.Service `json:"services"`
}

func (c catCatalog) service(code string) (tickets.Service, bool) {
	for _, s := range c.Services {
		if s.Code == code {
			return s, true
		}
	}
	return tickets.Service{}, false
}

// catCheckEdited checks, as an agent sees it through the API, that the
// catalog in force is the admin's version (2 or later) with the checklist
// step and the new service, and that a ticket opens on the new service and
// goes to its queue.
func catCheckEdited(t *testing.T, a *atiende, version int, when string) {
	t.Helper()
	ana := a.login(t, "ana", brPassword)
	var cat catCatalog
	if code := ana.do("GET", "/api/v1/catalog", nil, &cat); code != 200 {
		t.Fatalf("%s: GET catalog: %d", when, code)
	}
	if cat.Version != version || cat.EditedBy != "admin" {
		t.Errorf("%s: catalog version %d by %q, want %d by admin", when, cat.Version, cat.EditedBy, version)
	}
	inet, _ := cat.service("internet_failure")
	if es, en := inet.Checklist["es"], inet.Checklist["en"]; len(es) != 5 || len(en) != 5 || es[1] != catStepES || en[1] != catStepEN || es[2] != "Verificación lógica del servicio." {
		t.Errorf("%s: internet_failure checklist es %q en %q", when, es, en)
	}
	p, ok := cat.service(catNewCode)
	if !ok || p.Group != catNewQ || p.Name["en"] != "Printer failure" || p.DefaultKind != tickets.Incident || p.Level != 1 ||
		len(p.Checklist["es"]) != 2 || p.Checklist["en"][1] != "Replace the toner." {
		t.Errorf("%s: the new service: %+v (found %v)", when, p, ok)
	}
	var tk tickets.Ticket
	body := map[string]any{"service": catNewCode, "subject": "La impresora del piso 2 no imprime", "description": "Atasco de papel",
		"caller": map[string]any{"name": "Lucía Torres", "phone": "+52 55 5123 4567"}}
	if code := ana.do("POST", "/api/v1/tickets", body, &tk); code != 201 {
		t.Fatalf("%s: ticket on %s: %d", when, catNewCode, code)
	}
	if tk.Service != catNewCode || tk.Queue != catNewQ || tk.Kind != tickets.Incident || tk.Number == "" {
		t.Errorf("%s: ticket %s: service %q queue %q kind %q", when, tk.Number, tk.Service, tk.Queue, tk.Kind)
	}
	if got := a.ticket(t, tk.Number); got.Service != catNewCode || got.Queue != catNewQ {
		t.Errorf("%s: stored ticket: service %q queue %q", when, got.Service, got.Queue)
	}
}

// catMetrics returns /metrics.
func catMetrics(t *testing.T, a *atiende) string {
	t.Helper()
	resp, err := http.Get(a.Base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	return string(b)
}

// catCreated returns the atiende_tickets_created_total samples of the new
// service: under its own label, or "other" for a service the metrics did
// not know at start.
func catCreated(metrics string) []string {
	var out []string
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "atiende_tickets_created_total{") &&
			(strings.Contains(line, `service="`+catNewCode+`"`) || strings.Contains(line, `service="other"`)) && !strings.HasSuffix(line, " 0") {
			out = append(out, line)
		}
	}
	return out
}

func TestCatalogBrowser(t *testing.T) {
	ctx := browsertest.Browser(t)
	a := startAtiende(t, harnessOptions{})
	if _, ok := a.findLog("catalog: catalog_file/default (version 0)"); !ok {
		t.Error("the first start does not log that the seed catalog is in force")
	}
	dialogs := browsertest.WatchDialogs(ctx)
	console := browsertest.WatchConsole(ctx)
	seed := tickets.DefaultCatalog()
	inet, _ := seed.Service("internet_failure")

	catLogin(t, ctx, a.Base, "admin", adminPassword, "/wallboard.html")
	brStep(t, ctx, "open the catalog tab", chromedp.Navigate(a.Base+"/admin.html#catalog"))
	brWaitJS(t, ctx, catWait, "the catalog, editable, at version 0",
		`!document.getElementById("panel-catalog").hidden && document.querySelector('#catalog-rows tr[data-service="internet_failure"] button.edit') !== null`+
			` && document.getElementById("catalog-version").textContent.startsWith("Versión 0") && !document.getElementById("catalog-history-box").hidden`)

	if missing := brEval[[]string](t, ctx, `import("/js/i18n.js").then(m => m.missingKeys())`); len(missing) != 0 {
		t.Errorf("i18n keys missing on the admin page: %v", missing)
	}

	// (1) A checklist step of internet_failure, in both languages.
	es := append([]string{}, inet.Checklist["es"]...)
	en := append([]string{}, inet.Checklist["en"]...)
	es[1], en[1] = catStepES, catStepEN
	brStep(t, ctx, "edit internet_failure", chromedp.Click(chromedp.CSS(`#catalog-rows tr[data-service="internet_failure"] button.edit`)))
	brWaitJS(t, ctx, catWait, "the form on internet_failure",
		`!document.getElementById("catalog-form").hidden && document.querySelector('#catalog-form [name=code]').value === "internet_failure" && document.querySelector('#catalog-form [name=code]').readOnly`)
	if got := brEval[string](t, ctx, `document.querySelector('#catalog-form [name=checklist_es]').value`); got != strings.Join(inet.Checklist["es"], "\n") {
		t.Errorf("the form's es checklist: %q", got)
	}
	brStep(t, ctx, "change step 2",
		chromedp.SetValue(chromedp.CSS(`#catalog-form textarea[name=checklist_es]`), strings.Join(es, "\n")),
		chromedp.SetValue(chromedp.CSS(`#catalog-form textarea[name=checklist_en]`), strings.Join(en, "\n")),
		chromedp.SendKeys(chromedp.CSS(`#catalog-form input[name=comment]`), "El paso 2 nombra el cable y el módem"))
	browsertest.Screenshot(t, ctx, "catalog-edit-form")
	brStep(t, ctx, "save", chromedp.Click(chromedp.ID("catalog-save")))
	brWaitJS(t, ctx, catWait, "saved as version 1",
		`document.getElementById("flash").textContent === "Servicio internet_failure guardado: versión 1 del catálogo"`+
			` && document.getElementById("catalog-form").hidden`+
			` && document.querySelectorAll('#catalog-rows tr[data-service="internet_failure"] .checklist li')[1].textContent === "`+catStepES+`"`)

	// (2) A service in a new group.
	brStep(t, ctx, "new service", chromedp.Click(chromedp.ID("catalog-new")))
	brWaitJS(t, ctx, catWait, "an empty form", `!document.getElementById("catalog-form").hidden && document.querySelector('#catalog-form [name=code]').value === "" && !document.querySelector('#catalog-form [name=code]').readOnly`)
	if n := brEval[int](t, ctx, `document.querySelectorAll('#catalog-groups option[value="network"]').length`); n != 1 {
		t.Errorf("the groups datalist suggests network %d times", n)
	}
	brStep(t, ctx, "fill the new service",
		chromedp.SendKeys(chromedp.CSS(`#catalog-form input[name=code]`), catNewCode),
		chromedp.SendKeys(chromedp.CSS(`#catalog-form input[name=group]`), catNewQ),
		chromedp.SendKeys(chromedp.CSS(`#catalog-form input[name=name_es]`), "Falla de impresora"),
		chromedp.SendKeys(chromedp.CSS(`#catalog-form input[name=name_en]`), "Printer failure"),
		chromedp.SetValue(chromedp.CSS(`#catalog-form select[name=default_kind]`), "incident"),
		chromedp.SetValue(chromedp.CSS(`#catalog-form select[name=level]`), "1"),
		chromedp.SetValue(chromedp.CSS(`#catalog-form textarea[name=checklist_es]`), "Revisar el atasco de papel.\n\nCambiar el tóner.\n"),
		chromedp.SetValue(chromedp.CSS(`#catalog-form textarea[name=checklist_en]`), "Check for a paper jam.\nReplace the toner."),
		chromedp.SendKeys(chromedp.CSS(`#catalog-form input[name=keywords]`), "impresora, tóner, printer"))
	brStep(t, ctx, "save the new service", chromedp.Click(chromedp.ID("catalog-save")))
	brWaitJS(t, ctx, catWait, "the new service in its group, version 2",
		`document.getElementById("flash").textContent === "Servicio `+catNewCode+` agregado: versión 2 del catálogo"`+
			` && document.querySelector('#catalog-rows tr[data-service="`+catNewCode+`"] .queue').textContent === "`+catNewQ+`"`+
			` && document.getElementById("catalog-version").textContent.startsWith("Versión 2: admin")`+
			` && document.querySelector('#catalog-history tr[data-version="2"] .changed').textContent === "`+catNewCode+`"`+
			` && document.querySelector('#catalog-history tr[data-version="1"] .comment').textContent === "El paso 2 nombra el cable y el módem"`)
	// The maintenance form, told through ctx.catalogChanged, lists it.
	if n := brEval[int](t, ctx, `document.querySelectorAll('#m-form select[name=services] option[value="`+catNewCode+`"]').length`); n != 1 {
		t.Errorf("the maintenance form lists the new service %d times", n)
	}
	browsertest.Screenshot(t, ctx, "catalog-edited")

	// (3) A bad edit is refused with the service and the field named, and
	// changes nothing.
	brStep(t, ctx, "edit the new service", chromedp.Click(chromedp.CSS(`#catalog-rows tr[data-service="`+catNewCode+`"] button.edit`)))
	brWaitJS(t, ctx, catWait, "its form", `document.querySelector('#catalog-form [name=code]').value === "`+catNewCode+`"`)
	brStep(t, ctx, "one English step too few",
		chromedp.SetValue(chromedp.CSS(`#catalog-form textarea[name=checklist_en]`), "Check for a paper jam."),
		chromedp.Click(chromedp.ID("catalog-save")))
	brWaitJS(t, ctx, catWait, "the refusal",
		`document.getElementById("flash").classList.contains("error") && document.getElementById("flash").textContent.includes('service "`+catNewCode+`": field checklist')`)
	brStep(t, ctx, "cancel", chromedp.Click(chromedp.ID("catalog-cancel")))

	// (4) What agents see, through the API; a ticket on the new service.
	catCheckEdited(t, a, 2, "after the edit")
	adm := a.login(t, "admin", adminPassword)
	var hist struct {
		Current int                      `json:"current"`
		Items   []tickets.CatalogVersion `json:"items"`
	}
	if code := adm.do("GET", "/api/v1/catalog/versions", nil, &hist); code != 200 || hist.Current != 2 || len(hist.Items) != 2 ||
		hist.Items[0].EditedBy != "admin" || hist.Items[1].Comment != "El paso 2 nombra el cable y el módem" {
		t.Errorf("history: %d %+v", code, hist)
	}
	// A stale edit is a 409.
	inet.Level = 2
	if code := adm.do("PUT", "/api/v1/catalog/services/internet_failure", map[string]any{"version": 1, "service": inet}, nil); code != 409 {
		t.Errorf("an edit of version 1 after version 2: %d, want 409", code)
	}

	// (5) The new group is a live queue: the ACD runs it (wallboard) and
	// said so in the log.
	if _, ok := a.waitLog(catWait, "new support group, new queue", catNewQ); !ok {
		t.Error("no log of the new queue")
	}
	brStep(t, ctx, "open the wallboard", chromedp.Navigate(a.Base+"/wallboard.html"))
	brWaitJS(t, ctx, catWait, "the printers queue on the wallboard", `document.querySelector('#queue-rows tr[data-queue="`+catNewQ+`"]') !== null`)
	browsertest.Screenshot(t, ctx, "catalog-new-queue")
	// Metrics take the ticket on a service they did not know at start
	// (counted under its own label or "other"; never a failed scrape).
	if created := catCreated(catMetrics(t, a)); len(created) == 0 {
		t.Errorf("/metrics does not count the ticket on %s", catNewCode)
	} else {
		t.Logf("tickets created, as /metrics counts them: %q", created)
	}

	// (6) payroll marked inactive: shown as such, hidden on request, and
	// no new tickets on it.
	brStep(t, ctx, "back to the catalog", chromedp.Navigate(a.Base+"/admin.html#catalog"))
	brWaitJS(t, ctx, catWait, "payroll", `document.querySelector('#catalog-rows tr[data-service="payroll"] button.edit') !== null`)
	brStep(t, ctx, "edit payroll", chromedp.Click(chromedp.CSS(`#catalog-rows tr[data-service="payroll"] button.edit`)))
	brWaitJS(t, ctx, catWait, "its form", `document.querySelector('#catalog-form [name=code]').value === "payroll"`)
	brStep(t, ctx, "mark it inactive", chromedp.Click(chromedp.CSS(`#catalog-form input[name=inactive]`)), chromedp.Click(chromedp.ID("catalog-save")))
	brWaitJS(t, ctx, catWait, "payroll inactive, version 3",
		`document.getElementById("flash").textContent === "Servicio payroll guardado: versión 3 del catálogo"`+
			` && document.querySelector('#catalog-rows tr[data-service="payroll"]').classList.contains("inactive")`+
			` && document.querySelector('#catalog-rows tr[data-service="payroll"] .status').textContent === "Inactivo"`)
	brStep(t, ctx, "hide inactive services", chromedp.Click(chromedp.ID("catalog-show-inactive")))
	brWaitJS(t, ctx, catWait, "payroll hidden", `document.querySelector('#catalog-rows tr[data-service="payroll"]') === null && document.querySelector('#catalog-rows tr[data-service="internet_failure"]') !== null`)
	ana := a.login(t, "ana", brPassword)
	if code := ana.do("POST", "/api/v1/tickets", map[string]any{"service": "payroll", "subject": "Recibo de nómina",
		"caller": map[string]any{"name": "Lucía Torres", "phone": "+52 55 5123 4567"}}, nil); code != 422 {
		t.Errorf("a ticket on an inactive service: %d, want 422", code)
	}

	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("dialogs: %v", d)
	}
	// Expected failed loads: the login page's /me probe (401), the favicon
	// (404) and the refused edit (422).
	for _, e := range console.Errors() {
		if !strings.Contains(e, "Failed to load resource") || !(strings.Contains(e, "401") || strings.Contains(e, "404") || strings.Contains(e, "422")) {
			t.Errorf("console error: %s", e)
		}
	}

	// (7) A restart on the same database: the database's version wins over
	// the default catalog, the queue is there from the start, and metrics
	// know the new labels.
	a.stop()
	b := startAtiende(t, harnessOptions{DBURL: a.DBURL})
	if line, ok := b.findLog("catalog: version 3 from the database, edited by admin at "); !ok || !strings.Contains(line, "catalog_file/default is only the seed") {
		t.Errorf("the restart does not log the stored catalog: %q", line)
	}
	catCheckEdited(t, b, 3, "after the restart")
	m := catMetrics(t, b)
	if !strings.Contains(m, `atiende_queue_calls_waiting{queue="`+catNewQ+`"} 0`) || !strings.Contains(m, `service="`+catNewCode+`"`) {
		t.Errorf("/metrics after the restart lacks the %s queue or the %s service label", catNewQ, catNewCode)
	}
	b2 := browsertest.Incognito(t, ctx)
	catLogin(t, b2, b.Base, "admin", adminPassword, "/wallboard.html")
	brWaitJS(t, b2, catWait, "the printers queue after the restart", `document.querySelector('#queue-rows tr[data-queue="`+catNewQ+`"]') !== null`)
	brStep(t, b2, "open the catalog tab", chromedp.Navigate(b.Base+"/admin.html#catalog"))
	brWaitJS(t, b2, catWait, "the edited catalog after the restart",
		`document.getElementById("catalog-version").textContent.startsWith("Versión 3: admin")`+
			` && document.querySelectorAll('#catalog-rows tr[data-service="internet_failure"] .checklist li')[1].textContent === "`+catStepES+`"`+
			` && document.querySelector('#catalog-rows tr[data-service="`+catNewCode+`"]') !== null`+
			` && document.querySelector('#catalog-rows tr[data-service="payroll"]').classList.contains("inactive")`)
	browsertest.Screenshot(t, b2, "catalog-after-restart")
}
