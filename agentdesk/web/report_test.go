package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
)

func (c *clock) setReportTime(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// reportEnv is a server with a small fixture, computed by hand: in week
// 2026-W10 (2-8 March 2026, Mexico City) two internet incidents from the
// same phone, resolved in 2h (on time) and 4h (late), both answered on
// time; in week 2026-W09 one, resolved in 1h on time. The clock is then
// left in week 2026-W11, the default week (the current one, to date).
//
// W10 internet/incident: opened 2, resolved 2, mean 3h, p90 2 + 0.9*2 =
// 3.8h, resolution SLA 1/2 = 50%, response SLA 2/2, repeated 2 (the phone
// has 3 incidents in the 30 days to 8 March, 2 of them in the week).
// W09: 1, 1, 1h, 1h, 100%, 100%, 0.
func reportEnv(t *testing.T) *env {
	e := newEnv(t)
	mx, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	at := func(month time.Month, day, h, m int) time.Time { return time.Date(2026, month, day, h, m, 0, 0, mx) }
	for _, f := range []struct {
		created, response, resolved, responseDue, resolutionDue time.Time
	}{
		{at(3, 2, 10, 0), at(3, 2, 10, 30), at(3, 2, 12, 0), at(3, 2, 11, 0), at(3, 2, 14, 0)},
		{at(3, 3, 9, 0), at(3, 3, 9, 15), at(3, 3, 13, 0), at(3, 3, 9, 30), at(3, 3, 11, 0)},
		{at(2, 24, 9, 0), at(2, 24, 9, 5), at(2, 24, 10, 0), at(2, 24, 9, 30), at(2, 24, 17, 0)},
	} {
		e.clock.setReportTime(f.created)
		tk := &tickets.Ticket{Kind: tickets.Incident, Service: "internet_failure", Impact: tickets.Medium, Urgency: tickets.Medium,
			Priority: tickets.P3, Level: 1, Channel: tickets.Phone, Caller: tickets.Caller{Name: "Ana", Phone: "+525511111111"},
			ResponseDue: &f.responseDue, ResolutionDue: &f.resolutionDue}
		if err := e.db.CreateTicket(ctx, tk, "agent1"); err != nil {
			t.Fatal(err)
		}
		e.clock.setReportTime(f.response)
		if _, err := e.db.Transition(ctx, tk.Number, tickets.InProgress, tickets.Change{Actor: "agent1"}); err != nil {
			t.Fatal(err)
		}
		e.clock.setReportTime(f.resolved)
		if _, err := e.db.Transition(ctx, tk.Number, tickets.Resolved, tickets.Change{Actor: "agent1", Reason: "fixed"}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.setReportTime(at(3, 10, 9, 0))
	return e
}

func TestWeeklyReportJSON(t *testing.T) {
	t.Parallel()
	e := reportEnv(t)
	sup := e.login("sup", tickets.RoleSupervisor)
	var r tickets.WeeklyReport
	sup.must(200, "GET", "/api/v1/reports/weekly?week=2026-W10", nil, &r)
	var def tickets.WeeklyReport
	sup.must(200, "GET", "/api/v1/reports/weekly", nil, &def) // the current week, to date
	if def.Week != "2026-W11" || def.PreviousWeek != "2026-W10" {
		t.Errorf("default week %s (previous %s), want the current week 2026-W11 (previous 2026-W10)", def.Week, def.PreviousWeek)
	}
	g := r.Total
	if r.Week != "2026-W10" || r.PreviousWeek != "2026-W09" || r.TimeZone != "America/Mexico_City" || r.ResolutionTime != "wall_clock" ||
		!r.From.Equal(time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)) || len(r.Groups) != 1 || len(r.Repeated) != 1 {
		t.Fatalf("report: %+v", r)
	}
	w, p, d := g.Week, g.Previous, g.Delta
	if w.Opened != 2 || w.Resolved != 2 || *w.MeanResolution != 10800 || *w.P90Resolution != 13680 ||
		w.ResolutionSLA.Met != 1 || w.ResolutionSLA.Total != 2 || *w.ResolutionSLA.Percent != 50 ||
		w.ResponseSLA.Met != 2 || w.ResponseSLA.Total != 2 || *w.ResponseSLA.Percent != 100 || w.Repeated != 2 {
		t.Errorf("week: %+v", w)
	}
	if p.Opened != 1 || p.Resolved != 1 || *p.MeanResolution != 3600 || *p.P90Resolution != 3600 ||
		*p.ResolutionSLA.Percent != 100 || *p.ResponseSLA.Percent != 100 || p.Repeated != 0 {
		t.Errorf("previous: %+v", p)
	}
	if d.Opened != 1 || d.Resolved != 1 || *d.MeanResolution != 7200 || *d.P90Resolution != 10080 ||
		*d.ResolutionSLA != -50 || *d.ResponseSLA != 0 || d.Repeated != 2 {
		t.Errorf("delta: %+v", d)
	}
	if f := r.Repeated[0]; f.By != "phone" || f.Value != "+525511111111" || len(f.Tickets) != 3 || f.InWeek != 2 {
		t.Errorf("repeated: %+v", f)
	}
}

func TestWeeklyReportCSV(t *testing.T) {
	t.Parallel()
	e := reportEnv(t)
	adm := e.login("adm", tickets.RoleAdmin)
	const row = "1.00,1.00,100.00,100.00,0,1,1,2.00,2.80,-50.00,0.00,2\n"
	const en = "week,service,kind,opened,resolved,mean_resolution_hours,p90_resolution_hours,resolution_sla_pct,response_sla_pct,repeated," +
		"prev_opened,prev_resolved,prev_mean_resolution_hours,prev_p90_resolution_hours,prev_resolution_sla_pct,prev_response_sla_pct,prev_repeated," +
		"delta_opened,delta_resolved,delta_mean_resolution_hours,delta_p90_resolution_hours,delta_resolution_sla_points,delta_response_sla_points,delta_repeated\n" +
		"2026-W10,internet_failure,incident,2,2,3.00,3.80,50.00,100.00,2,1,1," + row +
		"2026-W10,internet_failure,all,2,2,3.00,3.80,50.00,100.00,2,1,1," + row +
		"2026-W10,all,incident,2,2,3.00,3.80,50.00,100.00,2,1,1," + row +
		"2026-W10,all,all,2,2,3.00,3.80,50.00,100.00,2,1,1," + row
	r := adm.do("GET", "/api/v1/reports/weekly.csv?week=2026-W10&lang=en", nil)
	if r.status != 200 || string(r.body) != en {
		t.Errorf("CSV en: %d\n%s\nwant\n%s", r.status, r.body, en)
	}
	if ct, cd := r.header.Get("Content-Type"), r.header.Get("Content-Disposition"); ct != "text/csv; charset=utf-8" ||
		cd != `attachment; filename="atiende-weekly-2026-W10.csv"` {
		t.Errorf("headers: %q, %q", ct, cd)
	}
	// Without lang, the user's language (es); the figures are the same.
	r = adm.do("GET", "/api/v1/reports/weekly.csv?week=2026-W10", nil)
	lines := strings.Split(string(r.body), "\n")
	if r.status != 200 || !strings.HasPrefix(lines[0], "semana,servicio,categoria,abiertos,resueltos,resolucion_media_horas,") ||
		lines[4] != "2026-W10,todos,todos,2,2,3.00,3.80,50.00,100.00,2,1,1,"+strings.TrimSuffix(row, "\n") {
		t.Errorf("CSV es: %d\n%s", r.status, r.body)
	}
}

func TestWeeklyReportRolesAndBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clients := map[tickets.Role]*client{}
	for _, role := range tickets.Roles {
		clients[role] = e.login(string(role)+"1", role)
	}
	for _, path := range []string{"/api/v1/reports/weekly?week=2026-W10", "/api/v1/reports/weekly.csv?week=2026-W10"} {
		for _, role := range tickets.Roles {
			r := clients[role].do("GET", path, nil)
			code, _ := r.errCode()
			allowed := role == tickets.RoleSupervisor || role == tickets.RoleAdmin
			if allowed && r.status != 200 || !allowed && (r.status != 403 || code != tickets.EFORBIDDEN) {
				t.Errorf("GET %s as %s: %d %s", path, role, r.status, r.body)
			}
		}
	}
	sup := clients[tickets.RoleSupervisor]
	for _, tc := range []struct{ path, msg string }{
		{"/api/v1/reports/weekly?week=2026-47", `week: week "2026-47" is not an ISO week like 2026-W47`},
		{"/api/v1/reports/weekly?week=2025-W53", `week: week "2025-W53" does not exist: 2025 has weeks 1 to 52`},
		{"/api/v1/reports/weekly.csv?week=last", `week: week "last" is not an ISO week like 2026-W47`},
		{"/api/v1/reports/weekly.csv?week=2026-W10&lang=fr", "lang must be es or en"},
	} {
		r := sup.do("GET", tc.path, nil)
		code, msg := r.errCode()
		if r.status != 400 || code != tickets.EINVALID || !strings.HasPrefix(msg, tc.msg) {
			t.Errorf("GET %s: %d %s, want 400 %q", tc.path, r.status, r.body, tc.msg)
		}
	}
	// An empty week is a report of zeros, not an error.
	var r tickets.WeeklyReport
	sup.must(200, "GET", "/api/v1/reports/weekly?week=2026-W01", nil, &r)
	if r.Total.Week.Opened != 0 || r.Total.Week.MeanResolution != nil || len(r.Groups) != 0 || r.Repeated == nil {
		t.Errorf("empty week: %+v", r)
	}
}
