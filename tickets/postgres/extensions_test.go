package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestExtensionHistoryAndState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &fakeClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	db := newDB(t, postgres.Options{Clock: clk.Now})
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	steps := []ivr.ExtensionStatus{
		{Extension: "1001", State: ivr.ExtRegistered, Contact: "sip:1001@10.0.0.5:5060", UserAgent: "baresip", RTT: 12345 * time.Microsecond, Since: t0, Reason: "registered"},
		{Extension: "1002", State: ivr.ExtRegistered, Contact: "sip:1002@10.0.0.6:5060", Since: t0},
		{Extension: "1001", State: ivr.ExtUnreachable, Contact: "sip:1001@10.0.0.5:5060", UserAgent: "baresip", Since: t0.Add(time.Minute), Reason: "qualify timeout"},
		{Extension: "1001", State: ivr.ExtUnregistered, Since: t0.Add(2 * time.Minute), Reason: "expired"},
		{Extension: "1003", State: ivr.ExtUnregistered}, // no Since: the clock's now
	}
	for _, st := range steps {
		if err := db.RecordExtension(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	h, err := db.ExtensionHistory(ctx, "1001", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[0].State != ivr.ExtUnregistered || h[1].State != ivr.ExtUnreachable || h[2].State != ivr.ExtRegistered {
		t.Fatalf("history, newest first: %+v", h)
	}
	if first := h[2]; first.RTT != 12345*time.Microsecond || first.UserAgent != "baresip" || first.Reason != "registered" ||
		!first.Since.Equal(t0.Truncate(time.Microsecond)) {
		t.Errorf("first event: %+v", first)
	}
	if h, _ := db.ExtensionHistory(ctx, "1001", 1); len(h) != 1 || h[0].Reason != "expired" {
		t.Errorf("limit 1: %+v", h)
	}

	states, err := db.ExtensionStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 3 || states[0].Extension != "1001" || states[0].State != ivr.ExtUnregistered ||
		!states[0].Since.Equal(t0.Add(2*time.Minute).Truncate(time.Microsecond)) || states[0].Contact != "" {
		t.Fatalf("states: %+v", states)
	}
	if !states[2].Since.Equal(clk.now) {
		t.Errorf("1003 since %v, want the clock's %v", states[2].Since, clk.now)
	}

	if err := db.RecordExtension(ctx, ivr.ExtensionStatus{State: ivr.ExtRegistered}); tickets.ErrorCode(err) != tickets.EINVALID {
		t.Errorf("no extension: %v", err)
	}
	if err := db.RecordExtension(ctx, ivr.ExtensionStatus{Extension: "1001", State: "up"}); tickets.ErrorCode(err) != tickets.EINVALID {
		t.Errorf("bad state: %v", err)
	}
	wantCode(t, rawExecErr(db, "UPDATE extension_events SET reason = 'x'"), tickets.EINTERNAL)
}

func TestExtensionTicketLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	tk := mustCreate(t, db, sampleTicket())
	if err := db.SetExtensionTicket(ctx, "1001", tk.Number); tickets.ErrorCode(err) != tickets.ENOTFOUND {
		t.Errorf("unknown extension: %v", err)
	}
	if err := db.RecordExtension(ctx, ivr.ExtensionStatus{Extension: "1001", State: ivr.ExtUnregistered}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetExtensionTicket(ctx, "1001", "999999"); tickets.ErrorCode(err) != tickets.EINVALID {
		t.Errorf("unknown ticket: %v", err)
	}
	if err := db.SetExtensionTicket(ctx, "1001", tk.Number); err != nil {
		t.Fatal(err)
	}
	// A new status keeps the link: it belongs to the outage, not the status.
	if err := db.RecordExtension(ctx, ivr.ExtensionStatus{Extension: "1001", State: ivr.ExtRegistered}); err != nil {
		t.Fatal(err)
	}
	m, err := db.ExtensionTickets(ctx)
	if err != nil || len(m) != 1 || m["1001"] != tk.Number {
		t.Fatalf("tickets: %v %v", m, err)
	}
	if err := db.SetExtensionTicket(ctx, "1001", ""); err != nil {
		t.Fatal(err)
	}
	if m, _ := db.ExtensionTickets(ctx); len(m) != 0 {
		t.Errorf("after unlink: %v", m)
	}
}
