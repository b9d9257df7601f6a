package escalation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

func TestRenderEveryEmail(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	evil := `<script>alert("x")</script>`
	data := escalation.Data{
		TicketNumber: "MS-2026-000123",
		Subject:      "Sin Internet " + evil + "\r\nBcc: victim@example.org",
		CallerName:   `<b>Ana</b> "López"`,
		Service:      "Falla de conexión a Internet",
		Priority:     "P1",
		Level:        3,
		ContactName:  "Técnico Especializado",
		Reason:       "Número de serie del equipo " + evil,
		Resolution:   "Se reinició el enlace " + evil,
		SurveyURL:    "https://atiende.example/encuesta/abc123?t=1&u=2",
		StatusURL:    "https://atiende.example/t/MS-2026-000123",
		DueAt:        time.Date(2026, 12, 3, 18, 0, 0, 0, mx),
		Start:        time.Date(2026, 11, 25, 10, 0, 0, 0, mx),
		End:          time.Date(2026, 11, 25, 14, 0, 0, 0, mx),
		Services:     []string{"Conectividad " + evil, "Correo institucional"},
		Location:     mx,
	}
	// A phrase each email must carry, per language.
	phrases := map[escalation.TemplateKind][2]string{
		escalation.CreatedTemplate:     {"Registramos su solicitud", "We have registered your request"},
		escalation.PendingUserTemplate: {"necesitamos la siguiente información", "we need the following information"},
		escalation.ResolvedTemplate:    {"fue resuelto", "has been resolved"},
		escalation.SurveyTemplate:      {"del 1 al 5", "from 1 to 5"},
		escalation.EscalationTemplate:  {"se escaló al nivel", "has been escalated to level"},
		escalation.MaintenanceTemplate: {"mantenimiento programado", "planned maintenance"},
	}
	for _, kind := range escalation.TemplateKinds {
		for i, lang := range escalation.Languages {
			t.Run(string(kind)+"/"+lang, func(t *testing.T) {
				subject, text, html, err := escalation.Render(kind, lang, data)
				if err != nil {
					t.Fatal(err)
				}
				if strings.ContainsAny(subject, "\r\n") {
					t.Errorf("subject has a line break: %q", subject)
				}
				if kind != escalation.MaintenanceTemplate {
					for part, s := range map[string]string{"subject": subject, "text": text, "html": html} {
						if !strings.Contains(s, data.TicketNumber) {
							t.Errorf("%s lacks the ticket number:\n%s", part, s)
						}
					}
				}
				if !strings.Contains(text, phrases[kind][i]) || !strings.Contains(html, phrases[kind][i]) {
					t.Errorf("text or html lacks %q:\n%s\n%s", phrases[kind][i], text, html)
				}
				for _, raw := range []string{"<script>", "<b>Ana</b>", `"López"`} {
					if strings.Contains(html, raw) {
						t.Errorf("html carries %q unescaped:\n%s", raw, html)
					}
				}
				if !strings.Contains(html, `<html lang="`+lang+`">`) {
					t.Errorf("html lacks its language:\n%.200s", html)
				}
				switch kind {
				case escalation.SurveyTemplate:
					if !strings.Contains(html, `href="https://atiende.example/encuesta/abc123?t=1&amp;u=2"`) || !strings.Contains(text, data.SurveyURL) {
						t.Errorf("survey link missing:\n%s\n%s", text, html)
					}
				case escalation.PendingUserTemplate:
					if !strings.Contains(text, "Número de serie") || !strings.Contains(html, "&lt;script&gt;") {
						t.Errorf("what is missing is not told:\n%s\n%s", text, html)
					}
					want := map[string]string{"es": "jueves 3 de diciembre de 2026 a las 18:00 CST", "en": "Thursday, December 3, 2026 at 18:00 CST"}[lang]
					if !strings.Contains(text, want) {
						t.Errorf("text lacks the rejection date %q:\n%s", want, text)
					}
				case escalation.EscalationTemplate:
					if !strings.Contains(subject, "[P1]") || !strings.Contains(text, "3") || !strings.Contains(text, data.Reason) {
						t.Errorf("escalation content:\n%s\n%s", subject, text)
					}
				case escalation.MaintenanceTemplate:
					if !strings.Contains(text, "Correo institucional") || !strings.Contains(text, "14:00") {
						t.Errorf("maintenance content:\n%s", text)
					}
				}
			})
		}
	}
}

func TestRenderRefusals(t *testing.T) {
	cases := []struct {
		kind escalation.TemplateKind
		lang string
		data escalation.Data
	}{
		{escalation.CreatedTemplate, "fr", escalation.Data{TicketNumber: "1"}},
		{escalation.CreatedTemplate, "es", escalation.Data{}},
		{escalation.SurveyTemplate, "es", escalation.Data{TicketNumber: "1"}},
		{escalation.MaintenanceTemplate, "en", escalation.Data{}},
		{"nope", "es", escalation.Data{TicketNumber: "1"}},
	}
	for _, c := range cases {
		if _, _, _, err := escalation.Render(c.kind, c.lang, c.data); tickets.ErrorCode(err) != tickets.EINVALID {
			t.Errorf("Render(%s, %s) err = %v, want invalid", c.kind, c.lang, err)
		}
	}
	// "" is Spanish; a javascript: link is neutralised.
	_, _, html, err := escalation.Render(escalation.SurveyTemplate, "", escalation.Data{TicketNumber: "1", SurveyURL: "javascript:alert(1)"})
	if err != nil || !strings.Contains(html, "Calificar") || strings.Contains(html, "javascript:") {
		t.Errorf("html = %s, err = %v", html, err)
	}
}
