package tickets

import "slices"

// QueueName is the display name of a queue (a support group of the
// catalog) in each language. Pages and emails show it, never the code.
type QueueName struct {
	Code string            `yaml:"code" json:"code"`
	Name map[string]string `yaml:"name" json:"name"` // by language: "es", "en"
}

// DefaultQueueNames names the support groups of the default catalog. A
// catalog file may name its own groups (top-level "queues:"); a group it
// does not name takes its name from here.
var DefaultQueueNames = []QueueName{
	{Code: "network", Name: map[string]string{"es": "Redes", "en": "Network"}},
	{Code: "email", Name: map[string]string{"es": "Correo electrónico", "en": "Email"}},
	{Code: "telephony", Name: map[string]string{"es": "Telefonía", "en": "Telephony"}},
	{Code: "servers", Name: map[string]string{"es": "Servidores", "en": "Servers"}},
	{Code: "general", Name: map[string]string{"es": "Atención general", "en": "General support"}},
}

// QueueNameIn returns the display name of queue code in lang (Spanish when
// lang has none): the catalog's own name, else the default one, else the
// code itself (a group nobody named; LoadCatalog warns of none, so a
// custom catalog should name every group it adds).
func (c *Catalog) QueueNameIn(code, lang string) string {
	for _, list := range [][]QueueName{c.queueNames(), DefaultQueueNames} {
		for _, q := range list {
			if q.Code != code {
				continue
			}
			if n := q.Name[lang]; n != "" {
				return n
			}
			if n := q.Name["es"]; n != "" {
				return n
			}
		}
	}
	return code
}

func (c *Catalog) queueNames() []QueueName {
	if c == nil {
		return nil
	}
	return c.Queues
}

// WithQueueNames returns c with Queues holding a name for every group its
// services use (the catalog's own, else the default one): what the pages
// read from GET /catalog.
func (c *Catalog) WithQueueNames() *Catalog {
	out := *c
	out.Queues = nil
	for _, g := range c.Groups() {
		q := QueueName{Code: g, Name: map[string]string{}}
		for _, lang := range catalogLanguages() {
			q.Name[lang] = c.QueueNameIn(g, lang)
		}
		out.Queues = append(out.Queues, q)
	}
	for _, q := range c.Queues { // named but with no service yet
		if !slices.ContainsFunc(out.Queues, func(x QueueName) bool { return x.Code == q.Code }) {
			out.Queues = append(out.Queues, q)
		}
	}
	return &out
}

// HistoryFields are the fields a ticket's history entries name (Field of
// HistoryEntry): the ticket fields that change, plus "created", "note",
// "link" and "call". Pages translate each one.
var HistoryFields = []string{
	"created", "state", "kind", "service", "impact", "urgency", "priority", "level", "subject", "description",
	"assignee", "queue", "major_incident", "caller_contact_id", "caller_name", "caller_department",
	"caller_email", "caller_phone", "caller_extension", "link", "note", "call",
}

// SystemActors are the history actors that are not users: the phone
// menu, the escalation worker, the extension monitor, the demo data.
var SystemActors = []string{"ivr", "atiende", "monitor", "demo"}

// HistoryReasons are the reasons Atiende itself writes in the history (as
// codes; the pages translate them). AnsweredCall: the agent who answered
// the call was assigned the ticket.
const AnsweredCall = "answered_call"

// HistoryReasons lists them.
var HistoryReasons = []string{AnsweredCall}
