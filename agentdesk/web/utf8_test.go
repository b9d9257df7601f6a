package web

import (
	"context"
	"strings"
	"testing"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/tickets"
)

// newFullEnv is a server with every optional route family registered, so
// that tests over the route table see all of them.
func newFullEnv(t *testing.T) *env {
	t.Helper()
	return newEnv(t, func(_ *Config, d *Deps) {
		d.Extensions = sampleExtensions()
		d.Queues = newFakeQueues(d.Clock)
		d.Maintenance = &desk.Maintenance{Catalog: d.Catalog}
		d.Wallboard = testWallboard{DayStatsStore: d.Store.(agentdesk.DayStatsStore),
			th: func() map[string]agentdesk.QueueThresholds { return nil }}
		d.Announcements = &Announcements{Store: d.Store.(ivr.AnnouncementStore),
			Prompts: func(lang string) []string { return ivr.PromptNames(ivr.DefaultFlow(), prompts.FS, lang) },
			Changed: func(context.Context) {}}
		live := tickets.NewLiveCatalog(tickets.DefaultCatalog())
		d.Catalog = live
		d.CatalogEditor = &tickets.CatalogEditor{Live: live, Store: d.Store.(tickets.CatalogStore)}
	})
}

// TestInvalidUTF8Params walks the route table: every path parameter and
// every documented query parameter of every route, given a Latin-1 byte
// (0xE9, "é"), is answered 400 naming the parameter, never 500.
func TestInvalidUTF8Params(t *testing.T) {
	t.Parallel()
	e := newFullEnv(t)
	adm := e.login("root", tickets.RoleAdmin)
	tk := adm.newTicket(nil)
	valid := map[string]string{"number": tk.Number, "username": "root", "ext": "1002", "id": "1",
		"name": "general", "code": "internet_failure"}
	cells := 0
	for _, rt := range e.s.routes {
		if rt.Public {
			continue
		}
		params := pathParams(rt.Path)
		fill := func(bad string) string {
			p := rt.Path
			for _, n := range params {
				v := valid[n]
				if n == bad {
					v = "Jos%E9"
				}
				if v == "" {
					t.Fatalf("%s %s: no valid value for {%s}", rt.Method, rt.Path, n)
				}
				p = strings.Replace(p, "{"+n+"}", v, 1)
			}
			return p
		}
		check := func(path, name string) {
			t.Helper()
			cells++
			r := adm.do(rt.Method, path, nil)
			code, msg := r.errCode()
			if r.status != 400 || code != tickets.EINVALID || !strings.Contains(msg, name) || !strings.Contains(msg, "UTF-8") {
				t.Errorf("%s %s: %d %s, want 400 naming %s", rt.Method, path, r.status, r.body, name)
			}
		}
		for _, n := range params {
			check(fill(n), n)
		}
		for _, q := range rt.Query {
			check(fill("")+"?"+q.Name+"=Jos%E9", q.Name)
		}
	}
	// The routes the issue names must be among those checked.
	for _, want := range []string{"GET " + API + "/extensions/{ext}/history", "PUT " + API + "/users/{username}"} {
		found := false
		for _, r := range e.s.Routes() {
			found = found || r == want
		}
		if !found {
			t.Errorf("route %s is not in the table", want)
		}
	}
	if cells < 20 {
		t.Errorf("only %d parameter cells checked", cells)
	}
	// A valid accented value still works.
	adm.must(200, "GET", API+"/tickets?q=Jos%C3%A9&assignee=Jos%C3%A9&service=x", nil, nil)
}

// TestInvalidUTF8JSONBody: every route that takes a JSON body refuses one
// holding invalid UTF-8 (400) instead of storing U+FFFD in its place.
func TestInvalidUTF8JSONBody(t *testing.T) {
	t.Parallel()
	e := newFullEnv(t)
	adm := e.login("root", tickets.RoleAdmin)
	tk := adm.newTicket(nil)
	valid := map[string]string{"number": tk.Number, "username": "root", "ext": "1002", "id": "1",
		"name": "general", "code": "internet_failure"}
	n := 0
	for _, rt := range e.s.routes {
		if rt.Body == nil || (rt.BodyType != "" && rt.BodyType != "application/json") {
			continue
		}
		p := rt.Path
		for _, name := range pathParams(p) {
			p = strings.Replace(p, "{"+name+"}", valid[name], 1)
		}
		n++
		body := []byte("{\"subject\":\"Jos\xe9\"}")
		r := adm.do(rt.Method, p, body)
		_, msg := r.errCode()
		if r.status != 400 || !strings.Contains(msg, "UTF-8") {
			t.Errorf("%s %s with invalid UTF-8: %d %s, want 400 naming UTF-8", rt.Method, p, r.status, r.body)
		}
	}
	if n < 10 {
		t.Errorf("only %d JSON routes checked", n)
	}
	// Nothing was changed: the subject keeps its text, no U+FFFD stored.
	got, err := e.db.Ticket(context.Background(), tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(got.Subject, '\uFFFD') || got.Version != tk.Version {
		t.Errorf("ticket changed by a refused body: %+v", got)
	}
}
