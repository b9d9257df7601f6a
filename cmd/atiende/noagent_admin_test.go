package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr/ivrtest"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// no_agents from the configuration file, then from the admin page: in force
// at once; an overflow to a queue the desk does not run is refused.
func TestQueueAdminNoAgents(t *testing.T) {
	ctx := context.Background()
	db := queueTestDB(t, pgtest.DB(t))
	eng := ivrtest.NewEngine()
	qc := QueuesConfig{Overrides: map[string]QueueConfig{"email": {NoAgents: "wait"}}}
	desk := queueTestDesk(t, eng, qc)
	logs := &logBuffer{max: 1 << 20}
	adm, err := newQueueAdmin(ctx, desk, db, qc, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, eff, _, _ := queueInfo(t, adm, "network"); eff.NoAgents != "callback" || eff.Overflow != "" {
		t.Errorf("network by default: %+v", eff)
	}
	if _, eff, _, _ := queueInfo(t, adm, "email"); eff.NoAgents != "wait" {
		t.Errorf("email from the configuration: %+v", eff)
	}

	s := agentdesk.QueueSettings{Queue: "network", Strategy: "longest_idle", RingTimeout: 15 * time.Second,
		MaxWait: time.Minute, ServiceLevel: 20 * time.Second, NoAgents: "overflow", Overflow: "ventas", UpdatedBy: "supervisora"}
	_, err = adm.SaveQueueSettings(ctx, s, 0)
	if tickets.ErrorCode(err) != tickets.EINVALID || agentdesk.QueueSettingField(err) != "overflow" {
		t.Fatalf("overflow to a queue the desk does not run: %v", err)
	}
	s.Overflow = "email"
	info, err := adm.SaveQueueSettings(ctx, s, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.Effective.NoAgents != "overflow" || info.Effective.Overflow != "email" || info.Config.NoAgents != "callback" {
		t.Errorf("after save %+v", info)
	}
	if c := adm.ConfigFor("network"); c.NoAgents != agentdesk.NoAgentsOverflow || c.Overflow != "email" {
		t.Errorf("the desk runs network with %+v", c)
	}
	if !strings.Contains(logs.String(), "no_agents callback -> overflow to email") {
		t.Errorf("the change is not logged:\n%s", logs.String())
	}
}
