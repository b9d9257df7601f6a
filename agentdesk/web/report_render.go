package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/atiende/atiende/tickets"
)

// The weekly fault report's renderings: the CSV the report page downloads
// and the plain text of the weekly email (escalation/desk sends it; cmd
// hands it RenderWeeklyText). tickets computes the report; this file only
// writes it, in Spanish or English.

// reportLang returns "en" for English and "es" (the default) otherwise.
func reportLang(lang string) string {
	if strings.EqualFold(strings.TrimSpace(lang), "en") {
		return "en"
	}
	return "es"
}

// reportCSVHeader names the CSV columns in each language.
var reportCSVHeader = map[string][]string{
	"en": {"week", "service", "kind",
		"opened", "resolved", "mean_resolution_hours", "p90_resolution_hours", "resolution_sla_pct", "response_sla_pct", "repeated",
		"prev_opened", "prev_resolved", "prev_mean_resolution_hours", "prev_p90_resolution_hours", "prev_resolution_sla_pct", "prev_response_sla_pct", "prev_repeated",
		"delta_opened", "delta_resolved", "delta_mean_resolution_hours", "delta_p90_resolution_hours", "delta_resolution_sla_points", "delta_response_sla_points", "delta_repeated"},
	"es": {"semana", "servicio", "categoria",
		"abiertos", "resueltos", "resolucion_media_horas", "resolucion_p90_horas", "sla_resolucion_pct", "sla_respuesta_pct", "repetidas",
		"ant_abiertos", "ant_resueltos", "ant_resolucion_media_horas", "ant_resolucion_p90_horas", "ant_sla_resolucion_pct", "ant_sla_respuesta_pct", "ant_repetidas",
		"dif_abiertos", "dif_resueltos", "dif_resolucion_media_horas", "dif_resolucion_p90_horas", "dif_sla_resolucion_puntos", "dif_sla_respuesta_puntos", "dif_repetidas"},
}

// ReportCSVHeader returns the CSV header row in lang ("es" or "en").
func ReportCSVHeader(lang string) []string { return slices.Clone(reportCSVHeader[reportLang(lang)]) }

// WeeklyCSVRecords returns the report as CSV records: the header row, then
// one row per (service, kind), per service, per kind, and the total, in that
// order. "all"/"todos" stands for every service or kind. Times are hours and
// shares are percentages, both with two decimals and a decimal point; an
// empty cell is a figure that does not exist (nothing resolved or measured).
func WeeklyCSVRecords(r *tickets.WeeklyReport, lang string) [][]string {
	lang = reportLang(lang)
	all := map[string]string{"es": "todos", "en": "all"}[lang]
	out := [][]string{ReportCSVHeader(lang)}
	row := func(g tickets.ReportGroup) {
		svc, kind := g.Service, string(g.Kind)
		if svc == "" {
			svc = all
		}
		if kind == "" {
			kind = all
		}
		rec := []string{r.Week, svc, kind}
		for _, f := range []tickets.Figures{g.Week, g.Previous} {
			rec = append(rec, strconv.Itoa(f.Opened), strconv.Itoa(f.Resolved), reportHours(f.MeanResolution), reportHours(f.P90Resolution),
				reportFixed2(f.ResolutionSLA.Percent), reportFixed2(f.ResponseSLA.Percent), strconv.Itoa(f.Repeated))
		}
		d := g.Delta
		rec = append(rec, strconv.Itoa(d.Opened), strconv.Itoa(d.Resolved), reportHours(d.MeanResolution), reportHours(d.P90Resolution),
			reportFixed2(d.ResolutionSLA), reportFixed2(d.ResponseSLA), strconv.Itoa(d.Repeated))
		out = append(out, rec)
	}
	for _, list := range [][]tickets.ReportGroup{r.Groups, r.ByService, r.ByKind} {
		for _, g := range list {
			row(g)
		}
	}
	row(r.Total)
	return out
}

func reportHours(sec *float64) string {
	if sec == nil {
		return ""
	}
	v := *sec / 3600
	return reportFixed2(&v)
}

func reportFixed2(v *float64) string {
	if v == nil {
		return ""
	}
	s := strconv.FormatFloat(*v, 'f', 2, 64)
	if s == "-0.00" {
		s = "0.00"
	}
	return s
}

// reportText holds the words of the plain-text report.
var reportText = map[string]map[string]string{
	"es": {
		"title":      "Reporte semanal de averías %s",
		"span":       "Del lunes %s al domingo %s (%s).",
		"business":   "Tiempos de resolución en horario hábil (calendario de SLA).",
		"wall_clock": "Tiempos de resolución en tiempo de reloj.",
		"prevnote":   "Entre paréntesis: semana anterior (%s) y diferencia.",
		"total":      "Total",
		"opened":     "Abiertos",
		"resolved":   "Resueltos",
		"mean":       "Resolución media",
		"p90":        "Resolución p90",
		"rsla":       "SLA de resolución",
		"fsla":       "SLA de primera respuesta",
		"repeated":   "Averías repetidas",
		"byservice":  "Por servicio",
		"bykind":     "Por categoría",
		"groups":     "Por servicio y categoría",
		"repeats":    "Averías repetidas del mismo teléfono o extensión (incidentes en los últimos %d días):",
		"norepeats":  "Sin averías repetidas del mismo teléfono o extensión (incidentes en los últimos %d días).",
		"phone":      "teléfono",
		"extension":  "extensión",
		"repeatline": "- %s %s: %d tickets (%s), %d esta semana; servicios: %s",
		"none":       "sin datos",
		"empty":      "Sin tickets en esta semana ni en la anterior.",
	},
	"en": {
		"title":      "Weekly fault report %s",
		"span":       "Monday %s to Sunday %s (%s).",
		"business":   "Resolution times in business hours (the SLA calendar).",
		"wall_clock": "Resolution times in wall-clock time.",
		"prevnote":   "In brackets: the previous week (%s) and the difference.",
		"total":      "Total",
		"opened":     "Opened",
		"resolved":   "Resolved",
		"mean":       "Mean resolution",
		"p90":        "P90 resolution",
		"rsla":       "Resolution SLA",
		"fsla":       "First-response SLA",
		"repeated":   "Repeated faults",
		"byservice":  "By service",
		"bykind":     "By category",
		"groups":     "By service and category",
		"repeats":    "Repeated faults from the same phone or extension (incidents in the last %d days):",
		"norepeats":  "No repeated faults from the same phone or extension (incidents in the last %d days).",
		"phone":      "phone",
		"extension":  "extension",
		"repeatline": "- %s %s: %d tickets (%s), %d this week; services: %s",
		"none":       "no data",
		"empty":      "No tickets this week or the week before.",
	},
}

// reportKindWords names the kinds in the plain-text report.
var reportKindWords = map[string]map[tickets.Kind]string{
	"es": {tickets.Complaint: "queja", tickets.Incident: "incidente", tickets.InfoRequest: "solicitud de información", tickets.ChangeRequest: "solicitud de cambio", tickets.Observation: "observación"},
	"en": {tickets.Complaint: "complaint", tickets.Incident: "incident", tickets.InfoRequest: "information request", tickets.ChangeRequest: "change request", tickets.Observation: "observation"},
}

// RenderWeeklyText renders the report as the plain-text body of the weekly
// email, in lang ("es", the default, or "en"). tickets.Figures are followed by the
// previous week's value and the difference in brackets.
func RenderWeeklyText(r *tickets.WeeklyReport, lang string) string {
	lang = reportLang(lang)
	w := reportText[lang]
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	last := r.To.AddDate(0, 0, -1)
	line(w["title"], r.Week)
	line(w["span"], r.From.Format("02/01/2006"), last.Format("02/01/2006"), r.TimeZone)
	line("%s", w[r.ResolutionTime])
	line(w["prevnote"], r.PreviousWeek)
	if r.Total.Week.Opened == 0 && r.Total.Week.Resolved == 0 && r.Total.Previous.Opened == 0 && r.Total.Previous.Resolved == 0 {
		line("")
		line("%s", w["empty"])
		return b.String()
	}
	figures := func(indent string, g tickets.ReportGroup) {
		cur, prev, d := g.Week, g.Previous, g.Delta
		line("%s%s: %d (%d, %s)", indent, w["opened"], cur.Opened, prev.Opened, reportSignedInt(d.Opened))
		line("%s%s: %d (%d, %s)", indent, w["resolved"], cur.Resolved, prev.Resolved, reportSignedInt(d.Resolved))
		line("%s%s: %s (%s, %s)", indent, w["mean"], reportDur(cur.MeanResolution, w), reportDur(prev.MeanResolution, w), reportSignedDur(d.MeanResolution, w))
		line("%s%s: %s (%s, %s)", indent, w["p90"], reportDur(cur.P90Resolution, w), reportDur(prev.P90Resolution, w), reportSignedDur(d.P90Resolution, w))
		line("%s%s: %s (%s, %s)", indent, w["rsla"], reportSLA(cur.ResolutionSLA, w), reportSLA(prev.ResolutionSLA, w), reportSignedPts(d.ResolutionSLA, w))
		line("%s%s: %s (%s, %s)", indent, w["fsla"], reportSLA(cur.ResponseSLA, w), reportSLA(prev.ResponseSLA, w), reportSignedPts(d.ResponseSLA, w))
		line("%s%s: %d (%d, %s)", indent, w["repeated"], cur.Repeated, prev.Repeated, reportSignedInt(d.Repeated))
	}
	kindName := func(k tickets.Kind) string {
		if s, ok := reportKindWords[lang][k]; ok {
			return s
		}
		return string(k)
	}
	line("")
	line("%s", w["total"])
	figures("  ", r.Total)
	for _, sec := range []struct {
		title string
		list  []tickets.ReportGroup
	}{{w["byservice"], r.ByService}, {w["bykind"], r.ByKind}, {w["groups"], r.Groups}} {
		line("")
		line("%s", sec.title)
		for _, g := range sec.list {
			var name []string
			if g.Service != "" {
				name = append(name, g.Service)
			}
			if g.Kind != "" {
				name = append(name, kindName(g.Kind))
			}
			line("  %s", strings.Join(name, " / "))
			figures("    ", g)
		}
	}
	line("")
	if len(r.Repeated) == 0 {
		line(w["norepeats"], r.RepeatDays)
		return b.String()
	}
	line(w["repeats"], r.RepeatDays)
	for _, f := range r.Repeated {
		line(w["repeatline"], w[f.By], f.Value, len(f.Tickets), strings.Join(f.Tickets, ", "), f.InWeek, strings.Join(f.Services, ", "))
	}
	return b.String()
}

func reportSignedInt(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// reportDur writes seconds as hours and minutes, rounded to the minute: "27h 05m".
func reportDur(sec *float64, w map[string]string) string {
	if sec == nil {
		return w["none"]
	}
	return reportHM(*sec)
}

func reportHM(sec float64) string {
	m := int64(sec/60 + 0.5)
	return fmt.Sprintf("%dh %02dm", m/60, m%60)
}

func reportSignedDur(sec *float64, w map[string]string) string {
	switch {
	case sec == nil:
		return w["none"]
	case *sec < 0:
		return "-" + reportHM(-*sec)
	}
	return "+" + reportHM(*sec)
}

func reportSLA(s tickets.SLAFigure, w map[string]string) string {
	if s.Percent == nil {
		return w["none"]
	}
	return fmt.Sprintf("%s%% (%d/%d)", strconv.FormatFloat(*s.Percent, 'f', 1, 64), s.Met, s.Total)
}

func reportSignedPts(p *float64, w map[string]string) string {
	if p == nil {
		return w["none"]
	}
	s := strconv.FormatFloat(*p, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s + " pts"
}

// surveyCSVHeader names the survey CSV columns in each language.
var surveyCSVHeader = map[string][]string{
	"en": {"week", "by", "name", "answers", "mean_score", "low_scores", "score_1", "score_2", "score_3", "score_4", "score_5",
		"prev_answers", "prev_mean_score", "delta_mean_score"},
	"es": {"semana", "por", "nombre", "respuestas", "calificacion_media", "calificaciones_bajas", "calif_1", "calif_2", "calif_3", "calif_4", "calif_5",
		"ant_respuestas", "ant_calificacion_media", "dif_calificacion_media"},
}

var surveyCSVBy = map[string]map[string]string{
	"en": {"agent": "agent", "queue": "queue", "service": "service", "total": "all"},
	"es": {"agent": "agente", "queue": "cola", "service": "servicio", "total": "todos"},
}

// WeeklySurveyCSVRecords returns the survey figures of a weekly report as
// CSV records: the header, then one row per agent, queue and service, and
// the total. Means have two decimals; an empty cell is a mean without
// answers.
func WeeklySurveyCSVRecords(r *tickets.WeeklyReport, lang string) [][]string {
	lang = reportLang(lang)
	out := [][]string{slices.Clone(surveyCSVHeader[lang])}
	if r.Surveys == nil {
		return out
	}
	by := surveyCSVBy[lang]
	prevOf := func(list []tickets.SurveyFigure, key string) tickets.SurveyFigure {
		for _, f := range list {
			if f.Key == key {
				return f
			}
		}
		return tickets.SurveyFigure{}
	}
	row := func(kind, name string, cur, prev tickets.SurveyFigure) {
		rec := []string{r.Week, by[kind], name, strconv.Itoa(cur.Count), reportFixed2(cur.Mean), strconv.Itoa(cur.Low)}
		for _, n := range cur.Scores {
			rec = append(rec, strconv.Itoa(n))
		}
		var delta *float64
		if cur.Mean != nil && prev.Mean != nil {
			d := *cur.Mean - *prev.Mean
			delta = &d
		}
		rec = append(rec, strconv.Itoa(prev.Count), reportFixed2(prev.Mean), reportFixed2(delta))
		out = append(out, rec)
	}
	w, p := &r.Surveys.Week, &r.Surveys.Previous
	for _, g := range []struct {
		kind      string
		cur, prev []tickets.SurveyFigure
	}{{"agent", w.ByAgent, p.ByAgent}, {"queue", w.ByQueue, p.ByQueue}, {"service", w.ByService, p.ByService}} {
		for _, f := range g.cur {
			row(g.kind, f.Key, f, prevOf(g.prev, f.Key))
		}
	}
	row("total", by["total"], w.Total, p.Total)
	return out
}
