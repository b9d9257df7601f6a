package web

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/atiende/atiende/tickets"
)

func TestTicketLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.login("ana", tickets.RoleAgent)
	e.user("tec", tickets.RoleTechnician, 2)
	sup := e.login("sara", tickets.RoleSupervisor) // explicit priorities and major incidents are theirs

	tk := a.newTicket(nil)
	if tk.Number == "" || tk.State != tickets.Registered || tk.Version < 1 {
		t.Fatalf("created %+v", tk)
	}
	if tk.Priority != tickets.P2 { // high x medium in the default matrix
		t.Errorf("priority = %v, want P2", tk.Priority)
	}
	if tk.Caller.Phone != "+527222769600" {
		t.Errorf("caller phone = %q, want +527222769600", tk.Caller.Phone)
	}
	if tk.Kind == "" || tk.Queue == "" || tk.Level < 1 || tk.Channel != tickets.Phone {
		t.Errorf("defaults not applied: %+v", tk)
	}
	p1 := sup.newTicket(map[string]any{"priority": 1, "impact": "low", "urgency": "low"})
	if p1.Priority != tickets.P1 {
		t.Errorf("explicit priority = %v, want P1", p1.Priority)
	}

	var got tickets.Ticket
	a.must(200, "GET", "/api/v1/tickets/"+tk.Number, nil, &got)
	if got.Number != tk.Number || got.Subject != tk.Subject {
		t.Fatalf("get = %+v", got)
	}

	// Classify, assign and escalate.
	a.must(200, "PATCH", "/api/v1/tickets/"+tk.Number, map[string]any{
		"version": got.Version, "urgency": "high", "assignee": "tec", "level": 2, "reason": "needs a technician"}, &got)
	if got.Priority != tickets.P1 || got.Assignee != "tec" || got.Level != 2 {
		t.Fatalf("after patch: %+v", got)
	}

	steps := []struct {
		to     tickets.State
		reason string
	}{
		{tickets.InProgress, ""},
		{tickets.PendingUser, "which floor?"},
		{tickets.InProgress, ""},
		{tickets.OnHold, "waiting for a part"},
		{tickets.InProgress, ""},
		{tickets.Resolved, "cable replaced"},
		{tickets.Closed, ""},
	}
	for _, st := range steps {
		a.must(200, "POST", "/api/v1/tickets/"+tk.Number+"/transition",
			map[string]any{"to": st.to, "reason": st.reason, "version": got.Version}, &got)
		if got.State != st.to {
			t.Fatalf("state = %s, want %s", got.State, st.to)
		}
	}
	if got.ResolvedAt == nil || got.ClosedAt == nil {
		t.Errorf("milestones not stamped: %+v", got)
	}

	var n tickets.Note
	a.must(201, "POST", "/api/v1/tickets/"+tk.Number+"/notes", map[string]any{"body": "called back", "internal": true}, &n)
	if n.Author != "ana" || !n.Internal {
		t.Errorf("note = %+v", n)
	}
	var notes []tickets.Note
	a.must(200, "GET", "/api/v1/tickets/"+tk.Number+"/notes", nil, &notes)
	if len(notes) != 1 {
		t.Errorf("notes = %+v", notes)
	}

	var hist []tickets.HistoryEntry
	a.must(200, "GET", "/api/v1/tickets/"+tk.Number+"/history", nil, &hist)
	states := 0
	for _, h := range hist {
		if h.Field == "state" {
			states++
			if h.Actor != "ana" {
				t.Errorf("history actor = %q", h.Actor)
			}
		}
	}
	if states != len(steps) {
		t.Errorf("history has %d state changes, want %d: %+v", states, len(steps), hist)
	}

	// Mass incident: link a child to a parent.
	parent := sup.newTicket(map[string]any{"major_incident": true})
	child := a.newTicket(nil)
	var linked tickets.Ticket
	a.must(200, "POST", "/api/v1/tickets/"+child.Number+"/link", map[string]any{"parent": parent.Number}, &linked)
	if linked.ParentNumber != parent.Number {
		t.Errorf("parent = %q", linked.ParentNumber)
	}
	var kids []tickets.Ticket
	a.must(200, "GET", "/api/v1/tickets/"+parent.Number+"/children", nil, &kids)
	if len(kids) != 1 || kids[0].Number != child.Number {
		t.Errorf("children = %+v", kids)
	}
	var calls []tickets.CallRecord
	a.must(200, "GET", "/api/v1/tickets/"+parent.Number+"/calls", nil, &calls)
	if calls == nil || len(calls) != 0 {
		t.Errorf("calls = %#v", calls)
	}

	// Lists and search.
	var list ticketList
	a.must(200, "GET", "/api/v1/tickets?state=registered&limit=10", nil, &list)
	if list.Total != 3 || len(list.Items) != 3 {
		t.Errorf("registered: total %d, %d items", list.Total, len(list.Items))
	}
	a.must(200, "GET", "/api/v1/tickets?state=closed&state=registered", nil, &list)
	if list.Total != 4 {
		t.Errorf("closed+registered: total %d", list.Total)
	}
	a.must(200, "GET", "/api/v1/tickets?caller_phone="+url.QueryEscape("+52 722 276 9600")+"&assignee=tec", nil, &list)
	if list.Total != 1 || list.Items[0].Number != tk.Number {
		t.Errorf("by phone and assignee: %+v", list)
	}
	a.must(200, "GET", "/api/v1/tickets?parent="+parent.Number, nil, &list)
	if list.Total != 1 {
		t.Errorf("by parent: %d", list.Total)
	}
	a.must(200, "GET", "/api/v1/tickets/search?q=conexion", nil, &list)
	if list.Total != 4 {
		t.Errorf("search conexion: %d", list.Total)
	}
	a.must(200, "GET", "/api/v1/tickets?q=piso&priority=1&level=2", nil, &list)
	if list.Total != 1 {
		t.Errorf("q+priority+level: %d", list.Total)
	}
}

func TestContactsAndUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	adm := e.login("root", tickets.RoleAdmin)

	var c tickets.Contact
	adm.must(201, "POST", "/api/v1/contacts", map[string]any{"name": "María Pérez", "department": "Finanzas",
		"email": "maria@example.org", "phones": []string{"044 722 276 9600", "60100"}}, &c)
	if len(c.Phones) != 1 || c.Phones[0] != "+527222769600" || len(c.Extensions) != 1 || c.Extensions[0] != "60100" {
		t.Fatalf("contact = %+v", c)
	}
	for _, n := range []string{"+52 722 276 9600", "7222769600", "722-276-9600", "60100"} {
		var got tickets.Contact
		adm.must(200, "GET", "/api/v1/contacts/lookup?phone="+url.QueryEscape(n), nil, &got)
		if got.ID != c.ID {
			t.Errorf("lookup %q = %d, want %d", n, got.ID, c.ID)
		}
	}
	if r := adm.do("GET", "/api/v1/contacts/lookup?phone=5512345678", nil); r.status != 404 {
		t.Errorf("unknown number: %d %s", r.status, r.body)
	}
	adm.must(200, "PUT", fmt.Sprintf("/api/v1/contacts/%d", c.ID), map[string]any{"name": "María Pérez López",
		"department": "Finanzas", "email": "maria@example.org", "phones": []string{"7222769600"}}, &c)
	var again tickets.Contact
	adm.must(200, "GET", fmt.Sprintf("/api/v1/contacts/%d", c.ID), nil, &again)
	if again.Name != "María Pérez López" {
		t.Errorf("after put: %+v", again)
	}

	csv := "nombre,departamento,correo,telefono,extension\nJuan Soto,Sistemas,juan@example.org,55 1234 5678,60200\nMaría Pérez López,Finanzas,maria@example.org,7222769600,\n"
	r := adm.do("POST", "/api/v1/contacts/import", csv, "Content-Type", "text/csv")
	if r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	var ir importResponse
	r.decode(t, &ir)
	if ir.Imported != 1 || ir.Updated != 1 {
		t.Errorf("import = %+v", ir)
	}
	var cl contactList
	adm.must(200, "GET", "/api/v1/contacts?q=juan", nil, &cl)
	if len(cl.Items) != 1 {
		t.Errorf("contacts q=juan: %+v", cl)
	}

	var u tickets.User
	adm.must(201, "POST", "/api/v1/users", map[string]any{"username": "luis", "name": "Luis", "role": "agent",
		"password": "a long password", "extension": "1001", "skills": []string{"internet"}}, &u)
	if u.Role != tickets.RoleAgent || u.Level != 1 || u.Language != "es" {
		t.Errorf("user = %+v", u)
	}
	if r := adm.do("POST", "/api/v1/users", map[string]any{"username": "luis", "role": "agent", "password": "a long password"}); r.status != 409 {
		t.Errorf("duplicate user: %d %s", r.status, r.body)
	}
	adm.must(200, "PUT", "/api/v1/users/luis", map[string]any{"role": "supervisor", "password": "another long one"}, &u)
	if u.Role != tickets.RoleSupervisor {
		t.Errorf("after put: %+v", u)
	}
	luis := e.anon()
	luis.must(200, "POST", "/api/v1/login", map[string]string{"username": "luis", "password": "another long one"}, nil)
	adm.must(200, "PUT", "/api/v1/users/luis", map[string]any{"disabled": true}, &u)
	if r := luis.do("GET", "/api/v1/me", nil); r.status != 401 {
		t.Errorf("disabled user still in: %d", r.status)
	}
	if r := adm.do("PUT", "/api/v1/users/root", map[string]any{"disabled": true}); r.status != 422 {
		t.Errorf("self-disable: %d %s", r.status, r.body)
	}
	var users []tickets.User
	adm.must(200, "GET", "/api/v1/users", nil, &users)
	if len(users) != 2 {
		t.Errorf("users = %d", len(users))
	}
	var cat tickets.Catalog
	adm.must(200, "GET", "/api/v1/catalog", nil, &cat)
	if len(cat.Services) == 0 {
		t.Error("empty catalog")
	}
}

func TestEnsureAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if err := EnsureAdmin(ctx, e.db, "admin", "first password"); err != nil {
		t.Fatal(err)
	}
	if err := EnsureAdmin(ctx, e.db, "admin", "second password"); err != nil {
		t.Fatal(err)
	}
	c := e.anon()
	c.must(200, "POST", "/api/v1/login", map[string]string{"username": "admin", "password": "first password"}, nil)
	var me meResponse
	c.must(200, "GET", "/api/v1/me", nil, &me)
	if me.User.Role != tickets.RoleAdmin {
		t.Errorf("role = %s", me.User.Role)
	}
	if err := EnsureAdmin(ctx, e.db, "other", "short"); tickets.ErrorCode(err) != tickets.EINVALID {
		t.Errorf("short password: %v", err)
	}
}

// Two desks change the same ticket from the same version: one wins, the
// other is told to reload, and nothing is lost silently.
func TestConcurrentPatchConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.login("ana", tickets.RoleAgent)
	b := e.login("bea", tickets.RoleAgent)
	tk := a.newTicket(nil)
	type result struct{ status int }
	results := make(chan result, 2)
	for i, c := range []*client{a, b} {
		go func() {
			// do() calls t.Fatal only on transport errors; report instead.
			r, err := c.raw("PATCH", "/api/v1/tickets/"+tk.Number,
				fmt.Sprintf(`{"version":%d,"subject":"edit %d"}`, tk.Version, i))
			if err != nil {
				results <- result{0}
				return
			}
			results <- result{r}
		}()
	}
	got := map[int]int{}
	for range 2 {
		got[(<-results).status]++
	}
	if got[200] != 1 || got[409] != 1 {
		t.Errorf("statuses = %v, want one 200 and one 409", got)
	}
}
