package postgres_test

import (
	"context"
	"encoding/csv"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/web"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// fixtureTicket is one ticket of the hand-computed fixture week, made
// through the Store API with the clock moved to each instant, so that the
// store itself stamps created_at, first_response_at and resolved_at.
type fixtureTicket struct {
	kind             tickets.Kind
	service          string
	phone, extension string
	created          time.Time
	response         time.Time // zero: never left Registered
	resolved         time.Time // zero: not resolved
	closed           bool
	responseDue      time.Time // zero: none
	resolutionDue    time.Time
}

// reportFixture is the fixture of tickets/report_test.go (week 2026-W47 and
// the week before, computed by hand there), in the same order, so the store
// numbers them 260001 to 260014.
func reportFixture(loc *time.Location) []fixtureTicket {
	at := func(month time.Month, day, h, m int) time.Time { return time.Date(2026, month, day, h, m, 0, 0, loc) }
	const nov, oct = time.November, time.October
	inc, info := tickets.Incident, tickets.InfoRequest
	return []fixtureTicket{
		{inc, "internet_failure", "+525511111111", "", at(nov, 16, 9, 0), at(nov, 16, 9, 10), at(nov, 16, 11, 0), true, at(nov, 16, 9, 30), at(nov, 16, 17, 0)},
		{inc, "internet_failure", "+525511111111", "", at(nov, 17, 10, 0), at(nov, 17, 10, 45), at(nov, 17, 16, 0), false, at(nov, 17, 10, 30), at(nov, 17, 14, 0)},
		{inc, "internet_failure", "", "60100", at(nov, 18, 8, 0), at(nov, 18, 8, 30), at(nov, 19, 8, 0), false, at(nov, 18, 8, 30), at(nov, 19, 8, 0)},
		{inc, "internet_failure", "", "60100", at(nov, 20, 12, 0), at(nov, 20, 12, 5), time.Time{}, false, at(nov, 20, 12, 30), time.Time{}},
		// Resolved without a first response of its own: the store stamps
		// it when the ticket leaves Registered, here at resolution; no
		// response due, so it is not measured.
		{info, "email_failure", "+525511111111", "", at(nov, 16, 10, 0), time.Time{}, at(nov, 16, 10, 30), true, time.Time{}, time.Time{}},
		{inc, "email_failure", "+525522222222", "", at(nov, 19, 9, 0), at(nov, 19, 9, 10), at(nov, 21, 9, 0), false, at(nov, 19, 9, 30), at(nov, 20, 9, 0)},
		{inc, "internet_failure", "", "", at(nov, 22, 23, 30), time.Time{}, time.Time{}, false, time.Time{}, time.Time{}},
		{inc, "internet_failure", "", "60100", at(nov, 23, 0, 0), time.Time{}, time.Time{}, false, time.Time{}, time.Time{}},
		{inc, "internet_failure", "+525533333333", "", at(nov, 13, 10, 0), at(nov, 13, 10, 5), at(nov, 16, 10, 0), false, at(nov, 13, 10, 30), at(nov, 14, 10, 0)},
		{inc, "internet_failure", "+525544444444", "", at(nov, 9, 9, 0), at(nov, 9, 9, 20), at(nov, 9, 13, 0), true, at(nov, 9, 9, 30), at(nov, 9, 17, 0)},
		{inc, "internet_failure", "", "", at(nov, 10, 9, 0), at(nov, 10, 9, 40), at(nov, 11, 9, 0), true, at(nov, 10, 9, 30), at(nov, 10, 17, 0)},
		{info, "email_failure", "", "", at(nov, 11, 11, 0), time.Time{}, at(nov, 11, 11, 30), true, time.Time{}, time.Time{}},
		{inc, "email_failure", "+525522222222", "", at(oct, 30, 10, 0), time.Time{}, at(oct, 30, 12, 0), true, time.Time{}, time.Time{}},
		{inc, "internet_failure", "+525533333333", "", at(oct, 20, 10, 0), time.Time{}, at(oct, 20, 11, 0), true, time.Time{}, time.Time{}},
	}
}

func reportOptTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// loadReportFixture creates the fixture tickets and returns their numbers.
func loadReportFixture(t *testing.T, db *postgres.DB, clock *fakeClock, fx []fixtureTicket) []string {
	t.Helper()
	ctx := context.Background()
	var numbers []string
	move := func(number string, at time.Time, to tickets.State, reason string) {
		t.Helper()
		clock.now = at
		if _, err := db.Transition(ctx, number, to, tickets.Change{Actor: "tech1", Reason: reason}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range fx {
		clock.now = f.created
		tk := &tickets.Ticket{Kind: f.kind, Service: f.service, Impact: tickets.Medium, Urgency: tickets.Medium,
			Priority: tickets.P3, Level: 1, Channel: tickets.Phone, Subject: "Falla",
			Caller:      tickets.Caller{Name: "Usuario", Phone: f.phone, Extension: f.extension},
			ResponseDue: reportOptTime(f.responseDue), ResolutionDue: reportOptTime(f.resolutionDue)}
		mustCreate(t, db, tk)
		numbers = append(numbers, tk.Number)
		switch {
		case !f.response.IsZero():
			move(tk.Number, f.response, tickets.InProgress, "")
		case !f.resolved.IsZero():
			move(tk.Number, f.resolved, tickets.InProgress, "")
		}
		if !f.resolved.IsZero() {
			move(tk.Number, f.resolved, tickets.Resolved, "fixed")
		}
		if f.closed {
			move(tk.Number, f.resolved.Add(time.Hour), tickets.Closed, "")
		}
	}
	return numbers
}

func reportZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

// The numbers of the fixture week, read back from PostgreSQL, are the ones
// computed by hand (the CSV below is the one agentdesk/web/report_render_test.go
// checks against the same fixture's report computed in memory).
func TestWeeklyReportFromDatabase(t *testing.T) {
	ctx := context.Background()
	mx := reportZone(t)
	clock := &fakeClock{}
	db := newDB(t, postgres.Options{Clock: clock.Now})
	n := loadReportFixture(t, db, clock, reportFixture(mx))
	if n[0] != "260001" || n[13] != "260014" {
		t.Fatalf("numbers %v", n)
	}

	r, err := tickets.BuildWeeklyReport(ctx, db, tickets.ISOWeek{Year: 2026, Week: 47}, tickets.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := csv.NewWriter(&b).WriteAll(web.WeeklyCSVRecords(r, "en")); err != nil {
		t.Fatal(err)
	}
	want := `week,service,kind,opened,resolved,mean_resolution_hours,p90_resolution_hours,resolution_sla_pct,response_sla_pct,repeated,prev_opened,prev_resolved,prev_mean_resolution_hours,prev_p90_resolution_hours,prev_resolution_sla_pct,prev_response_sla_pct,prev_repeated,delta_opened,delta_resolved,delta_mean_resolution_hours,delta_p90_resolution_hours,delta_resolution_sla_points,delta_response_sla_points,delta_repeated
2026-W47,email_failure,incident,1,1,48.00,48.00,0.00,100.00,1,0,0,,,,,0,1,1,,,,,1
2026-W47,email_failure,information_request,1,1,0.50,0.50,,,0,1,1,0.50,0.50,,,0,0,0,0.00,0.00,,,0
2026-W47,internet_failure,incident,5,4,26.00,57.60,50.00,75.00,4,3,2,14.00,22.00,50.00,66.67,1,2,2,12.00,35.60,0.00,8.33,3
2026-W47,email_failure,all,2,2,24.25,43.25,0.00,100.00,1,1,1,0.50,0.50,,,0,1,1,23.75,42.75,,,1
2026-W47,internet_failure,all,5,4,26.00,57.60,50.00,75.00,4,3,2,14.00,22.00,50.00,66.67,1,2,2,12.00,35.60,0.00,8.33,3
2026-W47,all,incident,6,5,30.40,62.40,40.00,80.00,5,3,2,14.00,22.00,50.00,66.67,1,3,3,16.40,40.40,-10.00,13.33,4
2026-W47,all,information_request,1,1,0.50,0.50,,,0,1,1,0.50,0.50,,,0,0,0,0.00,0.00,,,0
2026-W47,all,all,7,6,25.42,60.00,40.00,80.00,5,4,3,9.50,20.00,50.00,66.67,1,3,3,15.92,40.00,-10.00,13.33,4
`
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}

	// The unrounded figures are exact.
	tot := r.Total.Week
	if *tot.MeanResolution != 91500 || *tot.P90Resolution != 216000 || *r.Total.Previous.MeanResolution != 34200 ||
		*r.Total.Previous.P90Resolution != 72000 || *r.Total.Delta.MeanResolution != 57300 ||
		tot.ResolutionSLA != (tickets.SLAFigure{Met: 2, Total: 5, Percent: tot.ResolutionSLA.Percent}) || *tot.ResolutionSLA.Percent != 40 ||
		tot.ResponseSLA.Met != 4 || tot.ResponseSLA.Total != 5 || *tot.ResponseSLA.Percent != 80 || tot.Repeated != 5 {
		t.Errorf("total: %+v", r.Total)
	}
	wantRepeats := []tickets.RepeatedFault{
		{By: "extension", Value: "60100", Tickets: []string{n[2], n[3]}, InWeek: 2, Services: []string{"internet_failure"}},
		{By: "phone", Value: "+525511111111", Tickets: []string{n[0], n[1]}, InWeek: 2, Services: []string{"internet_failure"}},
		{By: "phone", Value: "+525522222222", Tickets: []string{n[12], n[5]}, InWeek: 1, Services: []string{"email_failure"}},
	}
	if !reflect.DeepEqual(r.Repeated, wantRepeats) {
		t.Errorf("repeated faults:\n got %+v\nwant %+v", r.Repeated, wantRepeats)
	}

	// Go's percentile agrees with PostgreSQL's percentile_cont on the
	// resolution times of the week.
	for _, g := range append([]tickets.ReportGroup{r.Total}, r.Groups...) {
		var p90 float64
		sql := `SELECT coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)), -1)::float8
			FROM tickets WHERE resolved_at >= $1 AND resolved_at < $2 AND ($3 = '' OR service = $3) AND ($4 = '' OR kind = $4)`
		if err := postgres.RawScan(ctx, db, sql, []any{r.From, r.To, g.Service, string(g.Kind)}, &p90); err != nil {
			t.Fatal(err)
		}
		if g.Week.P90Resolution == nil || math.Abs(p90-*g.Week.P90Resolution) > 1e-6 {
			t.Errorf("%s/%s: percentile_cont %v, Go %v", g.Service, g.Kind, p90, g.Week.P90Resolution)
		}
	}
}

// WeekTickets returns the tickets created, first responded to or resolved
// in [from, to), bounds included at from and excluded at to.
func TestWeekTicketsRange(t *testing.T) {
	ctx := context.Background()
	mx := reportZone(t)
	clock := &fakeClock{}
	db := newDB(t, postgres.Options{Clock: clock.Now})
	n := loadReportFixture(t, db, clock, reportFixture(mx))
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, mx)
	to := from.AddDate(0, 0, 7)
	rows, err := db.WeekTickets(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Number)
	}
	// The seven created in the week, and C1 (n[8]), created the week
	// before and resolved on Monday; ordered by creation. Not n[7]: it is
	// created exactly at the end of the week.
	want := []string{n[8], n[0], n[4], n[1], n[2], n[5], n[3], n[6]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("week rows %v, want %v", got, want)
	}
	r := rows[3] // n[1]
	if r.Kind != tickets.Incident || r.Service != "internet_failure" || r.State != tickets.Resolved || r.CallerPhone != "+525511111111" ||
		!r.CreatedAt.Equal(time.Date(2026, 11, 17, 10, 0, 0, 0, mx)) || !r.FirstResponseAt.Equal(time.Date(2026, 11, 17, 10, 45, 0, 0, mx)) ||
		!r.ResolvedAt.Equal(time.Date(2026, 11, 17, 16, 0, 0, 0, mx)) || !r.ResponseDue.Equal(time.Date(2026, 11, 17, 10, 30, 0, 0, mx)) ||
		!r.ResolutionDue.Equal(time.Date(2026, 11, 17, 14, 0, 0, 0, mx)) {
		t.Errorf("row %+v", r)
	}
	// A first response alone qualifies (C1's, on Friday of the week before).
	rows, err = db.WeekTickets(ctx, time.Date(2026, 11, 13, 10, 5, 0, 0, mx), time.Date(2026, 11, 13, 10, 6, 0, 0, mx))
	if err != nil || len(rows) != 1 || rows[0].Number != n[8] {
		t.Errorf("first response only: %+v, %v", rows, err)
	}
}
