package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func queueSettings(queue string) *agentdesk.QueueSettings {
	no := false
	return &agentdesk.QueueSettings{Queue: queue, Strategy: "ring_all", RingTimeout: 20 * time.Second, WrapUp: 0,
		MaxWait: 5 * time.Minute, AnnounceInterval: 45 * time.Second, ServiceLevel: 30 * time.Second, AutoPause: &no,
		UpdatedBy: "supervisora"}
}

func TestQueueSettingsPutListRevert(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{now: time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)}
	db := newDB(t, postgres.Options{Clock: clk.Now})

	if list, err := db.ListQueueSettings(ctx); err != nil || len(list) != 0 {
		t.Fatalf("fresh list = %v, %v", list, err)
	}
	s := queueSettings(" redes ")
	if err := db.PutQueueSettings(ctx, s, 0); err != nil {
		t.Fatal(err)
	}
	if s.Queue != "redes" || s.Version != 1 || !s.UpdatedAt.Equal(clk.now) || s.Reverted {
		t.Fatalf("saved %+v", s)
	}
	// Version 0 again: someone saved in between.
	wantCode(t, db.PutQueueSettings(ctx, queueSettings("redes"), 0), tickets.ECONFLICT)

	clk.Add(time.Minute)
	s2 := queueSettings("redes")
	s2.Strategy, s2.RingTimeout, s2.AutoPause, s2.UpdatedBy = "round_robin", 7*time.Second+1500*time.Microsecond, nil, "admin"
	if err := db.PutQueueSettings(ctx, s2, 1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.PutQueueSettings(ctx, queueSettings("redes"), 1), tickets.ECONFLICT)  // stale
	wantCode(t, db.PutQueueSettings(ctx, queueSettings("correo"), 3), tickets.ECONFLICT) // never saved

	other := queueSettings("correo")
	other.AnnounceInterval = 0 // off
	if err := db.PutQueueSettings(ctx, other, 0); err != nil {
		t.Fatal(err)
	}
	list, err := db.ListQueueSettings(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	got := list[1]
	if got.Queue != "redes" || got.Strategy != "round_robin" || got.RingTimeout != 7002*time.Millisecond || got.WrapUp != 0 ||
		got.MaxWait != 5*time.Minute || got.AnnounceInterval != 45*time.Second || got.ServiceLevel != 30*time.Second ||
		got.AutoPause != nil || got.UpdatedBy != "admin" || !got.UpdatedAt.Equal(clk.now) || got.Version != 2 || got.Reverted {
		t.Errorf("redes read back %+v", got)
	}
	if c := list[0]; c.Queue != "correo" || c.AnnounceInterval != 0 || c.AutoPause == nil || *c.AutoPause || c.Version != 1 {
		t.Errorf("correo read back %+v", c)
	}

	// Revert: stale versions are refused; the record stays, reverted, with
	// who did it, and the version goes on.
	_, err = db.DeleteQueueSettings(ctx, "redes", 1, "admin")
	wantCode(t, err, tickets.ECONFLICT)
	_, err = db.DeleteQueueSettings(ctx, "soporte", 0, "admin")
	wantCode(t, err, tickets.ENOTFOUND)
	_, err = db.DeleteQueueSettings(ctx, "redes", 2, " ")
	wantCode(t, err, tickets.EINVALID)
	clk.Add(time.Minute)
	r, err := db.DeleteQueueSettings(ctx, "redes", 2, "supervisora")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Reverted || r.Version != 3 || r.UpdatedBy != "supervisora" || !r.UpdatedAt.Equal(clk.now) {
		t.Errorf("reverted %+v", r)
	}
	again, err := db.DeleteQueueSettings(ctx, "redes", 3, "admin") // already reverted: unchanged
	if err != nil || again.Version != 3 || again.UpdatedBy != "supervisora" {
		t.Errorf("revert twice: %+v, %v", again, err)
	}
	// A page that still shows version 2 cannot save over the revert.
	wantCode(t, db.PutQueueSettings(ctx, queueSettings("redes"), 2), tickets.ECONFLICT)
	s3 := queueSettings("redes")
	if err := db.PutQueueSettings(ctx, s3, 3); err != nil || s3.Version != 4 || s3.Reverted {
		t.Fatalf("save after revert: %+v, %v", s3, err)
	}
	if list, _ := db.ListQueueSettings(ctx); list[1].Reverted || list[1].Strategy != "ring_all" {
		t.Errorf("after saving again %+v", list[1])
	}

	// What a caller gets with nobody logged in: kept, and '' (the
	// configuration's choice) for settings saved without it.
	if list, _ := db.ListQueueSettings(ctx); list[1].NoAgents != "" || list[1].Overflow != "" {
		t.Errorf("no_agents of settings saved without it: %+v", list[1])
	}
	s4 := queueSettings("redes")
	s4.NoAgents, s4.Overflow = "overflow", " correo "
	if err := db.PutQueueSettings(ctx, s4, 4); err != nil {
		t.Fatal(err)
	}
	if list, _ := db.ListQueueSettings(ctx); list[1].NoAgents != "overflow" || list[1].Overflow != "correo" {
		t.Errorf("no_agents read back %+v", list[1])
	}
	s5 := queueSettings("redes")
	s5.NoAgents, s5.Overflow = "wait", "correo" // the overflow queue is dropped
	if err := db.PutQueueSettings(ctx, s5, 5); err != nil {
		t.Fatal(err)
	}
	if list, _ := db.ListQueueSettings(ctx); list[1].NoAgents != "wait" || list[1].Overflow != "" {
		t.Errorf("no_agents read back %+v", list[1])
	}
	if n := rawInt(t, db, "SELECT count(*) FROM queue_settings_history WHERE queue = 'redes' AND no_agents = 'overflow' AND overflow = 'correo'"); n != 1 {
		t.Errorf("the overflow setting is not in the history")
	}
	if err := rawExecErr(db, "UPDATE queue_settings SET no_agents = 'drop'"); err == nil {
		t.Error("the database took no_agents = drop")
	}

	// Every version is in the history, and nothing can be deleted.
	if n := rawInt(t, db, "SELECT count(*) FROM queue_settings_history WHERE queue = 'redes'"); n != 6 {
		t.Errorf("redes history has %d rows, want 6", n)
	}
	if n := rawInt(t, db, "SELECT count(*) FROM queue_settings_history WHERE queue = 'redes' AND version = 3 AND reverted AND updated_by = 'supervisora'"); n != 1 {
		t.Errorf("the revert is not in the history")
	}
	for _, sql := range []string{"DELETE FROM queue_settings", "DELETE FROM queue_settings_history", "UPDATE queue_settings_history SET updated_by = 'x'"} {
		if err := rawExecErr(db, sql); err == nil {
			t.Errorf("%s was allowed", sql)
		}
	}
}

func TestQueueSettingsValidation(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	cases := []struct {
		name  string
		edit  func(*agentdesk.QueueSettings)
		field string
	}{
		{"no queue", func(s *agentdesk.QueueSettings) { s.Queue = " " }, "queue"},
		{"no strategy", func(s *agentdesk.QueueSettings) { s.Strategy = "" }, "strategy"},
		{"unknown strategy", func(s *agentdesk.QueueSettings) { s.Strategy = "random" }, "strategy"},
		{"ring too short", func(s *agentdesk.QueueSettings) { s.RingTimeout = 4 * time.Second }, "ring_timeout"},
		{"ring too long", func(s *agentdesk.QueueSettings) { s.RingTimeout = 121 * time.Second }, "ring_timeout"},
		{"negative wrap-up", func(s *agentdesk.QueueSettings) { s.WrapUp = -time.Second }, "wrap_up"},
		{"wrap-up too long", func(s *agentdesk.QueueSettings) { s.WrapUp = 11 * time.Minute }, "wrap_up"},
		{"max wait too short", func(s *agentdesk.QueueSettings) { s.MaxWait = 9 * time.Second }, "max_wait"},
		{"max wait too long", func(s *agentdesk.QueueSettings) { s.MaxWait = 61 * time.Minute }, "max_wait"},
		{"announcements too often", func(s *agentdesk.QueueSettings) { s.AnnounceInterval = 5 * time.Second }, "announce_interval"},
		{"announcements too rare", func(s *agentdesk.QueueSettings) { s.AnnounceInterval = 11 * time.Minute }, "announce_interval"},
		{"no service level", func(s *agentdesk.QueueSettings) { s.ServiceLevel = 0 }, "service_level"},
		{"service level too long", func(s *agentdesk.QueueSettings) { s.ServiceLevel = 11 * time.Minute }, "service_level"},
		{"no actor", func(s *agentdesk.QueueSettings) { s.UpdatedBy = "" }, ""},
		{"unknown no-agents choice", func(s *agentdesk.QueueSettings) { s.NoAgents = "drop" }, "no_agents"},
		{"overflow nowhere", func(s *agentdesk.QueueSettings) { s.NoAgents = "overflow" }, "overflow"},
		{"overflow to itself", func(s *agentdesk.QueueSettings) { s.NoAgents, s.Overflow = "overflow", "redes" }, "overflow"},
	}
	for _, tc := range cases {
		s := queueSettings("redes")
		tc.edit(s)
		err := db.PutQueueSettings(ctx, s, 0)
		if tickets.ErrorCode(err) != tickets.EINVALID || agentdesk.QueueSettingField(err) != tc.field {
			t.Errorf("%s: %v (field %q), want invalid %q", tc.name, err, agentdesk.QueueSettingField(err), tc.field)
		}
	}
	// The edges are allowed.
	for _, edit := range []func(*agentdesk.QueueSettings){
		func(s *agentdesk.QueueSettings) {
			s.RingTimeout, s.WrapUp, s.MaxWait, s.AnnounceInterval, s.ServiceLevel = 5*time.Second, 0, 10*time.Second, 10*time.Second, 5*time.Second
		},
		func(s *agentdesk.QueueSettings) {
			s.RingTimeout, s.WrapUp, s.MaxWait, s.AnnounceInterval, s.ServiceLevel = 2*time.Minute, 10*time.Minute, time.Hour, 10*time.Minute, 10*time.Minute
		},
	} {
		s := queueSettings("edges")
		edit(s)
		cur := 0
		if list, _ := db.ListQueueSettings(ctx); len(list) > 0 {
			cur = list[0].Version
		}
		if err := db.PutQueueSettings(ctx, s, cur); err != nil {
			t.Errorf("edge %+v: %v", s, err)
		}
	}
	if n := rawInt(t, db, "SELECT count(*) FROM queue_settings WHERE queue = 'redes'"); n != 0 {
		t.Errorf("an invalid setting was stored")
	}
}

// Two supervisors save the same queue at once from the same version: one
// wins, the other is told to reload.
func TestQueueSettingsConcurrentSaves(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	for _, base := range []int{0, 1} {
		errs := make([]error, 6)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.PutQueueSettings(ctx, queueSettings("redes"), base)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch tickets.ErrorCode(err) {
			case "":
				ok++
			case tickets.ECONFLICT:
			default:
				t.Errorf("from version %d: %v", base, err)
			}
		}
		if ok != 1 {
			t.Errorf("from version %d: %d saves won, want 1 (%v)", base, ok, errs)
		}
	}
	if n := rawInt(t, db, "SELECT version FROM queue_settings WHERE queue = 'redes'"); n != 2 {
		t.Errorf("version %d, want 2", n)
	}
}
