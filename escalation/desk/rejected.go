package desk

import (
	"bytes"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/atiende/atiende/tickets"
)

// The core's templates have no rejection notice; it lives here until it
// joins escalation/templates.
var rejectedText = map[string]*texttemplate.Template{
	"es": texttemplate.Must(texttemplate.New("").Parse(`Estimado(a) {{with .Name}}{{.}}{{else}}usuario(a){{end}}:

Su ticket {{.Number}}{{with .Subject}} ({{.}}){{end}} fue rechazado.
Motivo: {{.Reason}}

Si aún necesita ayuda, responda a este correo o llame a la Mesa de Servicio y mencione el número {{.Number}}.

Mesa de Servicio
`)),
	"en": texttemplate.Must(texttemplate.New("").Parse(`Dear {{with .Name}}{{.}}{{else}}user{{end}},

Your ticket {{.Number}}{{with .Subject}} ({{.}}){{end}} was rejected.
Reason: {{.Reason}}

If you still need help, reply to this email or call the Service Desk and mention number {{.Number}}.

Service Desk
`)),
}

var rejectedHTML = map[string]*htmltemplate.Template{
	"es": htmltemplate.Must(htmltemplate.New("").Parse(`<p>Estimado(a) {{with .Name}}{{.}}{{else}}usuario(a){{end}}:</p>
<p>Su ticket <strong>{{.Number}}</strong>{{with .Subject}} ({{.}}){{end}} fue rechazado.</p>
<p>Motivo: {{.Reason}}</p>
<p>Si aún necesita ayuda, responda a este correo o llame a la Mesa de Servicio y mencione el número {{.Number}}.</p>
<p>Mesa de Servicio</p>`)),
	"en": htmltemplate.Must(htmltemplate.New("").Parse(`<p>Dear {{with .Name}}{{.}}{{else}}user{{end}},</p>
<p>Your ticket <strong>{{.Number}}</strong>{{with .Subject}} ({{.}}){{end}} was rejected.</p>
<p>Reason: {{.Reason}}</p>
<p>If you still need help, reply to this email or call the Service Desk and mention number {{.Number}}.</p>
<p>Service Desk</p>`)),
}

// rejectReasons translates the automatic rejection's reason for the user.
var rejectReasons = map[string]string{
	"es": "no recibimos la información solicitada dentro del plazo de horas hábiles establecido",
	"en": "we did not receive the information we asked for within the business-hours deadline",
}

func rejectedEmail(lang string, t *tickets.Ticket, reason string) (subject, text, html string) {
	if lang != "en" {
		lang = "es"
	}
	if strings.HasPrefix(reason, "no answer from the user") {
		reason = rejectReasons[lang] + "."
	}
	data := struct{ Name, Number, Subject, Reason string }{t.Caller.Name, t.Number, t.Subject, reason}
	var tb, hb bytes.Buffer
	_ = rejectedText[lang].Execute(&tb, data)
	_ = rejectedHTML[lang].Execute(&hb, data)
	subject = "Ticket " + t.Number + " rechazado: " + t.Subject
	if lang == "en" {
		subject = "Ticket " + t.Number + " rejected: " + t.Subject
	}
	return strings.Join(strings.Fields(subject), " "), tb.String(), hb.String()
}
