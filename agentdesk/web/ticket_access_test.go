package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/atiende/atiende/tickets"
)

// TestTicketChangeMatrix drives tickets.ChangeRules through the API: every
// cell is one person doing one change on a fresh ticket of a given owner
// and queue. Refusals are 403 naming the field.
func TestTicketChangeMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	people := map[string]*client{
		"ana":  e.login("ana", tickets.RoleAgent),
		"tec":  e.login("tec", tickets.RoleTechnician),
		"nora": e.login("nora", tickets.RoleNetwork),
		"nia":  e.login("nia", tickets.RoleNetwork),
		"sara": e.login("sara", tickets.RoleSupervisor),
		"root": e.login("root", tickets.RoleAdmin),
	}
	// The tickets a cell acts on, by name: service (hence queue) and assignee.
	type kind struct{ service, assignee string }
	kinds := map[string]kind{
		"ana's":      {"internet_failure", "ana"},   // an agent's ticket in the network queue
		"nora's":     {"extension_failure", "nora"}, // a network staffer's extension ticket
		"free-ext":   {"extension_failure", ""},     // unassigned, telephony queue
		"free-email": {"email_failure", ""},         // unassigned, email queue
	}
	fresh := func(k kind) *tickets.Ticket {
		t.Helper()
		svc, _ := tickets.DefaultCatalog().Service(k.service)
		tk := &tickets.Ticket{Kind: tickets.Incident, Service: k.service, Impact: tickets.Medium, Urgency: tickets.Medium,
			Priority: tickets.P3, Level: 1, State: tickets.InProgress, Channel: tickets.Phone, Queue: svc.Group,
			Subject: "Falla", Assignee: k.assignee, Caller: tickets.Caller{Name: "María"}}
		if err := e.db.CreateTicket(ctx, tk, "seed"); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	type change struct {
		field tickets.Field
		do    func(c *client, tk *tickets.Ticket, who string) resp
	}
	patch := func(body map[string]any) func(*client, *tickets.Ticket, string) resp {
		return func(c *client, tk *tickets.Ticket, _ string) resp {
			b := map[string]any{"version": tk.Version}
			for k, v := range body {
				b[k] = v
			}
			return c.do("PATCH", API+"/tickets/"+tk.Number, b)
		}
	}
	move := func(to tickets.State) func(*client, *tickets.Ticket, string) resp {
		return func(c *client, tk *tickets.Ticket, _ string) resp {
			return c.do("POST", API+"/tickets/"+tk.Number+"/transition",
				map[string]any{"to": to, "reason": "motivo", "version": tk.Version})
		}
	}
	parent := fresh(kinds["free-email"])
	changes := []change{ // the columns of want, in order
		{tickets.FieldSubject, patch(map[string]any{"subject": "Otro asunto"})},
		{tickets.FieldAssignee, func(c *client, tk *tickets.Ticket, who string) resp {
			to := who
			if tk.Assignee == who {
				to = ""
			}
			return patch(map[string]any{"assignee": to})(c, tk, who)
		}},
		{tickets.FieldPriority, patch(map[string]any{"priority": 1})},
		{tickets.FieldMajorIncident, patch(map[string]any{"major_incident": true})},
		{tickets.FieldWork, move(tickets.OnHold)},
		{tickets.FieldResolve, move(tickets.Resolved)},
		{tickets.FieldParent, func(c *client, tk *tickets.Ticket, _ string) resp {
			return c.do("POST", API+"/tickets/"+tk.Number+"/link", map[string]any{"parent": parent.Number})
		}},
	}
	// Y allowed, n refused; columns: subject assignee priority major work resolve parent.
	want := []struct{ who, ticket, cells string }{
		{"ana", "ana's", "YYYYYYY"},  // the assignee works their own ticket, priority included
		{"ana", "nora's", "nnnnnnn"}, // another team's ticket
		{"ana", "free-ext", "YYnnYYY"},
		{"ana", "free-email", "YYnnYYY"},
		{"tec", "ana's", "YYnnYYY"}, // agents and technicians are one desk
		{"tec", "nora's", "nnnnnnn"},
		{"tec", "free-email", "YYnnYYY"},
		{"nora", "ana's", "nnnnnnn"}, // network may not resolve an agent's ticket
		{"nora", "nora's", "YYYYYYY"},
		{"nora", "free-ext", "YYnnYYY"}, // works extension tickets, declares no major incident
		{"nora", "free-email", "nnnnnnn"},
		{"nia", "nora's", "YYnnYYY"}, // a colleague's network ticket
		{"sara", "ana's", "YYYYYYY"},
		{"sara", "nora's", "YYYYYYY"},
		{"sara", "free-email", "YYYYYYY"},
		{"root", "nora's", "YYYYYYY"},
		{"root", "free-ext", "YYYYYYY"},
	}
	for _, row := range want {
		for i, ch := range changes {
			tk := fresh(kinds[row.ticket])
			r := ch.do(people[row.who], tk, row.who)
			cell := fmt.Sprintf("%s on %s: %s", row.who, row.ticket, ch.field)
			if row.cells[i] == 'Y' {
				if r.status != 200 {
					t.Errorf("%s: %d %s, want 200", cell, r.status, r.body)
				}
				continue
			}
			var body struct {
				Error errorDetail `json:"error"`
				Field string      `json:"field"`
			}
			r.decode(t, &body)
			if r.status != 403 || body.Error.Code != tickets.EFORBIDDEN || body.Field != string(ch.field) {
				t.Errorf("%s: %d %s, want 403 naming %s", cell, r.status, r.body, ch.field)
			}
			if got, _ := e.db.Ticket(ctx, tk.Number); got.Version != tk.Version {
				t.Errorf("%s: refused, but the ticket changed", cell)
			}
		}
	}

	// Opening: network staff open extension and network tickets only, and
	// declare no major incident; supervisors do.
	open := []struct {
		who    string
		body   map[string]any
		status int
		field  string
	}{
		{"nora", map[string]any{"service": "extension_failure"}, 201, ""},
		{"nora", map[string]any{"service": "internet_failure"}, 201, ""},
		{"nora", map[string]any{"service": "email_failure"}, 403, "open"},
		{"nora", map[string]any{"service": "internet_failure", "major_incident": true, "priority": 1}, 403, "priority"},
		{"ana", map[string]any{"service": "internet_failure", "major_incident": true}, 403, "major_incident"},
		{"ana", map[string]any{"service": "email_failure"}, 201, ""},
		{"sara", map[string]any{"service": "internet_failure", "major_incident": true, "priority": 1}, 201, ""},
	}
	for _, o := range open {
		body := map[string]any{"subject": "Sin servicio", "caller": map[string]any{"name": "Luis"}}
		for k, v := range o.body {
			body[k] = v
		}
		r := people[o.who].do("POST", API+"/tickets", body)
		if r.status != o.status || (o.field != "" && !strings.Contains(string(r.body), `"field":"`+o.field+`"`)) {
			t.Errorf("%s opens %v: %d %s, want %d %s", o.who, o.body, r.status, r.body, o.status, o.field)
		}
	}
}
