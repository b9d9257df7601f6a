package web

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
)

func TestTicketStats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sup := e.login("sup1", tickets.RoleSupervisor)
	agent := e.login("agent1", tickets.RoleAgent)
	t0 := e.clock.Now()
	near := agent.newTicket(nil)
	far := agent.newTicket(nil)
	past := agent.newTicket(map[string]any{"subject": "<b>enlace caído</b>"})
	agent.newTicket(nil) // no SLA due time
	due := func(tk *tickets.Ticket, in time.Duration) {
		t.Helper()
		d := t0.Add(in)
		if err := e.db.SetDue(context.Background(), tk.Number, nil, &d); err != nil {
			t.Fatal(err)
		}
	}
	due(near, 4*time.Hour)
	due(far, 10*time.Hour)
	due(past, time.Hour)
	e.clock.Add(3*time.Hour + 30*time.Minute) // near: 7/8 elapsed; far: 0.35; past: overdue

	var st ticketStats
	sup.must(200, "GET", "/api/v1/tickets/stats", nil, &st)
	if st.Open != 4 || st.ByState["registered"] != 4 || st.ByState["in_progress"] != 0 {
		t.Errorf("open %d, by state %v; want 4 registered", st.Open, st.ByState)
	}
	if _, ok := st.ByState["closed"]; ok {
		t.Errorf("by state lists a closed state: %v", st.ByState)
	}
	sum := func(m map[string]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	if sum(st.ByPriority) != 4 || sum(st.ByLevel) != 4 || len(st.ByPriority) != 4 || len(st.ByLevel) != 4 {
		t.Errorf("by priority %v, by level %v: want 4 keys each summing to 4", st.ByPriority, st.ByLevel)
	}
	if len(st.Counts) == 0 {
		t.Error("no state x priority x level groups")
	}
	if st.PastTotal != 1 || len(st.PastSLA) != 1 || st.PastSLA[0].Number != past.Number ||
		st.PastSLA[0].Subject != "<b>enlace caído</b>" || st.PastSLA[0].Elapsed < 1 {
		t.Errorf("past SLA %d %+v, want only %s", st.PastTotal, st.PastSLA, past.Number)
	}
	if st.NearTotal != 1 || len(st.NearSLA) != 1 || st.NearSLA[0].Number != near.Number ||
		st.NearSLA[0].Elapsed < 0.87 || st.NearSLA[0].Elapsed > 0.88 {
		t.Errorf("near SLA %d %+v, want only %s at 7/8", st.NearTotal, st.NearSLA, near.Number)
	}
	if st.NearFraction != NearSLAFraction {
		t.Errorf("near fraction %v", st.NearFraction)
	}

	// limit bounds each list, not the totals.
	e.clock.Add(2 * time.Hour) // near is now past too
	sup.must(200, "GET", "/api/v1/tickets/stats?limit=1", nil, &st)
	if st.PastTotal != 2 || len(st.PastSLA) != 1 || st.PastSLA[0].Number != past.Number {
		t.Errorf("limit 1: past %d %+v", st.PastTotal, st.PastSLA)
	}
	for _, bad := range []string{"0", "101", "x"} {
		if r := sup.do("GET", "/api/v1/tickets/stats?limit="+bad, nil); r.status != 400 {
			t.Errorf("limit=%s: status %d, want 400", bad, r.status)
		}
	}

	e.leadOnly(t, sup, "/api/v1/tickets/stats") // supervisors and admins only
	// The path is not taken for a ticket number.
	if got := agent.do("GET", "/api/v1/tickets/"+near.Number, nil); got.status != 200 {
		t.Errorf("GET ticket: %d", got.status)
	}
}
