package intake_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func maintenanceDB(t *testing.T, start time.Time) (*postgres.DB, *escalation.Maintenance) {
	t.Helper()
	ctx := context.Background()
	db := openDB(t)
	w := &escalation.Maintenance{Services: []string{"internet_failure"}, Areas: []string{"Piso 3"}, Start: start,
		End: start.Add(2 * time.Hour), SummaryES: "Cambio de router", SummaryEN: "Router change", CreatedBy: "sup1"}
	if err := db.CreateMaintenance(ctx, w); err != nil {
		t.Fatal(err)
	}
	return db, w
}

// The window is reported only while in progress, for its services and
// areas, and not once cancelled; without a finder there is never one.
func TestMaintenanceByTime(t *testing.T) {
	ctx := context.Background()
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second) // the store cancels at the wall clock
	db, w := maintenanceDB(t, start)
	now := start
	svc := intake.New(intake.Deps{Store: db, Catalog: tickets.DefaultCatalog(), Maintenance: db, Clock: func() time.Time { return now }})
	for _, tc := range []struct {
		at            time.Time
		service, area string
		active        bool
	}{
		{start.Add(-time.Minute), "internet_failure", "", false},
		{start, "internet_failure", "", true},
		{start.Add(time.Hour), "internet_failure", "piso 3", true},
		{start.Add(time.Hour), "internet_failure", "Piso 4", false},
		{start.Add(time.Hour), "email_failure", "", false},
		{w.End, "internet_failure", "", false},
	} {
		now = tc.at
		m, err := svc.Maintenance(ctx, tc.service, tc.area)
		if err != nil {
			t.Fatal(err)
		}
		if (m != nil) != tc.active {
			t.Errorf("at %v %q %q: %+v, want active %v", tc.at, tc.service, tc.area, m, tc.active)
		}
		if m != nil && (m.ID != strconv.FormatInt(w.ID, 10) || m.Summary != "Cambio de router" || !m.Start.Equal(start)) {
			t.Errorf("window %+v", m)
		}
	}
	now = start.Add(time.Hour)
	if _, err := db.CancelMaintenance(ctx, w.ID, "sup1"); err != nil {
		t.Fatal(err)
	}
	if m, err := svc.Maintenance(ctx, "internet_failure", ""); err != nil || m != nil {
		t.Errorf("cancelled: %+v, %v", m, err)
	}
	bare := intake.New(intake.Deps{Store: db, Catalog: tickets.DefaultCatalog()})
	if m, err := bare.Maintenance(ctx, "internet_failure", ""); err != nil || m != nil {
		t.Errorf("without a finder: %+v, %v", m, err)
	}
}

// A caller of an internet failure during the window hears the maintenance
// notice, then is queued as usual (the default flow's `if: maintenance`).
func TestCallHearsMaintenanceBeforeQueueing(t *testing.T) {
	db, _ := maintenanceDB(t, time.Now().Add(-time.Hour))
	h := newHarnessOn(t, db, func(d *intake.Deps) { d.Maintenance = db })
	if err := h.desk.SetAgentState("ana", agentdesk.StatePaused, "break"); err != nil {
		t.Fatal(err)
	}
	c := h.walkToInternetFailure(t, "044 722 276 9600")
	if err := c.WaitPlayed("es/maintenance", 5*time.Second); err != nil {
		t.Fatalf("%v; played %v", err, c.Sounds())
	}
	h.waitQueued(t, c)
	c.CallerHangup()
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}
