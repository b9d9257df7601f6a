package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func window(start time.Time, services, areas []string) *escalation.Maintenance {
	return &escalation.Maintenance{Services: services, Areas: areas, Start: start, End: start.Add(2 * time.Hour),
		SummaryES: "Cambio de equipo de red", SummaryEN: "Network equipment change", CreatedBy: "sup1"}
}

func TestMaintenanceCreateListActiveCancel(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{now: time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)}
	db := newDB(t, postgres.Options{Clock: clk.Now})
	start := clk.now.Add(72 * time.Hour)
	w := window(start, []string{"internet", " internet ", ""}, []string{"Piso 3", "piso 3"})
	if err := db.CreateMaintenance(ctx, w); err != nil {
		t.Fatal(err)
	}
	if w.ID == 0 || !w.CreatedAt.Equal(clk.now) || !slices.Equal(w.Services, []string{"internet"}) || !slices.Equal(w.Areas, []string{"Piso 3"}) {
		t.Fatalf("created %+v", w)
	}
	other := window(start.Add(24*time.Hour), []string{"email"}, nil)
	if err := db.CreateMaintenance(ctx, other); err != nil {
		t.Fatal(err)
	}
	bad := window(start, []string{"internet"}, nil)
	bad.End = bad.Start
	wantCode(t, db.CreateMaintenance(ctx, bad), tickets.EINVALID)

	got, err := db.Maintenance(ctx, w.ID)
	if err != nil || got.SummaryEN != w.SummaryEN || !got.Start.Equal(start) || got.Cancelled || got.NotifiedAt != nil {
		t.Fatalf("read back %+v, %v", got, err)
	}
	_, err = db.Maintenance(ctx, 999)
	wantCode(t, err, tickets.ENOTFOUND)

	// Active: by time, service and area.
	for _, tc := range []struct {
		at            time.Time
		service, area string
		want          int64
	}{
		{start.Add(-time.Second), "internet", "", 0},
		{start, "internet", "", w.ID},
		{start.Add(time.Hour), "internet", "PISO 3", w.ID},
		{start.Add(time.Hour), "internet", "Piso 5", 0},
		{start.Add(time.Hour), "", "", w.ID},
		{start.Add(time.Hour), "email", "", 0},
		{start.Add(2 * time.Hour), "internet", "", 0}, // the end is excluded
		{other.Start.Add(time.Minute), "email", "Piso 5", other.ID},
	} {
		m, err := db.ActiveMaintenance(ctx, tc.service, tc.area, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		if m != nil {
			id = m.ID
			if !m.Affects(tc.service, tc.area) || !m.Active(tc.at) {
				t.Errorf("%+v: the domain rule disagrees with the query", tc)
			}
		}
		if id != tc.want {
			t.Errorf("active(%q, %q) at %v = %d, want %d", tc.service, tc.area, tc.at, id, tc.want)
		}
	}

	if err := db.MarkMaintenanceNotified(ctx, w.ID, clk.now); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour)
	if err := db.MarkMaintenanceNotified(ctx, w.ID, clk.now); err != nil { // keeps the first
		t.Fatal(err)
	}
	if got, _ := db.Maintenance(ctx, w.ID); got.NotifiedAt == nil || !got.NotifiedAt.Equal(clk.now.Add(-time.Hour)) {
		t.Errorf("notified_at = %v", got.NotifiedAt)
	}

	c, err := db.CancelMaintenance(ctx, w.ID, "sup2")
	if err != nil || !c.Cancelled || c.CancelledBy != "sup2" || c.CancelledAt == nil || !c.CancelledAt.Equal(clk.now) {
		t.Fatalf("cancel: %+v, %v", c, err)
	}
	if again, err := db.CancelMaintenance(ctx, w.ID, "sup3"); err != nil || again.CancelledBy != "sup2" {
		t.Errorf("cancel again: %+v, %v", again, err)
	}
	if m, err := db.ActiveMaintenance(ctx, "internet", "", start.Add(time.Hour)); err != nil || m != nil {
		t.Errorf("cancelled window still active: %+v, %v", m, err)
	}
	_, err = db.CancelMaintenance(ctx, 999, "sup2")
	wantCode(t, err, tickets.ENOTFOUND)

	// Lists: upcoming and live by default; cancelled and past on request.
	list, err := db.ListMaintenance(ctx, escalation.MaintenanceFilter{Since: clk.now})
	if err != nil || len(list) != 1 || list[0].ID != other.ID {
		t.Fatalf("upcoming: %+v, %v", list, err)
	}
	list, _ = db.ListMaintenance(ctx, escalation.MaintenanceFilter{Since: clk.now, IncludeCancelled: true})
	if len(list) != 2 || list[0].ID != w.ID {
		t.Errorf("with cancelled: %+v", list)
	}
	list, _ = db.ListMaintenance(ctx, escalation.MaintenanceFilter{Since: other.End})
	if len(list) != 0 {
		t.Errorf("after both ended: %+v", list)
	}
	list, _ = db.ListMaintenance(ctx, escalation.MaintenanceFilter{})
	if len(list) != 1 {
		t.Errorf("all but cancelled: %+v", list)
	}

	// A window that is over cannot be cancelled; none can be deleted.
	clk.now = other.End
	_, err = db.CancelMaintenance(ctx, other.ID, "sup2")
	wantCode(t, err, tickets.EINVALID)
	if err := rawExecErr(db, "DELETE FROM maintenance_windows"); err == nil {
		t.Error("maintenance windows can be deleted")
	}
}

// The affected contacts: recent callers of the services (areas narrow them
// when the window names some), plus every contact of the named areas; one
// per email address; never a contact without email.
func TestMaintenanceContacts(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)
	clk := &fakeClock{now: now.AddDate(0, 0, -100)}
	db := newDB(t, postgres.Options{Clock: clk.Now})
	contact := func(name, email, area string) *tickets.Contact {
		c := &tickets.Contact{Name: name, Email: email, Area: area}
		if err := db.SaveContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	opened := func(c *tickets.Contact, service string) {
		tk := sampleTicket()
		tk.Service, tk.Caller.ContactID = service, c.ID
		mustCreate(t, db, tk)
	}
	ana := contact("Ana", "ana@example.org", "Piso 3")
	old := contact("Old", "old@example.org", "")
	mail := contact("Mail", "mail@example.org", "")
	contact("Dora", "dora@example.org", "piso 3")
	eve := contact("Eve", "eve@example.org", "Piso 5")
	noMail := contact("NoMail", " ", "Piso 3")
	anaTwin := contact("Ana again", "ANA@example.org", "")
	contact("Nobody", "nobody@example.org", "") // no ticket, no area
	// 100 days ago: too old.
	opened(old, "internet")
	clk.now = now
	for _, c := range []*tickets.Contact{ana, eve, noMail, anaTwin} {
		opened(c, "internet")
	}
	opened(mail, "email")

	since := now.AddDate(0, 0, -90)
	names := func(m *escalation.Maintenance) []string {
		t.Helper()
		list, err := db.MaintenanceContacts(ctx, m, since)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.Name)
		}
		return out
	}
	if got := names(window(now, []string{"internet"}, nil)); !slices.Equal(got, []string{"Ana", "Eve"}) {
		t.Errorf("internet, every area: %v", got)
	}
	if got := names(window(now, []string{"internet", "email"}, nil)); !slices.Equal(got, []string{"Ana", "Mail", "Eve"}) {
		t.Errorf("internet and email: %v", got)
	}
	// Piso 3: Ana (recent caller there), Dora (of the area); Eve is in
	// Piso 5; Ana's twin address is Ana's.
	if got := names(window(now, []string{"internet"}, []string{"PISO 3"})); !slices.Equal(got, []string{"Ana", "Dora"}) {
		t.Errorf("internet, Piso 3: %v", got)
	}
}
