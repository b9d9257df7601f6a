package web

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
)

// surveyEnv: in week 2026-W10 (Mexico City) ana got a keypad 5 on Monday
// 2 March and a 1 on Tuesday 3 March (the day the clock is left on), and
// beto a web 4 with a comment on the 3rd; in week 2026-W09 ana got a 3.
func surveyEnv(t *testing.T) *env {
	e := newEnv(t, func(_ *Config, d *Deps) { d.Surveys = d.Store.(tickets.SurveyStatsStore) })
	mx, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	at := func(day, h int) time.Time { return time.Date(2026, 3, day, h, 0, 0, 0, mx) }
	mk := func(service, queue string) *tickets.Ticket {
		tk := &tickets.Ticket{Kind: tickets.Incident, Service: service, Impact: tickets.Medium, Urgency: tickets.Medium,
			Priority: tickets.P3, Level: 1, Channel: tickets.Phone, Queue: queue, Caller: tickets.Caller{Name: "Ana", Phone: "+525511111111"}}
		if err := e.db.CreateTicket(ctx, tk, "agent1"); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	net, mail := mk("internet_failure", "network"), mk("email_failure", "general")
	for _, s := range []struct {
		call, ticket, agent string
		score               int
		at                  time.Time
	}{
		{"c1", net.Number, "ana", 5, at(2, 10)},
		{"c2", net.Number, "ana", 1, at(3, 9)},
		{"c0", mail.Number, "ana", 3, time.Date(2026, 2, 25, 12, 0, 0, 0, mx)},
	} {
		if err := e.db.RecordKeypadSurvey(ctx, s.call, s.ticket, s.agent, "es", s.score, s.at); err != nil {
			t.Fatal(err)
		}
	}
	h := sha256.Sum256([]byte("tok"))
	if err := e.db.CreateSurvey(ctx, h[:], mail.Number, "beto", "es", at(2, 12)); err != nil {
		t.Fatal(err)
	}
	if err := e.db.AnswerSurvey(ctx, h[:], 4, "Muy amable", at(3, 11)); err != nil {
		t.Fatal(err)
	}
	e.clock.setReportTime(at(3, 12))
	return e
}

func TestSurveyStatsPanel(t *testing.T) {
	t.Parallel()
	e := surveyEnv(t)
	sup := e.login("sup", tickets.RoleSupervisor)
	var p surveyPanel
	sup.must(200, "GET", "/api/v1/surveys/stats", nil, &p)
	if p.Date != "2026-03-03" || p.Week != "2026-W10" {
		t.Errorf("period: %s %s", p.Date, p.Week)
	}
	// Today: ana's 1 and beto's 4; this week also ana's 5.
	if p.Today.Total.Count != 2 || *p.Today.Total.Mean != 2.5 || p.Today.Total.Low != 1 {
		t.Errorf("today: %+v", p.Today.Total)
	}
	if p.ThisWeek.Total.Count != 3 || len(p.ThisWeek.ByAgent) != 2 || p.ThisWeek.ByAgent[0].Key != "ana" ||
		*p.ThisWeek.ByAgent[0].Mean != 3 || p.ThisWeek.ByQueue[1].Key != "network" || p.ThisWeek.ByService[0].Key != "email_failure" {
		t.Errorf("week: %+v", p.ThisWeek)
	}
	if len(p.Today.Comments) != 2 || p.Today.Comments[0].Comment != "Muy amable" || p.Today.Comments[0].Channel != "web" ||
		p.Today.Comments[1].Score != 1 || p.Today.Comments[1].Channel != "keypad" {
		t.Errorf("comments: %+v", p.Today.Comments)
	}
	if r := e.login("ag", tickets.RoleAgent).do("GET", "/api/v1/surveys/stats", nil); r.status != 403 {
		t.Errorf("agent: %d", r.status)
	}
}

func TestWeeklyReportSurveys(t *testing.T) {
	t.Parallel()
	e := surveyEnv(t)
	sup := e.login("sup", tickets.RoleSupervisor)
	var r tickets.WeeklyReport
	sup.must(200, "GET", "/api/v1/reports/weekly?week=2026-W10", nil, &r)
	if r.Surveys == nil {
		t.Fatal("no surveys in the report")
	}
	w, p := r.Surveys.Week, r.Surveys.Previous
	if w.Total.Count != 3 || w.Total.Low != 1 || len(w.ByAgent) != 2 || p.Total.Count != 1 || *p.Total.Mean != 3 || len(w.Comments) != 2 {
		t.Errorf("surveys: %+v / %+v", w, p)
	}
	const want = "week,by,name,answers,mean_score,low_scores,score_1,score_2,score_3,score_4,score_5,prev_answers,prev_mean_score,delta_mean_score\n" +
		"2026-W10,agent,ana,2,3.00,1,1,0,0,0,1,1,3.00,0.00\n" +
		"2026-W10,agent,beto,1,4.00,0,0,0,0,1,0,0,,\n" +
		"2026-W10,queue,general,1,4.00,0,0,0,0,1,0,1,3.00,1.00\n" +
		"2026-W10,queue,network,2,3.00,1,1,0,0,0,1,0,,\n" +
		"2026-W10,service,email_failure,1,4.00,0,0,0,0,1,0,1,3.00,1.00\n" +
		"2026-W10,service,internet_failure,2,3.00,1,1,0,0,0,1,0,,\n" +
		"2026-W10,all,all,3,3.33,1,1,0,0,1,1,1,3.00,0.33\n"
	res := sup.do("GET", "/api/v1/reports/weekly-surveys.csv?week=2026-W10&lang=en", nil)
	if res.status != 200 || string(res.body) != want {
		t.Errorf("CSV: %d\n%s\nwant\n%s", res.status, res.body, want)
	}
	res = sup.do("GET", "/api/v1/reports/weekly-surveys.csv?week=2026-W10", nil)
	if !strings.HasPrefix(string(res.body), "semana,por,nombre,respuestas,calificacion_media,") || !strings.Contains(string(res.body), "2026-W10,agente,ana,2,3.00,") {
		t.Errorf("CSV es: %s", res.body)
	}
	if res := e.login("ag", tickets.RoleAgent).do("GET", "/api/v1/reports/weekly-surveys.csv", nil); res.status != 403 {
		t.Errorf("agent: %d", res.status)
	}
}
