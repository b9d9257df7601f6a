package tickets

import (
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func reportMX(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

func TestParseISOWeek(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ISOWeek
		err  string
	}{
		{"2026-W47", ISOWeek{2026, 47}, ""},
		{"2026-w01", ISOWeek{2026, 1}, ""},
		{"2026-W53", ISOWeek{2026, 53}, ""}, // 28 Dec 2026 is a Monday
		{"2025-W53", ISOWeek{}, "2025 has weeks 1 to 52"},
		{"2026-W00", ISOWeek{}, "has weeks 1 to 53"},
		{"2026-47", ISOWeek{}, "not an ISO week like 2026-W47"},
		{"2026W47", ISOWeek{}, "not an ISO week"},
		{"2026-W4", ISOWeek{}, "not an ISO week"},
		{"26-W47", ISOWeek{}, "not an ISO week"},
		{"2026-W+7", ISOWeek{}, "not an ISO week"},
		{"", ISOWeek{}, "not an ISO week"},
	} {
		got, err := ParseISOWeek(tc.in)
		if tc.err != "" {
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tc.err) {
				t.Errorf("ParseISOWeek(%q) = %v, %v; want EINVALID %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || got.String() != strings.ToUpper(tc.in) {
			t.Errorf("ParseISOWeek(%q) = %v (%s), %v", tc.in, got, got, err)
		}
	}
}

func TestISOWeekBounds(t *testing.T) {
	mx := reportMX(t)
	for _, tc := range []struct {
		w          ISOWeek
		start, end string
		prev       ISOWeek
	}{
		{ISOWeek{2026, 47}, "2026-11-16T00:00:00-06:00", "2026-11-23T00:00:00-06:00", ISOWeek{2026, 46}},
		{ISOWeek{2026, 1}, "2025-12-29T00:00:00-06:00", "2026-01-05T00:00:00-06:00", ISOWeek{2025, 52}},
		{ISOWeek{2027, 1}, "2027-01-04T00:00:00-06:00", "2027-01-11T00:00:00-06:00", ISOWeek{2026, 53}},
		// Mexico City still kept DST in 2022 until 30 October.
		{ISOWeek{2022, 43}, "2022-10-24T00:00:00-05:00", "2022-10-31T00:00:00-06:00", ISOWeek{2022, 42}},
	} {
		s, e := tc.w.Start(mx), tc.w.End(mx)
		if s.Format(time.RFC3339) != tc.start || e.Format(time.RFC3339) != tc.end || tc.w.Prev() != tc.prev {
			t.Errorf("%s: [%s, %s) prev %s; want [%s, %s) prev %s", tc.w, s.Format(time.RFC3339), e.Format(time.RFC3339), tc.w.Prev(), tc.start, tc.end, tc.prev)
		}
		if WeekOf(s, mx) != tc.w || WeekOf(e.Add(-time.Nanosecond), mx) != tc.w || WeekOf(e, mx) == tc.w {
			t.Errorf("%s: WeekOf disagrees with the bounds", tc.w)
		}
	}
}

func TestPercentileCont(t *testing.T) {
	for _, tc := range []struct {
		v    []int64
		want float64
	}{
		{[]int64{7}, 7},
		{[]int64{1, 2}, 1.9},
		{[]int64{2, 6, 24, 72}, 57.6},
		{[]int64{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 90},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 9.1},
	} {
		if got := PercentileCont(tc.v, 9, 10); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("p90 %v = %v, want %v", tc.v, got, tc.want)
		}
	}
}

// reportFixtureWeek is the hand-computed fixture: week 2026-W47 (16-22 November
// 2026, Mexico City, UTC-6) and the week before, 2026-W46.
//
// Week 47, resolved (resolution time, due, met?):
//
//	A1 internet incident 2h   met      (phone ...1111)
//	A2 internet incident 6h   breached (phone ...1111: repeats A1)
//	A3 internet incident 24h  met exactly at the due time (ext 60100)
//	C1 internet incident 72h  breached (opened in week 46)
//	E1 email info request 0.5h no due (phone ...1111, not an incident)
//	E2 email incident    48h  breached (phone ...2222: repeats O1 of 30 Oct)
//
// opened but not resolved: A4 (ext 60100: repeats A3), X1 (Sunday 23:30,
// which is Monday in UTC). X2 opens at the next Monday 00:00: not counted.
//
// internet/incident: opened 5 (A1-A4, X1), resolved 4: mean (2+6+24+72)/4 =
// 26h = 93600 s, p90 = 24 + 0.7*(72-24) = 57.6h = 207360 s, resolution SLA
// 2/4 = 50%, response SLA 3/4 (A2 late) = 75%, repeated 4 (A1 A2 A3 A4).
// Total: opened 7, resolved 6, times 0.5 2 6 24 48 72 h: mean 152.5/6 =
// 25.41666h = 91500 s, p90 = 48 + 0.5*24 = 60h = 216000 s, resolution SLA
// 2/5 = 40%, response SLA 4/5 = 80%, repeated 5.
//
// Week 46: C1 (phone ...3333, repeats O2 of 20 Oct, inside week 46's
// 30-day window but not week 47's), P1 4h met, P2 24h breached, P3 email
// info request 0.5h. Total: opened 4, resolved 3, mean 28.5/3 = 9.5h =
// 34200 s, p90 = 4 + 0.8*20 = 20h = 72000 s, resolution SLA 1/2, response
// SLA 2/3 (C1, P1 on time; P2 late), repeated 1 (C1).
func reportFixtureWeek(loc *time.Location) []ReportTicket {
	at := func(month time.Month, day, h, m int) time.Time { return time.Date(2026, month, day, h, m, 0, 0, loc) }
	p := func(t time.Time) *time.Time { return &t }
	const nov = time.November
	return []ReportTicket{
		{Number: "260001", Kind: Incident, Service: "internet_failure", State: Closed, CallerPhone: "+525511111111",
			CreatedAt: at(nov, 16, 9, 0), FirstResponseAt: p(at(nov, 16, 9, 10)), ResponseDue: p(at(nov, 16, 9, 30)),
			ResolvedAt: p(at(nov, 16, 11, 0)), ResolutionDue: p(at(nov, 16, 17, 0))},
		{Number: "260002", Kind: Incident, Service: "internet_failure", State: Resolved, CallerPhone: "+525511111111",
			CreatedAt: at(nov, 17, 10, 0), FirstResponseAt: p(at(nov, 17, 10, 45)), ResponseDue: p(at(nov, 17, 10, 30)),
			ResolvedAt: p(at(nov, 17, 16, 0)), ResolutionDue: p(at(nov, 17, 14, 0))},
		{Number: "260003", Kind: Incident, Service: "internet_failure", State: Resolved, CallerExtension: "60100",
			CreatedAt: at(nov, 18, 8, 0), FirstResponseAt: p(at(nov, 18, 8, 30)), ResponseDue: p(at(nov, 18, 8, 30)),
			ResolvedAt: p(at(nov, 19, 8, 0)), ResolutionDue: p(at(nov, 19, 8, 0))},
		{Number: "260004", Kind: Incident, Service: "internet_failure", State: InProgress, CallerExtension: "60100",
			CreatedAt: at(nov, 20, 12, 0), FirstResponseAt: p(at(nov, 20, 12, 5)), ResponseDue: p(at(nov, 20, 12, 30))},
		{Number: "260005", Kind: InfoRequest, Service: "email_failure", State: Closed, CallerPhone: "+525511111111",
			CreatedAt: at(nov, 16, 10, 0), ResolvedAt: p(at(nov, 16, 10, 30))},
		{Number: "260006", Kind: Incident, Service: "email_failure", State: Resolved, CallerPhone: "+525522222222",
			CreatedAt: at(nov, 19, 9, 0), FirstResponseAt: p(at(nov, 19, 9, 10)), ResponseDue: p(at(nov, 19, 9, 30)),
			ResolvedAt: p(at(nov, 21, 9, 0)), ResolutionDue: p(at(nov, 20, 9, 0))},
		{Number: "260007", Kind: Incident, Service: "internet_failure", State: Registered,
			CreatedAt: at(nov, 22, 23, 30)},
		{Number: "260008", Kind: Incident, Service: "internet_failure", State: Registered, CallerExtension: "60100",
			CreatedAt: at(nov, 23, 0, 0)},
		// Week 46.
		{Number: "260010", Kind: Incident, Service: "internet_failure", State: Resolved, CallerPhone: "+525533333333",
			CreatedAt: at(nov, 13, 10, 0), FirstResponseAt: p(at(nov, 13, 10, 5)), ResponseDue: p(at(nov, 13, 10, 30)),
			ResolvedAt: p(at(nov, 16, 10, 0)), ResolutionDue: p(at(nov, 14, 10, 0))},
		{Number: "260011", Kind: Incident, Service: "internet_failure", State: Closed, CallerPhone: "+525544444444",
			CreatedAt: at(nov, 9, 9, 0), FirstResponseAt: p(at(nov, 9, 9, 20)), ResponseDue: p(at(nov, 9, 9, 30)),
			ResolvedAt: p(at(nov, 9, 13, 0)), ResolutionDue: p(at(nov, 9, 17, 0))},
		{Number: "260012", Kind: Incident, Service: "internet_failure", State: Closed,
			CreatedAt: at(nov, 10, 9, 0), FirstResponseAt: p(at(nov, 10, 9, 40)), ResponseDue: p(at(nov, 10, 9, 30)),
			ResolvedAt: p(at(nov, 11, 9, 0)), ResolutionDue: p(at(nov, 10, 17, 0))},
		{Number: "260013", Kind: InfoRequest, Service: "email_failure", State: Closed,
			CreatedAt: at(nov, 11, 11, 0), ResolvedAt: p(at(nov, 11, 11, 30))},
		// Older: in the repeated-fault windows only.
		{Number: "260020", Kind: Incident, Service: "email_failure", State: Closed, CallerPhone: "+525522222222",
			CreatedAt: at(time.October, 30, 10, 0), ResolvedAt: p(at(time.October, 30, 12, 0))},
		{Number: "260021", Kind: Incident, Service: "internet_failure", State: Closed, CallerPhone: "+525533333333",
			CreatedAt: at(time.October, 20, 10, 0), ResolvedAt: p(at(time.October, 20, 11, 0))},
	}
}

func reportF(v float64) *float64 { return &v }

func TestWeeklyReportFixture(t *testing.T) {
	mx := reportMX(t)
	r := ComputeWeeklyReport(ISOWeek{2026, 47}, reportFixtureWeek(mx), ReportOptions{})
	CheckFixtureReport(t, r)
}

// CheckFixtureReport asserts every number of the fixture week's report.
func CheckFixtureReport(t *testing.T, r *WeeklyReport) {
	t.Helper()
	if r.Week != "2026-W47" || r.PreviousWeek != "2026-W46" || r.TimeZone != "America/Mexico_City" ||
		r.ResolutionTime != "wall_clock" || r.RepeatDays != 30 ||
		r.From.Format(time.RFC3339) != "2026-11-16T00:00:00-06:00" || r.To.Format(time.RFC3339) != "2026-11-23T00:00:00-06:00" {
		t.Errorf("header: %+v", r)
	}
	reportSLAFig := func(met, total int, pct float64) SLAFigure {
		if total == 0 {
			return SLAFigure{}
		}
		return SLAFigure{Met: met, Total: total, Percent: reportF(pct)}
	}
	total := ReportGroup{
		Week: Figures{Opened: 7, Resolved: 6, MeanResolution: reportF(91500), P90Resolution: reportF(216000),
			ResolutionSLA: reportSLAFig(2, 5, 40), ResponseSLA: reportSLAFig(4, 5, 80), Repeated: 5},
		Previous: Figures{Opened: 4, Resolved: 3, MeanResolution: reportF(34200), P90Resolution: reportF(72000),
			ResolutionSLA: reportSLAFig(1, 2, 50), ResponseSLA: reportSLAFig(2, 3, 200.0/3), Repeated: 1},
		Delta: FigureDelta{Opened: 3, Resolved: 3, MeanResolution: reportF(57300), P90Resolution: reportF(144000),
			ResolutionSLA: reportF(-10), ResponseSLA: reportF(80 - 200.0/3), Repeated: 4},
	}
	checkReportGroup(t, "total", r.Total, total)

	internet := ReportGroup{Service: "internet_failure", Kind: Incident,
		Week: Figures{Opened: 5, Resolved: 4, MeanResolution: reportF(93600), P90Resolution: reportF(207360),
			ResolutionSLA: reportSLAFig(2, 4, 50), ResponseSLA: reportSLAFig(3, 4, 75), Repeated: 4},
		Previous: Figures{Opened: 3, Resolved: 2, MeanResolution: reportF(50400), P90Resolution: reportF(79200),
			ResolutionSLA: reportSLAFig(1, 2, 50), ResponseSLA: reportSLAFig(2, 3, 200.0/3), Repeated: 1},
		Delta: FigureDelta{Opened: 2, Resolved: 2, MeanResolution: reportF(43200), P90Resolution: reportF(128160),
			ResolutionSLA: reportF(0), ResponseSLA: reportF(75 - 200.0/3), Repeated: 3},
	}
	emailIncident := ReportGroup{Service: "email_failure", Kind: Incident,
		Week: Figures{Opened: 1, Resolved: 1, MeanResolution: reportF(172800), P90Resolution: reportF(172800),
			ResolutionSLA: reportSLAFig(0, 1, 0), ResponseSLA: reportSLAFig(1, 1, 100), Repeated: 1},
		Delta: FigureDelta{Opened: 1, Resolved: 1, Repeated: 1},
	}
	emailInfo := ReportGroup{Service: "email_failure", Kind: InfoRequest,
		Week:     Figures{Opened: 1, Resolved: 1, MeanResolution: reportF(1800), P90Resolution: reportF(1800)},
		Previous: Figures{Opened: 1, Resolved: 1, MeanResolution: reportF(1800), P90Resolution: reportF(1800)},
		Delta:    FigureDelta{MeanResolution: reportF(0), P90Resolution: reportF(0)},
	}
	if len(r.Groups) != 3 {
		t.Fatalf("%d groups, want 3: %+v", len(r.Groups), r.Groups)
	}
	checkReportGroup(t, "email/incident", r.Groups[0], emailIncident)
	checkReportGroup(t, "email/info", r.Groups[1], emailInfo)
	checkReportGroup(t, "internet/incident", r.Groups[2], internet)

	if len(r.ByService) != 2 || len(r.ByKind) != 2 {
		t.Fatalf("by service %d, by kind %d; want 2 and 2", len(r.ByService), len(r.ByKind))
	}
	email := ReportGroup{Service: "email_failure",
		Week: Figures{Opened: 2, Resolved: 2, MeanResolution: reportF(87300), P90Resolution: reportF(155700),
			ResolutionSLA: reportSLAFig(0, 1, 0), ResponseSLA: reportSLAFig(1, 1, 100), Repeated: 1},
		Previous: Figures{Opened: 1, Resolved: 1, MeanResolution: reportF(1800), P90Resolution: reportF(1800)},
		Delta:    FigureDelta{Opened: 1, Resolved: 1, MeanResolution: reportF(85500), P90Resolution: reportF(153900), Repeated: 1},
	}
	checkReportGroup(t, "email", r.ByService[0], email)
	internet.Kind = ""
	checkReportGroup(t, "internet", r.ByService[1], internet)
	incidents := ReportGroup{Kind: Incident,
		Week: Figures{Opened: 6, Resolved: 5, MeanResolution: reportF(109440), P90Resolution: reportF(224640),
			ResolutionSLA: reportSLAFig(2, 5, 40), ResponseSLA: reportSLAFig(4, 5, 80), Repeated: 5},
		Previous: Figures{Opened: 3, Resolved: 2, MeanResolution: reportF(50400), P90Resolution: reportF(79200),
			ResolutionSLA: reportSLAFig(1, 2, 50), ResponseSLA: reportSLAFig(2, 3, 200.0/3), Repeated: 1},
		Delta: FigureDelta{Opened: 3, Resolved: 3, MeanResolution: reportF(59040), P90Resolution: reportF(145440),
			ResolutionSLA: reportF(-10), ResponseSLA: reportF(80 - 200.0/3), Repeated: 4},
	}
	checkReportGroup(t, "incidents", r.ByKind[0], incidents)
	emailInfo.Service = ""
	checkReportGroup(t, "info requests", r.ByKind[1], emailInfo)

	wantRepeats := []RepeatedFault{
		{By: "extension", Value: "60100", Tickets: []string{"260003", "260004"}, InWeek: 2, Services: []string{"internet_failure"}},
		{By: "phone", Value: "+525511111111", Tickets: []string{"260001", "260002"}, InWeek: 2, Services: []string{"internet_failure"}},
		{By: "phone", Value: "+525522222222", Tickets: []string{"260020", "260006"}, InWeek: 1, Services: []string{"email_failure"}},
	}
	if !reflect.DeepEqual(r.Repeated, wantRepeats) {
		t.Errorf("repeated faults:\n got %+v\nwant %+v", r.Repeated, wantRepeats)
	}
}

func checkReportGroup(t *testing.T, name string, got, want ReportGroup) {
	t.Helper()
	if got.Service != want.Service || got.Kind != want.Kind {
		t.Errorf("%s: group %q/%q, want %q/%q", name, got.Service, got.Kind, want.Service, want.Kind)
	}
	checkReportFigures(t, name+" week", got.Week, want.Week)
	checkReportFigures(t, name+" previous", got.Previous, want.Previous)
	d, w := got.Delta, want.Delta
	if d.Opened != w.Opened || d.Resolved != w.Resolved || d.Repeated != w.Repeated ||
		!reportSameF(d.MeanResolution, w.MeanResolution) || !reportSameF(d.P90Resolution, w.P90Resolution) ||
		!reportSameF(d.ResolutionSLA, w.ResolutionSLA) || !reportSameF(d.ResponseSLA, w.ResponseSLA) {
		t.Errorf("%s delta:\n got %s\nwant %s", name, reportShow(d), reportShow(w))
	}
}

func checkReportFigures(t *testing.T, name string, got, want Figures) {
	t.Helper()
	if got.Opened != want.Opened || got.Resolved != want.Resolved || got.Repeated != want.Repeated ||
		!reportSameF(got.MeanResolution, want.MeanResolution) || !reportSameF(got.P90Resolution, want.P90Resolution) ||
		got.ResolutionSLA.Met != want.ResolutionSLA.Met || got.ResolutionSLA.Total != want.ResolutionSLA.Total ||
		!reportSameF(got.ResolutionSLA.Percent, want.ResolutionSLA.Percent) ||
		got.ResponseSLA.Met != want.ResponseSLA.Met || got.ResponseSLA.Total != want.ResponseSLA.Total ||
		!reportSameF(got.ResponseSLA.Percent, want.ResponseSLA.Percent) {
		t.Errorf("%s:\n got %s\nwant %s", name, reportShow(got), reportShow(want))
	}
}

// reportSameF compares optional figures; the means and percentiles of the fixture
// are exact, the SLA shares are thirds.
func reportSameF(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 1e-9
}

func reportShow(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The report uses business time when given a calendar.
func TestWeeklyReportBusinessTime(t *testing.T) {
	mx := reportMX(t)
	half := func(a, b time.Time) time.Duration { return b.Sub(a) / 2 }
	r := ComputeWeeklyReport(ISOWeek{2026, 47}, reportFixtureWeek(mx), ReportOptions{BusinessTime: half, Location: mx, RepeatDays: 7})
	if r.ResolutionTime != "business" || !reportSameF(r.Total.Week.MeanResolution, reportF(45750)) || !reportSameF(r.Total.Week.P90Resolution, reportF(108000)) {
		t.Errorf("business: %s mean %v p90 %v", r.ResolutionTime, *r.Total.Week.MeanResolution, *r.Total.Week.P90Resolution)
	}
	// A 7-day window: the repetition with 30 October is gone, and so is C1's.
	if r.RepeatDays != 7 || len(r.Repeated) != 2 || r.Total.Week.Repeated != 4 || r.Total.Previous.Repeated != 0 {
		t.Errorf("7-day window: %d days, %+v, repeated %d/%d", r.RepeatDays, r.Repeated, r.Total.Week.Repeated, r.Total.Previous.Repeated)
	}
}

func TestWeeklyReportEmpty(t *testing.T) {
	r := ComputeWeeklyReport(ISOWeek{2026, 47}, nil, ReportOptions{})
	if r.Total.Week.MeanResolution != nil || r.Total.Week.ResolutionSLA.Percent != nil || r.Total.Delta.MeanResolution != nil ||
		r.Groups == nil || r.ByService == nil || r.ByKind == nil || r.Repeated == nil {
		t.Errorf("empty report: %+v", r)
	}
}

// fakeReportStore checks the range BuildWeeklyReport asks for.
type fakeReportStore struct {
	rows     []ReportTicket
	from, to time.Time
}

func (f *fakeReportStore) WeekTickets(_ context.Context, from, to time.Time) ([]ReportTicket, error) {
	f.from, f.to = from, to
	var out []ReportTicket
	for _, t := range f.rows {
		in := func(p *time.Time) bool { return p != nil && !p.Before(from) && p.Before(to) }
		if in(&t.CreatedAt) || in(t.ResolvedAt) || in(t.FirstResponseAt) {
			out = append(out, t)
		}
	}
	return out, nil
}

func TestBuildWeeklyReport(t *testing.T) {
	mx := reportMX(t)
	st := &fakeReportStore{rows: reportFixtureWeek(mx)}
	r, err := BuildWeeklyReport(context.Background(), st, ISOWeek{2026, 47}, ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Week 46's 30-day window starts on 17 October.
	if st.from.Format(time.RFC3339) != "2026-10-17T00:00:00-06:00" || st.to.Format(time.RFC3339) != "2026-11-23T00:00:00-06:00" {
		t.Errorf("asked for [%s, %s)", st.from, st.to)
	}
	CheckFixtureReport(t, r)
}

// update rewrites the golden report the web layer's rendering tests read.
var update = flag.Bool("update", false, "rewrite testdata/weekly-report-2026-W47.json")

// The fixture week's report, as JSON, is the input of the CSV and text
// renderings' tests (agentdesk/web/report_render_test.go): it must be what
// ComputeWeeklyReport gives today. Rewrite it with go test -update.
func TestWeeklyReportGolden(t *testing.T) {
	r := ComputeWeeklyReport(ISOWeek{2026, 47}, reportFixtureWeek(reportMX(t)), ReportOptions{})
	got, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const golden = "testdata/weekly-report-2026-W47.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is not the fixture's report (go test -run TestWeeklyReportGolden -update ./tickets/):\n%s", golden, got)
	}
}
