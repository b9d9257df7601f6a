package main

// Queue settings edited at runtime: the adapter over a real ACD (with the
// scripted engine, to see what the ACD dials) and a real store, then the
// admin page in a browser against the real binary, across a restart.

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
	"github.com/chromedp/chromedp"
)

func queueTestDB(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// queueTestDesk is an ACD with the queues network and email as the
// configuration file gives them.
func queueTestDesk(t *testing.T, eng ivr.Engine, qc QueuesConfig) *acd.ACD {
	t.Helper()
	desk := acd.New(acd.Config{RetryAfter: 50 * time.Millisecond}, eng, nil, nil, nil)
	t.Cleanup(func() { desk.Close() })
	for _, g := range []string{"email", "network"} {
		if err := desk.AddQueue(queueConfigFor(g, qc)); err != nil {
			t.Fatal(err)
		}
	}
	return desk
}

func queueSnap(t *testing.T, desk *acd.ACD, name string) agentdesk.QueueSnapshot {
	t.Helper()
	for _, q := range desk.Snapshot().Queues {
		if q.Name == name {
			return q
		}
	}
	t.Fatalf("the ACD has no queue %s", name)
	return agentdesk.QueueSnapshot{}
}

// newQueueAdmin is the desk's queue administration over the configuration
// file's queues section, as runServe builds it.
func newQueueAdmin(ctx context.Context, desk *acd.ACD, st agentdesk.QueueSettingsStore, qc QueuesConfig, log *slog.Logger) (*acd.QueueAdmin, error) {
	return acd.NewQueueAdmin(ctx, desk, st, func(g string) agentdesk.QueueConfig { return queueConfigFor(g, qc) }, log)
}

func queueInfo(t *testing.T, adm *acd.QueueAdmin, name string) (found bool, settings, config agentdesk.QueueSettings, saved *agentdesk.QueueSettings) {
	t.Helper()
	list, err := adm.Queues(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range list {
		if q.Name == name {
			return true, q.Effective, q.Config, q.Saved
		}
	}
	return false, agentdesk.QueueSettings{}, agentdesk.QueueSettings{}, nil
}

func TestQueueAdminAppliesSettings(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.DB(t)
	db := queueTestDB(t, dbURL)
	eng := ivrtest.NewEngine()
	eng.SetPlayDuration(time.Millisecond)
	qc := QueuesConfig{QueueConfig: QueueConfig{RingTimeout: Duration(12 * time.Second)},
		Overrides: map[string]QueueConfig{"email": {Strategy: "round_robin"}}}
	desk := queueTestDesk(t, eng, qc)
	logs := &logBuffer{max: 1 << 20}
	adm, err := newQueueAdmin(ctx, desk, db, qc, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}

	// From the configuration file, defaults filled in.
	_, eff, cfg, saved := queueInfo(t, adm, "network")
	if saved != nil || eff.Strategy != "longest_idle" || eff.RingTimeout != 12*time.Second || eff.WrapUp != agentdesk.DefaultWrapUp ||
		eff.MaxWait != agentdesk.DefaultMaxWait || eff.AnnounceInterval != agentdesk.DefaultAnnounceInterval ||
		eff.ServiceLevel != agentdesk.DefaultServiceLevel || eff.AutoPause == nil || !*eff.AutoPause || cfg.RingTimeout != eff.RingTimeout {
		t.Fatalf("network from the configuration: %+v (config %+v, saved %v)", eff, cfg, saved)
	}
	if _, e, _, _ := queueInfo(t, adm, "email"); e.Strategy != "round_robin" {
		t.Errorf("email's override: %+v", e)
	}

	// Save: in force at once, logged with who.
	no := false
	s := agentdesk.QueueSettings{Queue: "network", Strategy: "ring_all", RingTimeout: 7 * time.Second, WrapUp: 0,
		MaxWait: time.Minute, AnnounceInterval: 0, ServiceLevel: 30 * time.Second, AutoPause: &no, UpdatedBy: "supervisora"}
	info, err := adm.SaveQueueSettings(ctx, s, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.Saved == nil || info.Saved.Version != 1 || info.Effective.Strategy != "ring_all" || info.Effective.RingTimeout != 7*time.Second ||
		info.Effective.WrapUp != 0 || info.Effective.AnnounceInterval != 0 || *info.Effective.AutoPause || info.Config.RingTimeout != 12*time.Second {
		t.Errorf("after save %+v", info)
	}
	if q := queueSnap(t, desk, "network"); q.Strategy != agentdesk.RingAll || q.WrapUp != 0 || q.Stats.ServiceLevel != 30*time.Second {
		t.Errorf("the ACD runs network with %s, wrap-up %v, service level %v", q.Strategy, q.WrapUp, q.Stats.ServiceLevel)
	}
	if l := info.Live; l.Strategy != "ring_all" || l.ServiceLevel != 30*time.Second {
		t.Errorf("live %+v", l)
	}
	// "None" reaches the ACD as off, not as its default.
	if c := adm.ConfigFor("network"); c.WrapUp >= 0 || c.AnnounceInterval >= 0 || c.RingTimeout != 7*time.Second || c.AutoPauses() {
		t.Errorf("ConfigFor(network) = %+v", c)
	}
	if _, ok := queueLogFind(logs, `msg="queue settings changed"`, "queue=network", "by=supervisora",
		"strategy longest_idle -> ring_all", "ring_timeout 12s -> 7s", "wrap_up 10s -> 0s", "auto_pause true -> false"); !ok {
		t.Errorf("the change is not logged:\n%s", logs.String())
	}

	// Stale versions and unknown queues are refused, and change nothing.
	if _, err := adm.SaveQueueSettings(ctx, s, 0); tickets.ErrorCode(err) != tickets.ECONFLICT {
		t.Errorf("stale save: %v", err)
	}
	ghost := s
	ghost.Queue = "ventas"
	if _, err := adm.SaveQueueSettings(ctx, ghost, 0); tickets.ErrorCode(err) != tickets.ENOTFOUND || !strings.Contains(err.Error(), "network") {
		t.Errorf("unknown queue: %v", err)
	}
	if _, err := adm.ResetQueueSettings(ctx, "network", 0, "admin"); tickets.ErrorCode(err) != tickets.ECONFLICT {
		t.Errorf("stale revert: %v", err)
	}
	if _, err := adm.ResetQueueSettings(ctx, "email", 2, "admin"); tickets.ErrorCode(err) != tickets.ECONFLICT {
		t.Errorf("revert of a queue never saved, from version 2: %v", err)
	}
	if info, err := adm.ResetQueueSettings(ctx, "email", 0, "admin"); err != nil || info.Saved != nil {
		t.Errorf("revert of a queue on its configuration: %+v, %v", info, err)
	}

	// The ACD dials with the new ring timeout, and does not pause the agent
	// whose phone is unreachable (auto-pause off): it tries her again.
	eng.OnDial(func(string, ivr.DialOptions) (ivr.Call, error) { return nil, ivr.ErrUnreachable })
	if err := desk.AddAgent(agentdesk.Agent{Username: "ana", Extension: "1001", Skills: map[string]int{"network": 0},
		State: agentdesk.StateAvailable}); err != nil {
		t.Fatal(err)
	}
	callCtx, hangup := context.WithCancel(ctx)
	defer hangup()
	done := make(chan acd.Result, 1)
	go func() {
		_ = eng.Serve(callCtx, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
			r, _ := desk.Enqueue(ctx, c, acd.CallInfo{Queue: "network"})
			done <- r
		}))
	}()
	caller := eng.Call(ivr.Party{Number: "5551234"}, "6000")
	dials, err := eng.WaitDials(2, 20*time.Second)
	if err != nil {
		t.Fatalf("%v: %+v (agents %+v)", err, dials, desk.Agents())
	}
	for _, d := range dials {
		if d.Target != "1001" || d.Opts.Timeout != 7*time.Second {
			t.Errorf("dial %s with ring timeout %v, want 1001 for 7s", d.Target, d.Opts.Timeout)
		}
	}
	caller.CallerHangup()
	select {
	case r := <-done:
		if r.Outcome != agentdesk.OutcomeAbandoned {
			t.Errorf("outcome %s", r.Outcome)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Enqueue did not return after the caller hung up")
	}
	hangup()

	// A restart on the same database: saved settings win over the file.
	desk2 := queueTestDesk(t, ivrtest.NewEngine(), qc)
	logs2 := &logBuffer{max: 1 << 20}
	adm2, err := newQueueAdmin(ctx, desk2, db, qc, slog.New(slog.NewTextHandler(logs2, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if q := queueSnap(t, desk2, "network"); q.Strategy != agentdesk.RingAll {
		t.Errorf("after a restart network runs %s", q.Strategy)
	}
	if c := adm2.ConfigFor("network"); c.RingTimeout != 7*time.Second || c.MaxWait != time.Minute {
		t.Errorf("after a restart %+v", c)
	}
	if _, ok := queueLogFind(logs2, "override the configuration", "queue=network", "by=supervisora", "version=1"); !ok {
		t.Errorf("the restart does not say which settings override the file:\n%s", logs2.String())
	}

	// Two processes on one database: a change made through one reaches
	// the other's ACD when it next looks.
	e := agentdesk.QueueSettings{Queue: "email", Strategy: "fewest_calls", RingTimeout: 20 * time.Second, WrapUp: 5 * time.Second,
		MaxWait: 2 * time.Minute, AnnounceInterval: time.Minute, ServiceLevel: 20 * time.Second, UpdatedBy: "admin"}
	if _, err := adm2.SaveQueueSettings(ctx, e, 0); err != nil {
		t.Fatal(err)
	}
	if _, eff, _, _ := queueInfo(t, adm, "email"); eff.Strategy != "fewest_calls" || queueSnap(t, desk, "email").Strategy != agentdesk.FewestCalls {
		t.Errorf("the other process runs email with %+v", eff)
	}
	if _, ok := queueLogFind(logs, "changed by another process", "queue=email", "by=admin"); !ok {
		t.Errorf("the change from the other process is not logged:\n%s", logs.String())
	}

	// Back to the file: at once, logged, and kept across a restart.
	info, err = adm.ResetQueueSettings(ctx, "network", 1, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if info.Saved == nil || !info.Saved.Reverted || info.Saved.Version != 2 || info.Effective.Strategy != "longest_idle" ||
		info.Effective.RingTimeout != 12*time.Second || info.Effective.WrapUp != agentdesk.DefaultWrapUp {
		t.Errorf("after revert %+v", info)
	}
	if q := queueSnap(t, desk, "network"); q.Strategy != agentdesk.LongestIdle || q.WrapUp != agentdesk.DefaultWrapUp {
		t.Errorf("after revert the ACD runs network with %s, wrap-up %v", q.Strategy, q.WrapUp)
	}
	if _, ok := queueLogFind(logs, "reverted to the configuration", "queue=network", "by=admin", "strategy ring_all -> longest_idle"); !ok {
		t.Errorf("the revert is not logged:\n%s", logs.String())
	}
	desk3 := queueTestDesk(t, ivrtest.NewEngine(), qc)
	if _, err := newQueueAdmin(ctx, desk3, db, qc, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if q := queueSnap(t, desk3, "network"); q.Strategy != agentdesk.LongestIdle {
		t.Errorf("a reverted queue runs %s after a restart", q.Strategy)
	}

	// Settings of a support group the catalog no longer has are kept, not
	// turned into a queue; when the group comes back they apply.
	gone := agentdesk.QueueSettings{Queue: "ventas", Strategy: "ring_all", RingTimeout: 9 * time.Second, MaxWait: time.Minute,
		ServiceLevel: 20 * time.Second, UpdatedBy: "admin"}
	if err := db.PutQueueSettings(ctx, &gone, 0); err != nil {
		t.Fatal(err)
	}
	if found, _, _, _ := queueInfo(t, adm, "ventas"); found || len(desk.Snapshot().Queues) != 2 {
		t.Errorf("saved settings made a queue the catalog does not have")
	}
	if err := desk.AddQueue(queueConfigFor("ventas", qc)); err != nil { // as a catalog edit would
		t.Fatal(err)
	}
	if found, eff, _, _ := queueInfo(t, adm, "ventas"); !found || eff.Strategy != "ring_all" || queueSnap(t, desk, "ventas").Strategy != agentdesk.RingAll {
		t.Errorf("ventas back: found %v, %+v", found, eff)
	}
}

// queueLogFind reports whether a line of l holds every one of parts.
func queueLogFind(l *logBuffer, parts ...string) (string, bool) {
	for _, line := range strings.Split(l.String(), "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return line, true
		}
	}
	return "", false
}

// apiQueue is one item of GET /api/v1/queues.
type apiQueue struct {
	Name     string `json:"name"`
	Source   string `json:"source"`
	Version  int    `json:"version"`
	Reverted bool   `json:"reverted"`
	Settings struct {
		Strategy    string  `json:"strategy"`
		RingTimeout float64 `json:"ring_timeout_s"`
		WrapUp      float64 `json:"wrap_up_s"`
		MaxWait     float64 `json:"max_wait_s"`
		NoAgents    string  `json:"no_agents"`
		Overflow    string  `json:"overflow"`
	} `json:"settings"`
	Config struct {
		Strategy    string  `json:"strategy"`
		RingTimeout float64 `json:"ring_timeout_s"`
	} `json:"config"`
	UpdatedBy string `json:"updated_by"`
	Live      struct {
		Strategy      string `json:"strategy"`
		AgentsStaffed int    `json:"agents_staffed"`
	} `json:"live"`
}

func (c *apiClient) queues(t *testing.T) map[string]apiQueue {
	t.Helper()
	var list struct {
		Items []apiQueue `json:"items"`
	}
	if code := c.do("GET", "/api/v1/queues", nil, &list); code != 200 {
		t.Fatalf("GET /api/v1/queues: %d", code)
	}
	m := map[string]apiQueue{}
	for _, q := range list.Items {
		m[q.Name] = q
	}
	return m
}

// brQueueRow is true when the network row shows source src and ring "ring".
func brQueueRow(src, ring, strategy string) string {
	return `(() => { const r = document.querySelector('#queue-rows tr[data-queue="network"]');
		return r !== null && r.dataset.source === "` + src + `" && r.querySelector(".ring").textContent === "` + ring + `" &&
			r.querySelector(".strategy").textContent === "` + strategy + `"; })()`
}

// A supervisor changes a queue from the admin page; it applies at once, and
// after a restart of the binary on the same database it still does; then
// she puts it back on the configuration.
func TestQueuesBrowser(t *testing.T) {
	const yaml = "  ring_timeout: 12s\n"
	ctx := browsertest.Browser(t)
	a := startAtiende(t, harnessOptions{Queues: yaml})
	sup := a.login(t, "supervisora", brPassword)
	if q := sup.queues(t)["network"]; q.Source != "config" || q.Settings.RingTimeout != 12 || q.Settings.Strategy != "longest_idle" || q.Version != 0 {
		t.Fatalf("network before: %+v", q)
	}
	if code := a.login(t, "ana", brPassword).do("GET", "/api/v1/queues", nil, nil); code != 403 {
		t.Errorf("an agent lists the queues: %d", code)
	}
	if code := sup.do("PUT", "/api/v1/queues/network", map[string]any{"version": 0, "strategy": "ring_all", "ring_timeout_s": 2,
		"wrap_up_s": 10, "max_wait_s": 120, "announce_interval_s": 30, "service_level_s": 20}, nil); code != 422 {
		t.Errorf("a 2 s ring timeout: %d, want 422", code)
	}

	dialogs := browsertest.WatchDialogs(ctx)
	console := browsertest.WatchConsole(ctx)
	brLogin(t, ctx, a.Base, "supervisora", "/wallboard.html")
	brStep(t, ctx, "open the queues tab", chromedp.Navigate(a.Base+"/admin.html#queues"))
	brWaitJS(t, ctx, 10*time.Second, "network from the configuration",
		`!document.getElementById("panel-queues").hidden && `+brQueueRow("config", "12 s", "Más tiempo sin llamada"))
	if got := brEval[string](t, ctx, `document.querySelector('#queue-rows tr[data-queue="network"] .source').textContent`); got != "Archivo de configuración" {
		t.Errorf("source %q", got)
	}
	if missing := brEval[[]string](t, ctx, `import("/js/i18n.js").then(m => m.missingKeys())`); len(missing) != 0 {
		t.Errorf("keys missing from a language: %v", missing)
	}
	brStep(t, ctx, "edit network", chromedp.Click(chromedp.CSS(`#queue-rows tr[data-queue="network"] button.edit`)))
	brWaitJS(t, ctx, 5*time.Second, "the form with network's values",
		`!document.getElementById("queue-form").hidden && document.querySelector('#queue-form input[name=ring_timeout_s]').value === "12" && document.getElementById("queue-reset").hidden`)
	if got := brEval[string](t, ctx, `document.querySelector('#queue-rows tr[data-queue="network"] .no-agents').textContent`); got != "Devolver la llamada (conserva su lugar)" {
		t.Errorf("no-agents cell %q", got)
	}
	if !brEval[bool](t, ctx, `document.getElementById("queue-overflow").hidden`) {
		t.Error("the overflow queue is asked for with a callback")
	}
	brStep(t, ctx, "ring 25 s, ring all, overflow to email",
		chromedp.SetValue(chromedp.CSS(`#queue-form input[name=ring_timeout_s]`), "25"),
		chromedp.SetValue(chromedp.CSS(`#queue-form select[name=strategy]`), "ring_all"),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#queue-form select[name=no_agents]');
			s.value = "overflow"; s.dispatchEvent(new Event("change")); })()`))
	brWaitJS(t, ctx, 5*time.Second, "the overflow queue is asked for", `!document.getElementById("queue-overflow").hidden`)
	brStep(t, ctx, "overflow to email", chromedp.SetValue(chromedp.CSS(`#queue-form select[name=overflow]`), "email"))
	browsertest.Screenshot(t, ctx, "admin-queues-form")
	brStep(t, ctx, "save", chromedp.Click(chromedp.ID("queue-save")))
	brWaitJS(t, ctx, 10*time.Second, "network changed by the supervisor", brQueueRow("admin", "25 s", "Timbrar a todos")+
		` && document.getElementById("queue-form").hidden`)
	if got := brEval[string](t, ctx, `document.querySelector('#queue-rows tr[data-queue="network"] .source').textContent`); !strings.HasPrefix(got, "Cambiada por supervisora el ") {
		t.Errorf("source after the change %q", got)
	}
	browsertest.Screenshot(t, ctx, "admin-queues-saved")

	q := sup.queues(t)["network"]
	if q.Source != "admin" || q.Settings.RingTimeout != 25 || q.Settings.Strategy != "ring_all" || q.Settings.WrapUp != 10 ||
		q.Settings.MaxWait != 120 || q.Config.RingTimeout != 12 || q.UpdatedBy != "supervisora" || q.Version != 1 {
		t.Errorf("network after the change: %+v", q)
	}
	// The ACD itself runs the new strategy (the API reads its snapshot).
	if q.Live.Strategy != "ring_all" {
		t.Errorf("the ACD runs network with %q", q.Live.Strategy)
	}
	if q.Settings.NoAgents != "overflow" || q.Settings.Overflow != "email" {
		t.Errorf("network's no-agents choice after the change: %+v", q.Settings)
	}
	if got := brEval[string](t, ctx, `document.querySelector('#queue-rows tr[data-queue="network"] .no-agents').textContent`); got != "Pasar a email" {
		t.Errorf("no-agents cell after the change %q", got)
	}
	if e := sup.queues(t)["email"]; e.Source != "config" || e.Settings.Strategy != "longest_idle" {
		t.Errorf("email changed too: %+v", e)
	}
	if _, ok := a.waitLog(5*time.Second, `msg="queue settings changed"`, "queue=network", "by=supervisora",
		"strategy longest_idle -> ring_all", "ring_timeout 12s -> 25s", "no_agents callback -> overflow to email"); !ok {
		t.Error("the change is not in the log")
	}
	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("dialogs: %v", d)
	}
	brConsoleClean(t, console)

	// Restart the binary on the same database.
	a.stop()
	a2 := startAtiende(t, harnessOptions{Queues: yaml, DBURL: a.DBURL})
	if _, ok := a2.findLog("override the configuration", "queue=network", "by=supervisora"); !ok {
		t.Error("the restart does not log the saved settings it applies")
	}
	sup2 := a2.login(t, "supervisora", brPassword)
	q = sup2.queues(t)["network"]
	if q.Source != "admin" || q.Settings.RingTimeout != 25 || q.Settings.Strategy != "ring_all" || q.Live.Strategy != "ring_all" || q.Version != 1 {
		t.Fatalf("network after a restart: %+v", q)
	}

	// Back to the configuration from the page (two clicks), on the new
	// process.
	page := browsertest.Incognito(t, ctx)
	console2 := browsertest.WatchConsole(page)
	brLogin(t, page, a2.Base, "supervisora", "/wallboard.html")
	brStep(t, page, "open the queues tab", chromedp.Navigate(a2.Base+"/admin.html#queues"))
	brWaitJS(t, page, 10*time.Second, "network as saved", brQueueRow("admin", "25 s", "Timbrar a todos"))
	brStep(t, page, "edit network, back to the configuration",
		chromedp.Click(chromedp.CSS(`#queue-rows tr[data-queue="network"] button.edit`)),
		chromedp.Click(chromedp.ID("queue-reset")))
	brWaitJS(t, page, 5*time.Second, "the reset button asks for a second click",
		`document.getElementById("queue-reset").textContent === "Confirmar: volver a la configuración" && `+brQueueRow("admin", "25 s", "Timbrar a todos"))
	brStep(t, page, "confirm", chromedp.Click(chromedp.ID("queue-reset")))
	brWaitJS(t, page, 10*time.Second, "network from the configuration again", brQueueRow("config", "12 s", "Más tiempo sin llamada"))
	if got := brEval[string](t, page, `document.querySelector('#queue-rows tr[data-queue="network"] .source').textContent`); !strings.Contains(got, "restablecida por supervisora") {
		t.Errorf("source after the revert %q", got)
	}
	browsertest.Screenshot(t, page, "admin-queues-reverted")
	q = sup2.queues(t)["network"]
	if q.Source != "config" || !q.Reverted || q.Settings.RingTimeout != 12 || q.Live.Strategy != "longest_idle" || q.UpdatedBy != "supervisora" || q.Version != 2 {
		t.Errorf("network after the revert: %+v", q)
	}
	brConsoleClean(t, console2)
}

// brConsoleClean fails on console errors other than expected 401/404 loads.
func brConsoleClean(t *testing.T, c *browsertest.Console) {
	t.Helper()
	for _, e := range c.Errors() {
		if !strings.Contains(e, "Failed to load resource") || !(strings.Contains(e, "404") || strings.Contains(e, "401")) {
			t.Errorf("console error: %s", e)
		}
	}
}
