package main

// What people see (issue 16, points 11, 14 and 15), against a real Atiende
// with demo data and a real call (sipp caller, sipp agent phone), in
// Debian's Chromium: every page in both languages shows no internal code
// and no word of the other language; the ticket detail and the screen-pop
// read at a glance at 1366x768 and on a phone; the survey page has the
// desk's look and works on a phone.

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
	"github.com/chromedp/chromedp"
)

// uiCodes are the internal codes no page may show, taken from their
// sources of truth: ticket states, kinds, levels and roles, agent states,
// history fields, actors and reasons, the catalog's service and queue
// codes, extension states and reasons, and the default IVR flow's nodes.
func uiCodes() []string {
	var out []string
	add := func(s ...string) { out = append(out, s...) }
	for _, s := range tickets.States {
		add(string(s))
	}
	for _, k := range tickets.Kinds {
		add(string(k))
	}
	for _, r := range tickets.Roles {
		add(string(r))
	}
	for _, l := range []tickets.Level3{tickets.Low, tickets.Medium, tickets.High} {
		add(string(l))
	}
	for _, s := range []agentdesk.AgentState{agentdesk.StateLoggedOut, agentdesk.StateAvailable, agentdesk.StateRinging,
		agentdesk.StateOnCall, agentdesk.StateWrapUp, agentdesk.StatePaused} {
		add(string(s))
	}
	add(tickets.HistoryFields...)
	add(tickets.SystemActors...)
	add(tickets.HistoryReasons...)
	cat := tickets.DefaultCatalog()
	for _, s := range cat.Services {
		add(s.Code)
	}
	add(cat.Groups()...)
	for _, s := range ivr.ExtStates {
		add(string(s))
	}
	add(ivr.ExtReasons...)
	for name := range ivr.DefaultFlow().Nodes {
		add(name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var (
	uiPathStep = regexp.MustCompile(`\b[a-z][a-z0-9_]*:[0-9*#]\b`) // an IVR path step, "main:1"
	uiHex      = regexp.MustCompile(`\b[0-9a-f]{12,}\b`)           // a call's internal id
	uiWord     = regexp.MustCompile(`[\p{L}\p{N}_]+`)
)

// uiPageText is what a person reads on the page: the visible text, the
// options of every list, titles, placeholders and labels for screen
// readers. Left out: cells marked as codes (the admin catalog's "Code"
// column, where the administrator edits the code itself), text people wrote
// (ticket subjects and descriptions, notes, maintenance summaries: a
// ticket from an English-speaking caller is in English), and usernames (a
// login a person chose: "admin" is one). The announcement page's prompt
// picker is read: prompts are named by what they say, not by file.
const uiPageText = `(() => {
  const people = 'td.username, td.who, .user-name, td.code, td.subject, .ticket-subject, .ticket-description, .note-body, td.summary, .sla-list .subject, td.comment';
  const skip = [...document.querySelectorAll(people)].map((n) => n.innerText).filter(Boolean);
  let text = document.body.innerText;
  for (const s of skip) text = text.split(s).join('');
  const parts = [text, document.title];
  for (const n of document.querySelectorAll('option, optgroup')) {
    parts.push(n.label || n.textContent);
  }
  for (const n of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
    if (n.closest('#top') && n.tagName === 'BUTTON') continue;
    parts.push(n.getAttribute('title') || '', n.getAttribute('placeholder') || '', n.getAttribute('aria-label') || '');
  }
  return parts.join('\n');
})()`

// uiVocabulary returns, for lang, the page's own words (its dictionary and
// the catalog's names in lang) and the other language's phrases.
func uiVocabulary(t *testing.T, ctx context.Context, lang string) (words map[string]bool, foreign []string) {
	t.Helper()
	other := map[string]string{"es": "en", "en": "es"}[lang]
	mine := brEval[map[string]string](t, ctx, `import("/js/i18n.js").then((m) => m.dictionary("`+lang+`"))`)
	theirs := brEval[map[string]string](t, ctx, `import("/js/i18n.js").then((m) => m.dictionary("`+other+`"))`)
	words = map[string]bool{}
	var text []string
	for _, v := range mine {
		text = append(text, v)
	}
	cat := tickets.DefaultCatalog()
	for _, s := range cat.Services {
		text = append(text, s.NameIn(lang))
	}
	for _, g := range cat.Groups() {
		text = append(text, cat.QueueNameIn(g, lang))
	}
	// The announcement page names prompts by what they say in lang.
	for _, p := range ivr.PromptNames(ivr.DefaultFlow(), prompts.FS, lang) {
		text = append(text, prompts.Text(lang, p))
	}
	for _, w := range uiWord.FindAllString(strings.Join(text, " "), -1) {
		words[w] = true
	}
	mineText := strings.Join(text, "\n")
	placeholder := regexp.MustCompile(`\{[a-z]+\}`)
	for k, v := range theirs {
		if mine[k] == v {
			continue
		}
		for _, chunk := range placeholder.Split(v, -1) {
			chunk = strings.Trim(chunk, " .,:;()«»\"'…·?¿!¡")
			if len([]rune(chunk)) >= 8 && !strings.Contains(mineText, chunk) {
				foreign = append(foreign, chunk)
			}
		}
	}
	sort.Strings(foreign)
	return words, slices.Compact(foreign)
}

// uiCheckText reports the codes and foreign phrases in text.
func uiCheckText(codes []string, words map[string]bool, foreign []string, text string) []string {
	var bad []string
	found := map[string]bool{}
	for _, w := range uiWord.FindAllString(text, -1) {
		found[w] = true
	}
	for _, c := range codes {
		switch {
		case strings.Contains(c, " "): // "qualify timeout"
			if strings.Contains(text, c) {
				bad = append(bad, "code "+c)
			}
		case strings.Contains(c, "_"):
			if found[c] {
				bad = append(bad, "code "+c)
			}
		case found[c] && !words[c]: // a code that is also a word of this language cannot be told apart
			bad = append(bad, "code "+c)
		}
	}
	for _, m := range uiPathStep.FindAllString(text, -1) {
		bad = append(bad, "IVR step "+m)
	}
	for _, m := range uiHex.FindAllString(text, -1) {
		if strings.ContainsAny(m, "abcdef") && strings.ContainsAny(m, "0123456789") {
			bad = append(bad, "internal id "+m)
		}
	}
	for _, f := range foreign {
		if strings.Contains(text, f) {
			bad = append(bad, "untranslated "+f)
		}
	}
	return bad
}

// uiSetLang makes the browser context of ctx use lang on every page.
func uiSetLang(t *testing.T, ctx context.Context, base, lang string) {
	t.Helper()
	brStep(t, ctx, "language "+lang, chromedp.Navigate(base+"/"),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem("atiende_lang", "`+lang+`")`))
}

func TestDeskUI(t *testing.T) {
	sippeer.Need(t, "sipp")
	browser := browsertest.Browser(t)
	a := startAtiende(t, harnessOptions{Queues: brQueues})
	// The agent hangs up after brTalk; the pop stays (the call ended) and
	// the call is over before Atiende stops.
	a.brStartPhone(t, "1001", "demo1001", brRingDelay, brTalk, true)

	// ana takes a real call: an unknown caller reports an internet failure
	// (1, 1) and is put through to her; the pop stays on her console.
	agent := browsertest.Incognito(t, browser)
	brLogin(t, agent, a.Base, "ana", "/agent.html")
	brStep(t, agent, "go available", chromedp.Click(chromedp.ID("btn-available")))
	brWaitJS(t, agent, 5*time.Second, "ana available", `document.getElementById("my-state").classList.contains("agent-available")`)
	caller := a.brStartCaller(t, brPopCaller, "Cliente", keys(1500*time.Millisecond, 700*time.Millisecond, "11"), 0)
	brWaitJS(t, agent, brWaitDuration, "the pop, answered, with its ticket",
		`(document.getElementById("pop-phase").classList.contains("phase-talking") || document.getElementById("pop-phase").classList.contains("phase-ended")) && document.querySelector("#pop-ticket .ticket-head[data-number]") !== null && document.getElementById("pop-name").textContent !== "…"`)
	number := brEval[string](t, agent, `document.querySelector("#pop-ticket .ticket-head").dataset.number`)
	tk := a.ticket(t, number)
	if len(tk.IVRPath) < 2 || tk.Queue == "" {
		t.Fatalf("the call's ticket %s: path %q, queue %q", number, tk.IVRPath, tk.Queue)
	}
	// A maintenance window on two services, ten days ahead.
	start := time.Now().Add(10 * 24 * time.Hour).Truncate(time.Hour)
	if code := a.login(t, "supervisora", brPassword).do("POST", "/api/v1/maintenance", map[string]any{
		"services": []string{"internet_failure", "email_failure"}, "start": start, "end": start.Add(2 * time.Hour),
		"summary_es": "Cambio del enrutador central", "summary_en": "Core router replacement"}, nil); code != 201 {
		t.Fatalf("schedule maintenance: %d", code)
	}
	// A demo ticket that went through several states.
	list, _, err := a.store().ListTickets(context.Background(), tickets.Filter{States: []tickets.State{tickets.Closed}, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no closed demo ticket: %v", err)
	}
	closed := list[0].Number

	// The layout first: the languages reload the console, and its pop.
	t.Run("TicketLayout", func(t *testing.T) { uiTicketLayout(t, a, browser, agent, number) })
	t.Run("Survey", func(t *testing.T) { uiSurvey(t, a, browser, number) })
	t.Run("Languages", func(t *testing.T) { uiLanguages(t, a, browser, agent, number, closed) })
	if err := caller.Wait(100 * time.Second); err != nil { // the survey, then Atiende's BYE
		t.Logf("caller: %v", err)
	}
}

// uiLanguages walks every page in Spanish and in English and fails on any
// internal code or word of the other language.
func uiLanguages(t *testing.T, a *atiende, browser, agent context.Context, number, closed string) {
	codes := uiCodes()
	sup := browsertest.Incognito(t, browser)
	brLogin(t, sup, a.Base, "supervisora", "/wallboard.html")
	net := browsertest.Incognito(t, browser)
	brLogin(t, net, a.Base, "redes", "/network.html")
	adm := browsertest.Incognito(t, browser)
	admFormLogin(t, adm, a.Base, "admin", adminPassword, "/wallboard.html")
	type page struct {
		ctx        context.Context
		who, path  string
		ready      string // JS true once the page's data is drawn
		reloadable bool   // false: the console, whose pop would not survive a reload
	}
	pages := []page{
		// In Spanish with the call's pop; in English after a reload, without.
		{agent, "ana", "/agent.html", `(!document.getElementById("pop").hidden && document.getElementById("pop-queue").textContent !== "") || (document.body.dataset.lang === "en" && document.querySelectorAll("#queue-counts li").length > 0)`, false},
		{agent, "ana", "/tickets.html", `document.querySelectorAll("#rows tr[data-number]").length > 0`, true},
		{agent, "ana", "/tickets.html#" + number, `document.querySelectorAll("#history tr").length >= 3 && document.querySelector("#detail .ticket-head") !== null`, true},
		{agent, "ana", "/tickets.html#" + closed, `document.querySelectorAll("#history tr").length >= 3 && document.querySelector("#detail .ticket-head") !== null`, true},
		{sup, "supervisora", "/wallboard.html", `document.querySelectorAll("#queue-rows tr").length > 0 && document.querySelectorAll("#agent-rows tr").length > 0`, true},
		{sup, "supervisora", "/report.html", `document.body.dataset.week !== ""`, true},
		{net, "redes", "/network.html", `document.querySelectorAll("#ext-rows tr").length > 0`, true},
		{adm, "admin", "/admin.html#users", `document.querySelectorAll("#user-rows tr").length > 3`, true},
		{adm, "admin", "/admin.html#queues", `document.querySelectorAll("#queue-rows tr").length > 3`, true},
		{adm, "admin", "/admin.html#catalog", `document.querySelectorAll("#catalog-rows tr").length > 3`, true},
		{adm, "admin", "/admin.html#announcements", `document.getElementById("panel-announcements") && !document.getElementById("panel-announcements").hidden`, true},
		{adm, "admin", "/admin.html#maintenance", `document.querySelectorAll('#m-form select[name=services] option').length > 3 && document.querySelector("#m-rows tr[data-maintenance] td.services") !== null`, true},
	}
	for _, lang := range []string{"es", "en"} {
		for _, ctx := range []context.Context{agent, sup, net, adm} {
			if ctx == agent && lang == "es" {
				continue // Spanish already (the user's language), and its pop must stay
			}
			uiSetLang(t, ctx, a.Base, lang)
		}
		var words map[string]bool
		var foreign []string
		for _, p := range pages {
			if p.reloadable || lang == "en" {
				brStep(t, p.ctx, "open "+p.path, chromedp.Navigate(a.Base+p.path))
				if strings.Contains(p.path, "#") {
					brStep(t, p.ctx, "reload "+p.path, chromedp.Reload())
				}
				if !p.reloadable {
					brEval[bool](t, p.ctx, `(document.body.dataset.lang = "`+lang+`", true)`)
				}
			}
			brWaitJS(t, p.ctx, 15*time.Second, p.path+" ("+lang+") drawn", p.ready)
			time.Sleep(800 * time.Millisecond)            // names and lists that load after the first draw
			words, foreign = uiVocabulary(t, p.ctx, lang) // with the messages of this page's modules
			text := brEval[string](t, p.ctx, uiPageText)
			if bad := uiCheckText(codes, words, foreign, text); len(bad) > 0 {
				name := lang + "-" + strings.NewReplacer("/", "", "#", "-", ".html", "").Replace(p.path)
				browsertest.Screenshot(t, p.ctx, name)
				_ = os.WriteFile(filepath.Join(browsertest.ArtifactDir(t), "TestDeskUI-"+name+".txt"), []byte(text), 0o644)
				t.Errorf("%s as %s, %s: %s", p.path, p.who, lang, strings.Join(bad, "; "))
			}
		}
	}
	// Targeted: the queue shows by its name in the pop, the wallboard and the
	// admin page (a queue code that is also a word escapes the scan above).
	cat := tickets.DefaultCatalog()
	brStep(t, sup, "wallboard", chromedp.Navigate(a.Base+"/wallboard.html"))
	brWaitJS(t, sup, 10*time.Second, "the network queue's name", `document.querySelector('#queue-rows tr[data-queue="network"] .name') !== null && document.querySelector('#queue-rows tr[data-queue="network"] .name').textContent === "`+cat.QueueNameIn("network", "en")+`"`)
	for _, g := range cat.Groups() {
		got := brEval[string](t, sup, `(document.querySelector('#queue-rows tr[data-queue="`+g+`"] .name') || {}).textContent || ""`)
		if got != "" && got != cat.QueueNameIn(g, "en") {
			t.Errorf("wallboard queue %s shows %q, want %q", g, got, cat.QueueNameIn(g, "en"))
		}
	}
}

// uiTicketLayout: the pop and the ticket detail at 1366x768 and at phone
// width: nothing overflows sideways, the phone number is on one line, the
// pop shows the ticket number once, and the ticket has one save for its
// data (plus the note) instead of one "Apply" per group of fields.
func uiTicketLayout(t *testing.T, a *atiende, browser, agent context.Context, number string) {
	// No element sticks out of the viewport, unless a scrolling box holds it.
	const overflow = `(() => {
	  const w = document.documentElement.clientWidth, out = [];
	  if (document.documentElement.scrollWidth > w + 1) out.push("page " + document.documentElement.scrollWidth + " > " + w);
	  for (const n of document.querySelectorAll("body *")) {
	    const r = n.getBoundingClientRect();
	    if (!r.width || r.right <= w + 1) continue;
	    let p = n.parentElement, held = false;
	    for (; p && p !== document.body; p = p.parentElement) {
	      const o = getComputedStyle(p).overflowX;
	      if (o === "auto" || o === "scroll" || o === "hidden") { held = true; break; }
	    }
	    if (!held) out.push((n.id ? "#" + n.id : n.tagName.toLowerCase() + "." + [...n.classList].join(".")) + " right " + Math.round(r.right));
	  }
	  return out.slice(0, 8);
	})()`
	// Every place the caller's number shows, it is on one line: the lines
	// of the number's own text (a Range over it), whatever element holds it.
	tel := `(() => {
	  const num = "` + brPopCaller + `", out = [];
	  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
	    const i = n.data.indexOf(num);
	    if (i < 0 || n.parentElement.offsetParent === null) continue;
	    if (n.parentElement.closest(".ticket-description")) continue; // prose, may wrap between words
	    const r = document.createRange();
	    r.setStart(n, i); r.setEnd(n, i + num.length);
	    const lines = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
	    out.push(lines.size + ":" + (n.parentElement.id || n.parentElement.className));
	  }
	  return out;
	})()`
	tk := a.ticket(t, number)
	if got, want := brEval[string](t, agent, `document.getElementById("pop-queue").textContent`), tickets.DefaultCatalog().QueueNameIn(tk.Queue, "es"); got != want {
		t.Errorf("the pop's queue %q, want %q", got, want)
	}
	if got := brEval[string](t, agent, `document.getElementById("pop-ivr").textContent`); !strings.HasPrefix(got, "Menú principal: tecla 1 (Fallas)") {
		t.Errorf("the pop's IVR path %q, want it in words", got)
	}
	ticketPage := browsertest.Incognito(t, browser)
	brLogin(t, ticketPage, a.Base, "ana", "/agent.html")
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"1366x768", 1366, 768}, {"390x844", 390, 844}} {
		for _, c := range []struct {
			ctx  context.Context
			name string
			path string
			wait string
		}{
			{agent, "pop", "", `!document.getElementById("pop").hidden`},
			{ticketPage, "detail", "/tickets.html#" + number, `document.querySelector("#detail .ticket-head") !== null && document.querySelectorAll("#history tr").length > 0`},
		} {
			brStep(t, c.ctx, "viewport "+vp.name, chromedp.EmulateViewport(vp.w, vp.h))
			if c.path != "" {
				brStep(t, c.ctx, "open "+c.path, chromedp.Navigate(a.Base+c.path), chromedp.Reload())
			}
			brWaitJS(t, c.ctx, 10*time.Second, c.name+" drawn", c.wait)
			time.Sleep(500 * time.Millisecond)
			browsertest.Screenshot(t, c.ctx, c.name+"-"+vp.name)
			if out := brEval[[]string](t, c.ctx, overflow); len(out) > 0 {
				t.Errorf("%s at %s: overflows the viewport: %q", c.name, vp.name, out)
			}
			tels := brEval[[]string](t, c.ctx, tel)
			if len(tels) == 0 {
				t.Errorf("%s at %s: no phone number shown", c.name, vp.name)
			}
			for _, x := range tels {
				if !strings.HasPrefix(x, "1:") {
					t.Errorf("%s at %s: the phone number breaks over lines: %s", c.name, vp.name, x)
				}
			}
			saves := brEval[int](t, c.ctx, `document.querySelectorAll(".actions button[type=submit]").length`)
			if saves != 2 {
				t.Errorf("%s at %s: %d submit buttons in the ticket's actions, want 2 (save the data, add a note)", c.name, vp.name, saves)
			}
			if c.name == "pop" {
				n := brEval[int](t, c.ctx, `document.getElementById("pop").innerText.split("`+number+`").length - 1`)
				if n != 1 {
					t.Errorf("the pop at %s shows the ticket number %d times, want once", vp.name, n)
				}
			}
		}
	}
	brStep(t, agent, "viewport back", chromedp.EmulateViewport(1366, 768))

	// One save changes several fields in one go.
	brStep(t, ticketPage, "change impact and urgency",
		chromedp.SetValue(chromedp.CSS(`#detail form.details select[name=impact]`), "high"),
		chromedp.SetValue(chromedp.CSS(`#detail form.details select[name=urgency]`), "high"),
		chromedp.Click(chromedp.CSS(`#detail form.details button[type=submit]`)))
	brWaitJS(t, ticketPage, 10*time.Second, "the ticket saved", `document.querySelector("#detail .badge.prio-1") !== null`)
	if tk := a.ticket(t, number); tk.Impact != tickets.High || tk.Urgency != tickets.High || tk.Priority != tickets.P1 {
		t.Errorf("after one save: impact %s urgency %s priority %v", tk.Impact, tk.Urgency, tk.Priority)
	}
}

// uiSurvey: the survey page a caller opens from the email has the desk's
// stylesheet, both languages, and fits a phone.
func uiSurvey(t *testing.T, a *atiende, browser context.Context, number string) {
	token := hex.EncodeToString([]byte(fmt.Sprintf("ui-survey-%d", time.Now().UnixNano())))
	if err := a.store().CreateSurvey(context.Background(), desk.HashToken(token), number, "ana", "es", time.Now()); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Incognito(t, browser)
	console := browsertest.WatchConsole(ctx)
	for _, c := range []struct {
		lang, h1 string
		w, h     int64
	}{{"es", "¿Cómo lo atendimos en el ticket", 390, 844}, {"en", "How did we do with ticket", 390, 844}, {"es", "¿Cómo lo atendimos en el ticket", 1366, 768}} {
		name := fmt.Sprintf("survey-%s-%dx%d", c.lang, c.w, c.h)
		brStep(t, ctx, name, chromedp.EmulateViewport(c.w, c.h), chromedp.Navigate(a.Base+"/survey/"+token+"?lang="+c.lang))
		brWaitJS(t, ctx, 10*time.Second, "the survey form", `document.querySelector("form input[name=score]") !== null`)
		browsertest.Screenshot(t, ctx, name)
		facts := brEval[map[string]any](t, ctx, `(() => {
		  const sheet = [...document.styleSheets].find((s) => s.href && s.href.endsWith("/css/app.css"));
		  const box = (sel) => { const n = document.querySelector(sel); return n ? n.getBoundingClientRect() : { width: 0, height: 0 }; };
		  const btn = box("button[type=submit]"), score = box("form label:has(input[name=score]) span, form label:has(input[name=score])");
		  return {
		    sheet: !!(sheet && sheet.cssRules.length > 10),
		    font: getComputedStyle(document.body).fontFamily,
		    bg: getComputedStyle(document.documentElement).backgroundColor,
		    viewport: (document.querySelector('meta[name=viewport]') || {}).content || "",
		    overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
		    lang: document.documentElement.lang,
		    h1: document.querySelector("h1").textContent,
		    button: Math.round(btn.height), score: Math.round(Math.min(score.height, score.width)),
		    scoresOneRow: new Set([...document.querySelectorAll("input[name=score]")].map((n) => Math.round(n.closest("label").getBoundingClientRect().top))).size === 1,
		  };
		})()`)
		if facts["sheet"] != true || !strings.Contains(fmt.Sprint(facts["font"]), "system-ui") || facts["bg"] != "rgb(244, 246, 248)" {
			t.Errorf("%s: not the desk's stylesheet: %v", name, facts)
		}
		if !strings.Contains(fmt.Sprint(facts["viewport"]), "width=device-width") || facts["overflow"] != false || facts["scoresOneRow"] != true {
			t.Errorf("%s: does not fit the screen: %v", name, facts)
		}
		if facts["lang"] != c.lang || !strings.HasPrefix(fmt.Sprint(facts["h1"]), c.h1) {
			t.Errorf("%s: language: %v", name, facts)
		}
		if b, _ := facts["button"].(float64); b < 40 {
			t.Errorf("%s: the send button is %v px high, too small for a finger", name, b)
		}
		if s, _ := facts["score"].(float64); s < 40 {
			t.Errorf("%s: the score targets are %v px, too small for a finger", name, s)
		}
	}
	// It still records the answer (nothing changed in how).
	brStep(t, ctx, "answer 4", chromedp.Click(chromedp.CSS(`input[name=score][value="4"]`)), chromedp.Click(chromedp.CSS(`button[type=submit]`)))
	brWaitJS(t, ctx, 10*time.Second, "thanks", `document.querySelector('main[data-state="thanks"]') !== null`)
	if n, mean, err := a.store().SurveyScores(context.Background(), "ticket", number); err != nil || n != 1 || mean != 4 {
		t.Errorf("survey scores of %s: %d %v %v", number, n, mean, err)
	}
	for _, e := range console.Errors() {
		if strings.Contains(e, "Content Security Policy") || strings.Contains(e, "Refused") {
			t.Errorf("survey page: %s", e)
		}
	}
}
