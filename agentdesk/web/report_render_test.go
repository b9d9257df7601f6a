package web

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/atiende/atiende/tickets"
)

// fixtureReport is the report of tickets' fixture week (2026-W47, every
// number worked out by hand in tickets/report_test.go), kept as JSON by
// tickets' TestWeeklyReportGolden.
func fixtureReport(t *testing.T) *tickets.WeeklyReport {
	t.Helper()
	raw, err := os.ReadFile("../../tickets/testdata/weekly-report-2026-W47.json")
	if err != nil {
		t.Fatal(err)
	}
	var r tickets.WeeklyReport
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestWeeklyReportEmptyText(t *testing.T) {
	r := tickets.ComputeWeeklyReport(tickets.ISOWeek{Year: 2026, Week: 47}, nil, tickets.ReportOptions{})
	if txt := RenderWeeklyText(r, "en"); !strings.Contains(txt, "No tickets this week or the week before.") {
		t.Errorf("empty text:\n%s", txt)
	}
}

func TestWeeklyCSV(t *testing.T) {
	r := fixtureReport(t)
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.WriteAll(WeeklyCSVRecords(r, "en")); err != nil {
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
	es := ReportCSVHeader("es")
	if es[0] != "semana" || es[3] != "abiertos" || len(es) != len(ReportCSVHeader("en")) {
		t.Errorf("Spanish header: %v", es)
	}
	if got := WeeklyCSVRecords(r, "es"); got[8][1] != "todos" || got[8][2] != "todos" {
		t.Errorf("Spanish total row: %v", got[8])
	}
}

func TestRenderWeeklyText(t *testing.T) {
	r := fixtureReport(t)
	es := RenderWeeklyText(r, "es")
	for _, want := range []string{
		"Reporte semanal de averías 2026-W47\n",
		"Del lunes 16/11/2026 al domingo 22/11/2026 (America/Mexico_City).\n",
		"Tiempos de resolución en tiempo de reloj.\n",
		"Total\n  Abiertos: 7 (4, +3)\n  Resueltos: 6 (3, +3)\n  Resolución media: 25h 25m (9h 30m, +15h 55m)\n  Resolución p90: 60h 00m (20h 00m, +40h 00m)\n" +
			"  SLA de resolución: 40.0% (2/5) (50.0% (1/2), -10.0 pts)\n  SLA de primera respuesta: 80.0% (4/5) (66.7% (2/3), +13.3 pts)\n  Averías repetidas: 5 (1, +4)\n",
		"  email_failure / incidente\n    Abiertos: 1 (0, +1)\n",
		"    Resolución media: 48h 00m (sin datos, sin datos)\n",
		"- extensión 60100: 2 tickets (260003, 260004), 2 esta semana; servicios: internet_failure\n",
		"- teléfono +525522222222: 2 tickets (260020, 260006), 1 esta semana; servicios: email_failure\n",
	} {
		if !strings.Contains(es, want) {
			t.Errorf("Spanish text lacks %q:\n%s", want, es)
		}
	}
	en := RenderWeeklyText(r, "en")
	for _, want := range []string{"Weekly fault report 2026-W47\n", "Monday 16/11/2026 to Sunday 22/11/2026", "  Opened: 7 (4, +3)\n",
		"  internet_failure / incident\n", "- phone +525511111111: 2 tickets (260001, 260002), 2 this week; services: internet_failure\n"} {
		if !strings.Contains(en, want) {
			t.Errorf("English text lacks %q:\n%s", want, en)
		}
	}
}
