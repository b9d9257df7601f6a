package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/atiende/atiende/tickets"
)

// snapshot counts what a request could have written.
type snapshot struct {
	tickets, history, notes, contacts, users, version int
}

func (e *env) snapshot(number string) snapshot {
	e.t.Helper()
	ctx := context.Background()
	_, total, err := e.db.ListTickets(ctx, tickets.Filter{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	h, err := e.db.History(ctx, number)
	if err != nil {
		e.t.Fatal(err)
	}
	n, err := e.db.Notes(ctx, number, true)
	if err != nil {
		e.t.Fatal(err)
	}
	cs, err := e.db.ListContacts(ctx, "", 500, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	us, err := e.db.ListUsers(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	tk, err := e.db.Ticket(ctx, number)
	if err != nil {
		e.t.Fatal(err)
	}
	return snapshot{total, len(h), len(n), len(cs), len(us), tk.Version}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.login("ana", tickets.RoleAgent)
	adm := e.login("root", tickets.RoleAdmin)
	tk := a.newTicket(nil)
	other := a.newTicket(nil)
	a.must(200, "POST", "/api/v1/tickets/"+other.Number+"/link", map[string]any{"parent": tk.Number}, nil)
	tk, _ = e.db.Ticket(context.Background(), tk.Number)
	num := "/api/v1/tickets/" + tk.Number
	v := tk.Version
	valid := `{"service":"internet_failure","subject":"x"}`
	huge := `{"service":"internet_failure","subject":"x","description":"` + strings.Repeat("a", 1<<20) + `"}`

	cases := []struct {
		name         string
		c            *client
		method, path string
		body         string
		ctype        string
		status       int
		code         string
		msg          string // substring of the message
	}{
		{"malformed JSON", a, "POST", "/api/v1/tickets", `{"service":`, "", 400, "invalid", "malformed JSON"},
		{"not JSON", a, "POST", "/api/v1/tickets", `service=internet`, "", 400, "invalid", "malformed JSON"},
		{"empty body", a, "POST", "/api/v1/tickets", ``, "", 400, "invalid", "empty"},
		{"unknown field", a, "POST", "/api/v1/tickets", `{"service":"internet_failure","colour":"red"}`, "", 400, "invalid", `"colour"`},
		{"wrong type", a, "POST", "/api/v1/tickets", `{"service":12}`, "", 400, "invalid", `"service" must be a string`},
		{"wrong nested type", a, "POST", "/api/v1/tickets", `{"service":"internet_failure","caller":{"name":true}}`, "", 400, "invalid", `"caller.name"`},
		{"array for object", a, "POST", "/api/v1/tickets", `[1,2]`, "", 400, "invalid", "object"},
		{"trailing data", a, "POST", "/api/v1/tickets", valid + `{"x":1}`, "", 400, "invalid", "single JSON value"},
		{"trailing garbage", a, "POST", "/api/v1/tickets", valid + `]`, "", 400, "invalid", "single JSON value"},
		{"body over 1 MiB", a, "POST", "/api/v1/tickets", huge, "", 413, codeTooLarge, "larger than"},
		{"wrong content type", a, "POST", "/api/v1/tickets", valid, "text/plain", 415, codeUnsupportedMedia, "application/json"},
		{"no content type", a, "POST", "/api/v1/tickets", valid, "-", 415, codeUnsupportedMedia, "application/json"},
		{"unknown service", a, "POST", "/api/v1/tickets", `{"service":"teleportation"}`, "", 422, "invalid", `"teleportation"`},
		{"bad impact", a, "POST", "/api/v1/tickets", `{"service":"internet_failure","impact":"huge"}`, "", 422, "invalid", "impact"},
		{"bad kind", a, "POST", "/api/v1/tickets", `{"service":"internet_failure","kind":"rant"}`, "", 422, "invalid", "kind"},
		{"bad level", a, "POST", "/api/v1/tickets", `{"service":"internet_failure","level":9}`, "", 422, "invalid", "level"},
		{"bad priority", a, "POST", "/api/v1/tickets", `{"service":"internet_failure","priority":7}`, "", 422, "invalid", "priority"},
		{"bad caller phone", a, "POST", "/api/v1/tickets", `{"service":"internet_failure","caller":{"phone":"call me maybe"}}`, "", 422, "invalid", "caller.phone"},
		{"caller name too long", a, "POST", "/api/v1/tickets", `{"service":"internet_failure","caller":{"name":"` + strings.Repeat("x", 201) + `"}}`, "", 422, "invalid", "caller.name"},
		{"unknown assignee", a, "POST", "/api/v1/tickets", `{"service":"internet_failure","assignee":"ghost"}`, "", 422, "invalid", "ghost"},
		{"forbidden transition", a, "POST", num + "/transition", fmt.Sprintf(`{"to":"closed","version":%d}`, v), "", 422, "invalid", "cannot move from registered to closed"},
		{"unknown state", a, "POST", num + "/transition", fmt.Sprintf(`{"to":"limbo","version":%d}`, v), "", 422, "invalid", "limbo"},
		{"transition without version", a, "POST", num + "/transition", `{"to":"in_progress"}`, "", 422, "invalid", "version"},
		{"stale version", a, "POST", num + "/transition", fmt.Sprintf(`{"to":"in_progress","version":%d}`, v+7), "", 409, "conflict", "changed by someone else"},
		{"unknown ticket", a, "GET", "/api/v1/tickets/999999", "", "", 404, "not_found", "999999"},
		{"unknown ticket transition", a, "POST", "/api/v1/tickets/999999/transition", `{"to":"in_progress","version":1}`, "", 404, "not_found", "999999"},
		{"unknown ticket note", a, "POST", "/api/v1/tickets/999999/notes", `{"body":"x"}`, "", 404, "not_found", "999999"},
		{"unknown ticket history", a, "GET", "/api/v1/tickets/999999/history", "", "", 404, "not_found", "999999"},
		{"non-numeric ticket", a, "GET", "/api/v1/tickets/" + url.PathEscape("1' OR '1'='1"), "", "", 404, "not_found", "1' OR '1'='1"},
		{"empty note", a, "POST", num + "/notes", `{"body":"  "}`, "", 422, "invalid", "body"},
		{"note wrong type", a, "POST", num + "/notes", `{"body":"x","internal":"yes"}`, "", 400, "invalid", `"internal" must be a boolean`},
		{"empty patch", a, "PATCH", num, fmt.Sprintf(`{"version":%d}`, v), "", 422, "invalid", "nothing to change"},
		{"patch bad service", a, "PATCH", num, fmt.Sprintf(`{"version":%d,"service":"nope"}`, v), "", 422, "invalid", "nope"},
		{"patch stale", a, "PATCH", num, fmt.Sprintf(`{"version":%d,"subject":"new"}`, v+1), "", 409, "conflict", "reload"},
		{"link to itself", a, "POST", num + "/link", fmt.Sprintf(`{"parent":%q}`, tk.Number), "", 422, "invalid", "own parent"},
		{"link to unknown parent", a, "POST", num + "/link", `{"parent":"999999"}`, "", 422, "invalid", "999999"},
		{"link cycle", a, "POST", num + "/link", fmt.Sprintf(`{"parent":%q}`, other.Number), "", 422, "invalid", ""},
		{"bad state filter", a, "GET", "/api/v1/tickets?state=limbo", "", "", 400, "invalid", "limbo"},
		{"bad limit", a, "GET", "/api/v1/tickets?limit=abc", "", "", 400, "invalid", "limit"},
		{"limit too big", a, "GET", "/api/v1/tickets?limit=100000", "", "", 400, "invalid", "limit"},
		{"search without q", a, "GET", "/api/v1/tickets/search", "", "", 400, "invalid", "q is required"},
		{"bad contact phone", a, "POST", "/api/v1/contacts", `{"name":"X","phones":["not a number"]}`, "", 422, "invalid", "phones[0]"},
		{"contact without name", a, "POST", "/api/v1/contacts", `{"name":""}`, "", 422, "invalid", "name"},
		{"bad contact email", a, "POST", "/api/v1/contacts", `{"name":"X","email":"nope"}`, "", 422, "invalid", "email"},
		{"unknown contact", a, "GET", "/api/v1/contacts/424242", "", "", 404, "not_found", "424242"},
		{"non-numeric contact", a, "GET", "/api/v1/contacts/abc", "", "", 404, "not_found", "abc"},
		{"lookup without phone", a, "GET", "/api/v1/contacts/lookup", "", "", 400, "invalid", "phone"},
		{"csv with bad rows", adm, "POST", "/api/v1/contacts/import", "nombre,telefono\nJuan,55 1234 5678\n,not a phone\n", "text/csv", 422, "invalid", "nothing was imported"},
		{"csv as json", adm, "POST", "/api/v1/contacts/import", "nombre\nJuan\n", "application/json", 415, codeUnsupportedMedia, "text/csv"},
		{"user bad role", adm, "POST", "/api/v1/users", `{"username":"x","role":"king","password":"long enough pw"}`, "", 422, "invalid", "king"},
		{"user bad name", adm, "POST", "/api/v1/users", `{"username":"Robert'); DROP TABLE users;--","role":"agent","password":"long enough pw"}`, "", 422, "invalid", "username"},
		{"user short password", adm, "POST", "/api/v1/users", `{"username":"x","role":"agent","password":"short"}`, "", 422, "invalid", "password"},
		{"unknown user", adm, "PUT", "/api/v1/users/ghost", `{"disabled":true}`, "", 404, "not_found", "ghost"},
		{"unknown endpoint", a, "GET", "/api/v1/nope", "", "", 404, "not_found", "/api/v1/nope"},
		{"wrong method", a, "DELETE", "/api/v1/tickets", "", "", 405, codeMethodNotAllowed, "DELETE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot(tk.Number)
			var body any
			if tc.body != "" || tc.method != "GET" {
				body = tc.body
			}
			var hdr []string
			switch tc.ctype {
			case "":
			case "-":
				hdr = []string{"Content-Type", ""}
			default:
				hdr = []string{"Content-Type", tc.ctype}
			}
			r := tc.c.do(tc.method, tc.path, body, hdr...)
			code, msg := r.errCode()
			if r.status != tc.status || code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Errorf("got %d %s, want %d %s containing %q", r.status, r.body, tc.status, tc.code, tc.msg)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			if after := e.snapshot(tk.Number); after != before {
				t.Errorf("something was written: before %+v, after %+v", before, after)
			}
		})
	}
}

// SQL metacharacters in a search are only text: they find what they find.
func TestSearchMetacharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.login("ana", tickets.RoleAgent)
	tk := a.newTicket(map[string]any{"subject": "100% caído: O'Brien's _printer_ \\ fails"})
	for _, q := range []string{
		"'; DROP TABLE tickets; --", `" OR 1=1 --`, "100%", "_", `\`, "O'Brien", "a & b | !c", "(((", "::", "$1", "*",
		"<script>alert(1)</script>", "%' AND '1'='1",
	} {
		for _, path := range []string{"/api/v1/tickets/search?q=", "/api/v1/tickets?q=", "/api/v1/contacts?q="} {
			r := a.do("GET", path+url.QueryEscape(q), nil)
			if r.status != 200 {
				t.Errorf("%s%q: %d %s", path, q, r.status, r.body)
			}
		}
	}
	var list ticketList
	a.must(200, "GET", "/api/v1/tickets/search?q="+url.QueryEscape("O'Brien"), nil, &list)
	if list.Total != 1 || list.Items[0].Number != tk.Number {
		t.Errorf("O'Brien: %+v", list)
	}
	if s := e.snapshot(tk.Number); s.tickets != 1 {
		t.Errorf("tickets = %d", s.tickets)
	}
}
