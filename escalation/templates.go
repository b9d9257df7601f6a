package escalation

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/atiende/atiende/tickets"
)

// TemplateKind names an email.
type TemplateKind string

const (
	CreatedTemplate     TemplateKind = "created"      // confirmation with the ticket number
	PendingUserTemplate TemplateKind = "pending_user" // request for missing information (and its reminder)
	ResolvedTemplate    TemplateKind = "resolved"     // resolution notice
	SurveyTemplate      TemplateKind = "survey"       // satisfaction survey link, on closing
	EscalationTemplate  TemplateKind = "escalation"   // escalation notice to a directory contact
	MaintenanceTemplate TemplateKind = "maintenance"  // planned maintenance notice
)

// TemplateKinds lists every email.
var TemplateKinds = []TemplateKind{CreatedTemplate, PendingUserTemplate, ResolvedTemplate, SurveyTemplate, EscalationTemplate, MaintenanceTemplate}

// Languages the templates are written in; "" means Spanish.
var Languages = []string{"es", "en"}

// Data fills a template. Fields typed by users (Subject, CallerName, Reason,
// Resolution, ...) are escaped in the HTML part and stripped of line breaks
// in the subject.
type Data struct {
	TicketNumber string
	Subject      string // the ticket's subject
	CallerName   string
	Service      string // service name in the email's language
	Priority     string // "P1"
	Level        int
	ContactName  string    // escalation: the directory contact written to
	Reason       string    // pending user: what is missing; escalation: why
	Resolution   string    // resolved: how
	SurveyURL    string    // survey: the single-use link
	StatusURL    string    // optional link to follow the ticket
	DueAt        time.Time // pending user: when it will be rejected; resolved: when it closes; escalation: resolution due
	Reminder     bool      // pending user: this is the reminder
	Start, End   time.Time // maintenance window
	Services     []string  // maintenance: affected service names
	Location     *time.Location

	lang string
}

// When formats t for the reader, in Location and the email's language.
func (d Data) When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if d.Location != nil {
		t = t.In(d.Location)
	}
	if d.lang == "en" {
		return t.Format("Monday, January 2, 2006 at 15:04 MST")
	}
	return fmt.Sprintf("%s %d de %s de %d a las %s", diasES[t.Weekday()], t.Day(), mesesES[t.Month()-1], t.Year(), t.Format("15:04 MST"))
}

var diasES = [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}
var mesesES = [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}

//go:embed templates
var templateFS embed.FS

type templateSet struct {
	text map[string]*texttemplate.Template // by lang/kind
	html map[string]*htmltemplate.Template
}

// parsed templates are immutable once built.
var parsedTemplates = sync.OnceValues(func() (*templateSet, error) {
	s := &templateSet{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, lang := range Languages {
		for _, k := range TemplateKinds {
			files := []string{"templates/layout.tmpl", fmt.Sprintf("templates/%s/%s.tmpl", lang, k)}
			t, err := texttemplate.ParseFS(templateFS, files...)
			if err != nil {
				return nil, err
			}
			h, err := htmltemplate.ParseFS(templateFS, files...)
			if err != nil {
				return nil, err
			}
			s.text[lang+"/"+string(k)], s.html[lang+"/"+string(k)] = t, h
		}
	}
	return s, nil
})

// Render renders an email in lang ("es", "en"; "" is Spanish): the subject
// (one line), the plain text and the HTML part.
func Render(kind TemplateKind, lang string, data Data) (subject, text, html string, err error) {
	if lang == "" {
		lang = "es"
	}
	if lang != "es" && lang != "en" {
		return "", "", "", tickets.Errorf(tickets.EINVALID, "email: language %q is not es or en", lang)
	}
	if err := data.check(kind); err != nil {
		return "", "", "", err
	}
	set, err := parsedTemplates()
	if err != nil {
		return "", "", "", fmt.Errorf("email: parse templates: %w", err)
	}
	t, ok := set.text[lang+"/"+string(kind)]
	if !ok {
		return "", "", "", tickets.Errorf(tickets.EINVALID, "email: unknown template %q", kind)
	}
	data.lang = lang
	var sb, tb, hb bytes.Buffer
	if err := t.ExecuteTemplate(&sb, "subject", data); err != nil {
		return "", "", "", fmt.Errorf("email: %s/%s subject: %w", lang, kind, err)
	}
	if err := t.ExecuteTemplate(&tb, "text", data); err != nil {
		return "", "", "", fmt.Errorf("email: %s/%s text: %w", lang, kind, err)
	}
	if err := set.html[lang+"/"+string(kind)].ExecuteTemplate(&hb, "html", data); err != nil {
		return "", "", "", fmt.Errorf("email: %s/%s html: %w", lang, kind, err)
	}
	// A subject is a header: no line breaks may reach it.
	subject = strings.Join(strings.Fields(sb.String()), " ")
	return subject, strings.TrimSpace(tb.String()) + "\n", hb.String(), nil
}

func (d Data) check(kind TemplateKind) error {
	missing := func(f string) error {
		return tickets.Errorf(tickets.EINVALID, "email %s: %s is required", kind, f)
	}
	switch {
	case kind != MaintenanceTemplate && d.TicketNumber == "":
		return missing("TicketNumber")
	case kind == SurveyTemplate && d.SurveyURL == "":
		return missing("SurveyURL")
	case kind == EscalationTemplate && d.Level == 0:
		return missing("Level")
	case kind == MaintenanceTemplate && (d.Start.IsZero() || d.End.IsZero()):
		return missing("Start and End")
	}
	return nil
}

// Lang is the email's language, for the templates.
func (d Data) Lang() string { return d.lang }
