package main

// The wallboard's satisfaction panel against a real Atiende: a keypad score
// already in PostgreSQL is there on opening; a caller's low score on the
// survey page reaches the panel live (the hub's survey_scored event), with
// the comment and the supervisor's follow-up ticket, and is counted in
// atiende_survey_score_total.

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
	"github.com/chromedp/chromedp"
)

func TestWallboardSurveyPanel(t *testing.T) {
	ctx := browsertest.Browser(t)
	a := startAtiende(t, harnessOptions{Queues: brQueues})
	db := a.store()
	ctx0 := context.Background()
	tk := &tickets.Ticket{Kind: tickets.Incident, Service: "internet_failure", Impact: tickets.Medium, Urgency: tickets.Medium,
		Priority: tickets.P3, Level: 1, Channel: tickets.Phone, Queue: "network",
		Caller:  tickets.Caller{Name: "Encuestada", Phone: "+525500000077", Email: "encuestada@example.mx"},
		Subject: "Sin internet", Description: "Caso de prueba de encuestas"}
	if err := db.CreateTicket(ctx0, tk, "test"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordKeypadSurvey(ctx0, "call-before", tk.Number, "ana", "es", 5, time.Now()); err != nil {
		t.Fatal(err)
	}
	const token = "surveytoken0123456789abcdef"
	h := sha256.Sum256([]byte(token))
	if err := db.CreateSurvey(ctx0, h[:], tk.Number, "beto", "es", time.Now()); err != nil {
		t.Fatal(err)
	}

	brLogin(t, ctx, a.Base, "supervisora", "/wallboard.html")
	brWaitJS(t, ctx, 10*time.Second, "the panel with the keypad score", `document.getElementById('surveys-card').dataset.count === "1"`)
	if got := brEval[string](t, ctx, `document.querySelector('#sv-by-agent tr[data-key="ana"] .sv-mean').textContent`); got != "5.00" {
		t.Errorf("ana's average %q, want 5.00", got)
	}

	r, err := http.PostForm(a.Base+"/survey/"+token, url.Values{"score": {"1"}, "comment": {"Nadie me devolvió la llamada"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("survey answer: %d", r.StatusCode)
	}
	brWaitJS(t, ctx, 10*time.Second, "the web score live on the panel", `document.getElementById('surveys-card').dataset.count === "2"`)
	li := brEval[string](t, ctx, `document.querySelector('#sv-comments li[data-ticket="`+tk.Number+`"].low').textContent`)
	if !strings.Contains(li, "Nadie me devolvió la llamada") || !strings.Contains(li, "1/5") || !strings.Contains(li, "Web") {
		t.Errorf("comment %q", li)
	}
	// The follow-up is opened by the escalation worker, then redrawn.
	brWaitJS(t, ctx, 10*time.Second, "the follow-up beside the low score", `document.querySelector('#sv-comments li.low .sv-follow a') !== null`)
	followUp := brEval[string](t, ctx, `document.querySelector('#sv-comments li.low .sv-follow a').textContent`)
	fu, _, err := db.ListTickets(ctx0, tickets.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var complaint *tickets.Ticket
	for _, x := range fu {
		if x.Kind == tickets.Complaint && strings.Contains(x.Subject, tk.Number) {
			complaint = x
		}
	}
	if complaint == nil || complaint.Level != 2 || complaint.Queue != "network" || !strings.Contains(followUp, "#"+complaint.Number) {
		t.Errorf("follow-up %+v, shown as %q", complaint, followUp)
	}
	if v := a.metric(t, "atiende_survey_score_total", `channel="web"`, `score="1"`); v != 1 {
		t.Errorf("atiende_survey_score_total{web,1} = %v, want 1", v)
	}
	brWaitJS(t, ctx, 2*time.Second, "the week's figures", `(document.querySelector('[data-sv-period="week"]').click(), document.getElementById('surveys-card').dataset.count === "2")`)
	browsertest.Screenshot(t, ctx, "wallboard-surveys")

	// The weekly report of this week shows the same figures, and the
	// survey CSV is linked.
	week := tickets.WeekOf(time.Now(), tickets.ReportOptions{}.Zone()).String()
	brStep(t, ctx, "open the report", chromedp.Navigate(a.Base+"/report.html?week="+week))
	brWaitJS(t, ctx, 10*time.Second, "the report's survey section", `document.body.dataset.week === "`+week+`" && !document.getElementById('surveys-section').hidden`)
	if got := brEval[string](t, ctx, `document.querySelector('#survey-rows tr[data-by="agent"][data-key="beto"] .rs-mean').textContent`); got != "1,00" { // the report page writes Spanish decimals
		t.Errorf("report: beto's average %q, want 1,00", got)
	}
	if got := brEval[string](t, ctx, `document.querySelector('#survey-rows tr[data-by="total"] .rs-mean').textContent`); got != "3,00" {
		t.Errorf("report: average %q, want 3,00", got)
	}
	brWaitJS(t, ctx, 5*time.Second, "agents by name", `document.querySelector('#survey-rows tr[data-by="agent"][data-key="beto"] td:nth-child(2)').textContent === "Alberto Ruiz"`)
	if got := brEval[string](t, ctx, `document.getElementById('dl-surveys-csv').getAttribute('href')`); !strings.Contains(got, "weekly-surveys.csv?") {
		t.Errorf("survey CSV link %q", got)
	}
	browsertest.Screenshot(t, ctx, "report-surveys")
}

// A caller scores the call 1 with the keypad after the agent hangs up: the
// score is kept for the agent, counted under channel keypad, and the
// supervisors get a follow-up complaint.
func TestKeypadSurveyScore(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	phone := a.brStartPhone(t, "1001", "demo1001", 300*time.Millisecond, 2*time.Second, true)
	a.available(t, "ana")
	jose := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "60102", Timeout: 150 * time.Second})
	if err := jose.Dial("sip:6000@" + a.SIPAddr); err != nil {
		t.Fatal(err)
	}
	if _, err := jose.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, jose.Output())
	}
	for _, k := range []string{"2", "1"} { // requests, videoconference
		time.Sleep(1200 * time.Millisecond)
		if err := jose.SendDTMF(k); err != nil {
			t.Fatal(err)
		}
	}
	// ana's phone answers, talks 2 s and hangs up; the caller hears the
	// survey offer and presses 1.
	if !waitFor(40*time.Second, func() bool {
		for _, e := range phone.events(t) {
			if e.Tag == "A" {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("ana's phone never answered\n%s", tail(a.Logs.String(), 4000))
	}
	time.Sleep(3500 * time.Millisecond)
	if err := jose.SendDTMF("1"); err != nil {
		t.Fatal(err)
	}
	line, ok := a.waitLog(15*time.Second, `msg="ivr survey"`, "score=1")
	if !ok {
		t.Fatalf("no keypad survey in the log\n%s", tail(a.Logs.String(), 4000))
	}
	t.Log(line)
	if !waitFor(5*time.Second, func() bool { return a.metric(t, "atiende_survey_score_total", `channel="keypad"`, `score="1"`) == 1 }) {
		t.Errorf("atiende_survey_score_total{keypad,1} = %v, want 1", a.metric(t, "atiende_survey_score_total", `channel="keypad"`, `score="1"`))
	}
	var complaint *tickets.Ticket
	waitFor(10*time.Second, func() bool {
		list, _, err := a.store().ListTickets(context.Background(), tickets.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.Kind == tickets.Complaint && strings.Contains(x.Subject, "calificación 1 de 5") {
				complaint = x
			}
		}
		return complaint != nil
	})
	if complaint == nil || complaint.Level != 2 || !strings.Contains(complaint.Description, "Agente: ana") ||
		!strings.Contains(complaint.Description, "teclado") {
		t.Errorf("follow-up %+v", complaint)
	}
	_ = jose.Hangup()
}
