package escalation_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/tickets"
)

type planned struct {
	kind  escalation.ActionKind
	level int
	due   time.Time
	key   string
}

func checkPlan(t *testing.T, got []escalation.Action, want []planned) {
	t.Helper()
	if len(got) != len(want) {
		for _, a := range got {
			t.Logf("got %s L%d %v %s", a.Kind, a.Level, a.DueAt, a.Key)
		}
		t.Fatalf("%d actions, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.Level != w.level || !g.DueAt.Equal(w.due) || (w.key != "" && g.Key != w.key) {
			t.Errorf("action %d = %s L%d %v %s, want %s L%d %v %s", i, g.Kind, g.Level, g.DueAt, g.Key, w.kind, w.level, w.due, w.key)
		}
		if g.Reason == "" {
			t.Errorf("action %d has no reason", i)
		}
	}
}

// The user is asked for information on Thursday afternoon: 48 business
// hours later, past the weekend, is the next Thursday at closing time.
func TestPlanPendingUserRejectedAcrossWeekend(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, mx) }
	tk, hist := ticketWith("T-48", tickets.P4, at(11, 26, 9), move{at(11, 26, 10), tickets.InProgress}, move{at(11, 26, 15), tickets.PendingUser})
	sla := defaultSLA(t)
	got, err := sla.Plan(tk, hist)
	if err != nil {
		t.Fatal(err)
	}
	since := at(11, 26, 15).Unix()
	checkPlan(t, got, []planned{
		{escalation.Remind, 1, at(12, 1, 12), "T-48/remind/" + itoa(since)},
		{escalation.AutoReject, 1, at(12, 3, 18), "T-48/auto_reject/" + itoa(since)},
	})
	if !strings.Contains(got[1].Reason, "48 business hours") {
		t.Errorf("reason %q", got[1].Reason)
	}

	// The user answers on Monday: the rejection is withdrawn. A second
	// request for information gets its own keys.
	tk2, hist2 := ticketWith("T-48", tickets.P4, at(11, 26, 9), move{at(11, 26, 10), tickets.InProgress}, move{at(11, 26, 15), tickets.PendingUser},
		move{at(11, 30, 10), tickets.InProgress}, move{at(11, 30, 11), tickets.PendingUser})
	got2, _ := sla.Plan(tk2, hist2)
	if n := len(got2); n < 2 || got2[n-1].Kind != escalation.AutoReject || got2[n-1].Key == got[1].Key {
		t.Errorf("second request plan = %+v", got2)
	}
	if last := got2[len(got2)-1]; !last.DueAt.Equal(at(12, 7, 14)) {
		t.Errorf("second rejection due %v, want Monday 7 December 14:00", last.DueAt)
	}
}

func TestPlanEscalationSteps(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, mx) }
	sla := defaultSLA(t)

	t.Run("P2 in progress: resolution steps on the office calendar", func(t *testing.T) {
		tk, hist := ticketWith("T-2", tickets.P2, at(23, 9, 0), move{at(23, 9, 30), tickets.InProgress})
		got, _ := sla.Plan(tk, hist)
		checkPlan(t, got, []planned{
			{escalation.Escalate, 2, at(24, 12, 0), "T-2/escalate/resolution/75%/L2"},
			{escalation.Escalate, 3, at(24, 16, 0), "T-2/escalate/resolution/100%/L3"},
		})
	})
	t.Run("P1 unanswered: response and resolution steps around the clock", func(t *testing.T) {
		tk, hist := ticketWith("T-1", tickets.P1, at(28, 10, 0))
		got, _ := sla.Plan(tk, hist)
		checkPlan(t, got, []planned{
			{escalation.Escalate, 2, at(28, 10, 15), "T-1/escalate/response/50%/L2"},
			{escalation.Escalate, 3, time.Date(2026, 11, 28, 10, 22, 30, 0, mx), "T-1/escalate/response/75%/L3"},
			{escalation.Escalate, 4, at(28, 10, 30), "T-1/escalate/response/100%/L4"},
			{escalation.Escalate, 2, at(28, 14, 0), "T-1/escalate/resolution/50%/L2"},
			{escalation.Escalate, 3, at(28, 16, 0), "T-1/escalate/resolution/75%/L3"},
			{escalation.Escalate, 4, at(28, 18, 0), "T-1/escalate/resolution/100%/L4"},
		})
	})
	t.Run("already at level 3", func(t *testing.T) {
		tk, hist := ticketWith("T-3", tickets.P2, at(23, 9, 0), move{at(23, 9, 30), tickets.InProgress})
		tk.Level = 3
		if got, _ := sla.Plan(tk, hist); len(got) != 0 {
			t.Errorf("plan = %+v, want nothing", got)
		}
	})
	t.Run("on hold: steps not reached wait, reached ones stay", func(t *testing.T) {
		tk, hist := ticketWith("T-4", tickets.P2, at(23, 9, 0), move{at(23, 9, 30), tickets.InProgress}, move{at(24, 13, 0), tickets.OnHold})
		got, _ := sla.Plan(tk, hist)
		checkPlan(t, got, []planned{{escalation.Escalate, 2, at(24, 12, 0), "T-4/escalate/resolution/75%/L2"}})
	})
	t.Run("resumed: the remaining step moves by the pause", func(t *testing.T) {
		tk, hist := ticketWith("T-5", tickets.P2, at(23, 9, 0), move{at(23, 9, 30), tickets.InProgress},
			move{at(24, 13, 0), tickets.OnHold}, move{at(25, 9, 0), tickets.InProgress})
		got, _ := sla.Plan(tk, hist)
		checkPlan(t, got, []planned{
			{escalation.Escalate, 2, at(24, 12, 0), "T-5/escalate/resolution/75%/L2"},
			{escalation.Escalate, 3, at(25, 12, 0), "T-5/escalate/resolution/100%/L3"},
		})
	})
	t.Run("custom steps", func(t *testing.T) {
		p := &escalation.Policy{Priority: tickets.P3, Calendar: "office", FirstResponse: time.Hour, Resolution: 10 * time.Hour,
			Steps: []escalation.Step{{At: 50, Level: 2}, {At: 150, Level: 4}}}
		tk, hist := ticketWith("T-6", tickets.P3, at(23, 9, 0), move{at(23, 9, 5), tickets.InProgress})
		got := escalation.Plan(tk, hist, p, sla.Calendars, sla.Rules)
		checkPlan(t, got, []planned{
			{escalation.Escalate, 2, at(23, 14, 0), "T-6/escalate/resolution/50%/L2"},
			{escalation.Escalate, 4, at(24, 15, 0), "T-6/escalate/resolution/150%/L4"},
		})
	})
}

func TestPlanAutoClose(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, mx) }
	sla := defaultSLA(t)
	tk, hist := ticketWith("T-7", tickets.P3, at(11, 26, 9), move{at(11, 26, 10), tickets.InProgress}, move{at(11, 27, 11), tickets.Resolved})
	got, _ := sla.Plan(tk, hist)
	checkPlan(t, got, []planned{{escalation.AutoClose, 1, at(12, 2, 11), "T-7/auto_close/" + itoa(at(11, 27, 11).Unix())}})

	hist = append(hist, tickets.HistoryEntry{At: at(11, 30, 9), Field: escalation.FieldObjection, Actor: "user", Reason: "sigue sin funcionar"})
	if got, _ := sla.Plan(tk, hist); len(got) != 0 {
		t.Errorf("plan after an objection = %+v", got)
	}
	tk.State = tickets.Closed
	hist = append(hist, tickets.HistoryEntry{At: at(12, 1, 9), Field: "state", From: "resolved", To: "closed"})
	if got, _ := sla.Plan(tk, hist); len(got) != 0 {
		t.Errorf("plan of a closed ticket = %+v", got)
	}
}

// Plans recomputed on every transition keep one effect per key: a paused
// ticket's pending escalations are cancelled, done ones are not redone.
func TestPlanSyncAcrossTransitions(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, mx) }
	ctx := context.Background()
	sla := defaultSLA(t)
	st := memstore.New()
	sync := func(moves ...move) {
		tk, hist := ticketWith("T-8", tickets.P2, at(23, 9), moves...)
		acts, err := sla.Plan(tk, hist)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Sync(ctx, tk.Number, acts); err != nil {
			t.Fatal(err)
		}
	}
	m1 := move{at(23, 10), tickets.InProgress}
	sync(m1)
	claimed, _ := st.Claim(ctx, at(24, 12), 10, time.Minute) // the 75% step is due
	if len(claimed) != 1 || claimed[0].Level != 2 {
		t.Fatalf("claimed %+v", claimed)
	}
	if err := st.Done(ctx, claimed[0].Key, claimed[0].Token, at(24, 12)); err != nil {
		t.Fatal(err)
	}
	m2 := move{at(24, 13), tickets.PendingUser}
	sync(m1, m2)
	if p := st.Entries(memstore.Pending); len(p) != 2 || p[0].Action.Kind != escalation.Remind || p[1].Action.Kind != escalation.AutoReject {
		t.Errorf("pending while waiting for the user: %+v", p)
	}
	if c := st.Entries(memstore.Cancelled); len(c) != 1 || c[0].Action.Level != 3 {
		t.Errorf("cancelled: %+v", c)
	}
	sync(m1, m2, move{at(25, 9), tickets.InProgress})
	p := st.Entries(memstore.Pending)
	if len(p) != 1 || p[0].Action.Level != 3 || !p[0].Action.DueAt.Equal(at(25, 12)) {
		t.Errorf("pending after the answer: %+v", p)
	}
	if d := st.Entries(memstore.Done); len(d) != 1 {
		t.Errorf("done: %+v", d)
	}
}

func TestManualEscalation(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tk := &tickets.Ticket{Number: "T-9", Level: 1, State: tickets.InProgress}
	a, err := escalation.ManualEscalation(tk, 3, " caída masiva en el edificio B ", "supervisor", now)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != escalation.Escalate || a.Level != 3 || !a.DueAt.Equal(now) || a.Reason != "caída masiva en el edificio B" || a.Actor != "supervisor" || a.Planned() {
		t.Errorf("action = %+v", a)
	}
	for _, c := range []struct {
		level         int
		reason, actor string
		state         tickets.State
	}{
		{1, "x", "s", tickets.InProgress}, {5, "x", "s", tickets.InProgress}, {3, "  ", "s", tickets.InProgress},
		{3, "x", "", tickets.InProgress}, {3, "x", "s", tickets.Closed},
	} {
		tk.State = c.state
		if _, err := escalation.ManualEscalation(tk, c.level, c.reason, c.actor, now); tickets.ErrorCode(err) != tickets.EINVALID {
			t.Errorf("%+v: err = %v", c, err)
		}
	}
}

func TestMaintenanceNotice(t *testing.T) {
	mx := zone(t, "America/Mexico_City")
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, mx) }
	sla := defaultSLA(t)
	m := &escalation.Maintenance{Start: at(25, 10), End: at(25, 14), Services: []string{"connectivity"}}
	a, err := sla.MaintenanceNotice("mw-1", m, at(23, 9))
	if err != nil {
		t.Fatal(err)
	}
	// 16 business hours before Wednesday 10:00: Monday 12:00.
	if a.Kind != escalation.Notify || a.Template != escalation.MaintenanceTemplate || !a.DueAt.Equal(at(23, 12)) || a.Key != "maintenance/mw-1/notice" {
		t.Errorf("notice = %+v", a)
	}
	_, err = sla.MaintenanceNotice("mw-1", m, at(23, 13))
	if tickets.ErrorCode(err) != tickets.EINVALID || !strings.Contains(err.Error(), "at least 16 business hours ahead") {
		t.Errorf("late notice: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
