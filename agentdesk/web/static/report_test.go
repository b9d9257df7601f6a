package static_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/agentdesk/web"
	"github.com/atiende/atiende/tickets"
	"github.com/chromedp/chromedp"
)

// reportRows is the fake database of the weekly report: 2026-W47 (16 to 22
// November 2026, Mexico City) and the week before. In W47 internet_failure
// has three incidents, two of them from the same (hostile) phone, resolved
// in 4 h (SLA met) and 24 h (missed); printing has a complaint resolved in
// 1 h. In W46 each service had one ticket, resolved in 2 h and 24 h.
func reportRows() []tickets.ReportTicket {
	loc, err := time.LoadLocation(tickets.DefaultReportZone)
	if err != nil {
		loc = time.FixedZone(tickets.DefaultReportZone, -6*3600)
	}
	at := func(d, h int) *time.Time { t := time.Date(2026, 11, d, h, 0, 0, 0, loc); return &t }
	return []tickets.ReportTicket{
		{Number: "20260101", Kind: tickets.Incident, Service: "internet_failure", State: tickets.Resolved, CallerPhone: hostile,
			CreatedAt: *at(17, 10), ResolvedAt: at(17, 14), ResolutionDue: at(17, 18)},
		{Number: "20260102", Kind: tickets.Incident, Service: "internet_failure", State: tickets.Closed, CallerPhone: hostile,
			CreatedAt: *at(18, 9), ResolvedAt: at(19, 9), ResolutionDue: at(18, 17)},
		{Number: "20260103", Kind: tickets.Incident, Service: "internet_failure", State: tickets.InProgress, CallerPhone: "+525500000001",
			CreatedAt: *at(20, 10)},
		{Number: "20260104", Kind: tickets.Complaint, Service: "printing", State: tickets.Closed, CreatedAt: *at(19, 10), ResolvedAt: at(19, 11)},
		{Number: "20260050", Kind: tickets.Incident, Service: "internet_failure", State: tickets.Closed, CreatedAt: *at(10, 10), ResolvedAt: at(10, 12)},
		{Number: "20260051", Kind: tickets.Complaint, Service: "printing", State: tickets.Closed, CreatedAt: *at(11, 10), ResolvedAt: at(12, 10)},
	}
}

// fakeReport computes the report of ?week= (default 2026-W47, the "last
// complete week" of the fake) as the real endpoint does.
func fakeReport(w http.ResponseWriter, r *http.Request) *tickets.WeeklyReport {
	week := tickets.ISOWeek{Year: 2026, Week: 47}
	if v := r.URL.Query().Get("week"); v != "" {
		var err error
		if week, err = tickets.ParseISOWeek(v); err != nil {
			apiError(w, 400, "invalid", "week: "+tickets.ErrorMessage(err))
			return nil
		}
	}
	return tickets.ComputeWeeklyReport(week, reportRows(), tickets.ReportOptions{})
}

func fakeWeeklyReport(w http.ResponseWriter, r *http.Request) {
	if rep := fakeReport(w, r); rep != nil {
		writeJSON(w, 200, rep)
	}
}

func fakeWeeklyReportCSV(w http.ResponseWriter, r *http.Request) {
	if rep := fakeReport(w, r); rep != nil {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_ = csv.NewWriter(w).WriteAll(web.WeeklyCSVRecords(rep, r.URL.Query().Get("lang")))
	}
}

// The supervisor opens the weekly report from the nav: last complete week
// by default, totals and table with the week before and the difference, one
// bar group per service in each chart, repeated faults as text, another
// week with the arrows, download links that follow the week, and English.
func TestWeeklyReportPage(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	dialogs := browsertest.WatchDialogs(ctx)
	console := browsertest.WatchConsole(ctx)
	login(t, ctx, s.url, "sup", "/wallboard.html")
	waitJS(t, ctx, "the report link in the nav", `document.querySelector('#top nav a[href="/report.html"]') !== null`)
	step(t, ctx, "open the report", chromedp.Click(chromedp.CSS(`#top nav a[href="/report.html"]`)))
	waitJS(t, ctx, "the report of 2026-W47", `location.pathname === "/report.html" && document.body.dataset.week === "2026-W47"`)

	cell := func(svc, kind, col string) string {
		return eval[string](t, ctx, `(() => { const td = document.querySelector('#rep-rows tr[data-service="`+svc+`"][data-kind="`+kind+`"] td[data-col="`+col+`"]');
			return td ? [...td.children].map((n) => n.textContent).join(" | ") : "missing"; })()`)
	}
	for _, c := range []struct{ svc, kind, col, want string }{
		{"internet_failure", "", "opened", "3 | 1 | +2"},
		{"internet_failure", "", "resolved", "2 | 1 | +1"},
		{"internet_failure", "", "mean", "14h 00m | 2h 00m | +12h 00m"},
		{"internet_failure", "", "p90", "22h 00m | 2h 00m | +20h 00m"},
		{"internet_failure", "", "rsla", "50,0 % (1/2) | — | —"},
		{"internet_failure", "", "repeated", "2 | 0 | +2"},
		{"internet_failure", "incident", "opened", "3 | 1 | +2"},
		{"printing", "", "mean", "1h 00m | 24h 00m | -23h 00m"},
		{"printing", "complaint", "opened", "1 | 1 | 0"},
		{"", "complaint", "resolved", "1 | 1 | 0"},
		{"", "", "opened", "4 | 2 | +2"},
		{"", "", "resolved", "3 | 2 | +1"},
	} {
		if got := cell(c.svc, c.kind, c.col); got != c.want {
			t.Errorf("%s/%s %s = %q, want %q", c.svc, c.kind, c.col, got, c.want)
		}
	}
	for js, want := range map[string]string{
		`document.querySelector('#totals .tile[data-col="opened"] .tile-value').textContent`:                                              "4",
		`document.querySelector('#rep-rows tr[data-service="internet_failure"][data-kind=""] .svc').textContent`:                          "Falla de conexión a internet",
		`document.querySelector('#rep-rows tr[data-service="printing"][data-kind="complaint"] .kind').textContent`:                        "Queja",
		`document.querySelector('#repeat-rows tr[data-by="phone"] .value').textContent`:                                                   hostile,
		`document.querySelector('#repeat-rows tr[data-by="phone"] .tickets').textContent`:                                                 "20260101, 20260102",
		`[...document.querySelectorAll('#chart-volume svg g.bar-group')].map((g) => g.dataset.service).join(",")`:                         "internet_failure,printing",
		`[...document.querySelectorAll('#chart-times svg g.bar-group')].map((g) => g.dataset.service).join(",")`:                          "internet_failure,printing",
		`[...document.querySelectorAll('#chart-volume g.bar-group rect')].map((r) => r.dataset.series + "=" + r.dataset.value).join(",")`: "opened=3,resolved=2,opened=1,resolved=1",
		`[...document.querySelectorAll('#chart-times g.bar-group rect')].map((r) => r.dataset.series + "=" + r.dataset.value).join(",")`:  "mean=14,p90=22,mean=1,p90=1",
		`new URL(document.getElementById("dl-csv").href).search`:                                                                          "?week=2026-W47&lang=es",
		`new URL(document.getElementById("dl-json").href).search`:                                                                         "?week=2026-W47",
	} {
		if got := eval[string](t, ctx, js); got != want {
			t.Errorf("%s = %q, want %q", js, got, want)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("img, #repeat-rows b, #repeat-rows script").length`); n != 0 {
		t.Errorf("%d elements were created from caller text", n)
	}
	if got := eval[string](t, ctx, `fetch(document.getElementById("dl-csv").href).then((r) => r.text()).then((s) => s.split("\n")[0].split(",").slice(0, 4).join(","))`); got != "semana,servicio,categoria,abiertos" {
		t.Errorf("CSV header %q", got)
	}
	browsertest.Screenshot(t, ctx, "weekly-report")

	// The week before, with the arrow: kept in the address.
	step(t, ctx, "previous week", chromedp.Click(chromedp.ID("prev-week")))
	waitJS(t, ctx, "the report of 2026-W46", `document.body.dataset.week === "2026-W46" && location.search === "?week=2026-W46"`)
	if got := cell("", "", "opened"); got != "2 | 0 | +2" {
		t.Errorf("W46 total opened %q", got)
	}
	if got := eval[string](t, ctx, `document.getElementById("week").value`); got != "2026-W46" {
		t.Errorf("week input %q", got)
	}

	// English, after the language toggle (a reload keeps ?week=).
	step(t, ctx, "switch to English", chromedp.Click(chromedp.CSS(`#top button[data-i18n="nav.lang"]`)))
	waitJS(t, ctx, "the English page", `document.body.dataset.week === "2026-W46" && document.querySelector("h1").textContent === "Weekly fault report"`)
	if got := eval[string](t, ctx, `document.querySelector('#rep-rows tr[data-service="printing"][data-kind="complaint"] .kind').textContent`); got != "Complaint" {
		t.Errorf("kind in English %q", got)
	}
	step(t, ctx, "next week", chromedp.Click(chromedp.ID("next-week")))
	waitJS(t, ctx, "back to 2026-W47", `document.body.dataset.week === "2026-W47"`)
	if got := cell("", "", "rsla"); got != "50.0 % (1/2) | — | —" {
		t.Errorf("total resolution SLA in English %q", got)
	}
	browsertest.Screenshot(t, ctx, "weekly-report-en")

	if missing := eval[[]string](t, ctx, `import("/js/i18n.js").then(m => m.missingKeys())`); len(missing) != 0 {
		t.Errorf("i18n keys missing: %v", missing)
	}
	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("JavaScript dialogs opened: %v", d)
	}
	var errs []string
	for _, e := range console.Errors() {
		// Expected: the login page's /me probe (401), the wallboard's
		// ticket stats, absent from the fake (404).
		if !strings.Contains(e, "Failed to load resource") || !(strings.Contains(e, "404") || strings.Contains(e, "401")) {
			errs = append(errs, e)
		}
	}
	if len(errs) != 0 {
		t.Errorf("console errors (a CSP violation shows here): %v", errs)
	}
}
