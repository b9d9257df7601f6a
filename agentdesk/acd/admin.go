package acd

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets"
)

// QueueAdmin shows and tunes the queues of an ACD for the admin page: the
// configuration file's queue tuning (its base) and the settings saved from
// the admin page. Saved settings override the file's values for their
// queue, at start and at once when changed. The queues are the ACD's: a
// support group added to the catalog later is listed with its configured
// values, and saved settings of a group the catalog no longer has wait in
// the store until it comes back.
type QueueAdmin struct {
	desk  *ACD
	store agentdesk.QueueSettingsStore
	base  func(queue string) agentdesk.QueueConfig
	log   *slog.Logger

	// mu makes one change at a time, so the ACD ends with the settings the
	// store ends with.
	mu sync.Mutex
	// saved is the store's latest record per queue (reverted ones too);
	// applied the version of it each queue of the ACD runs with.
	saved   map[string]agentdesk.QueueSettings
	applied map[string]int
}

// NewQueueAdmin applies the saved settings over the queues desk already has
// (from the configuration file, whose tuning of each queue base gives).
func NewQueueAdmin(ctx context.Context, desk *ACD, st agentdesk.QueueSettingsStore, base func(queue string) agentdesk.QueueConfig,
	log *slog.Logger) (*QueueAdmin, error) {
	a := &QueueAdmin{desk: desk, store: st, base: base, log: log, saved: map[string]agentdesk.QueueSettings{}, applied: map[string]int{}}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.syncLocked(ctx, true); err != nil {
		return nil, fmt.Errorf("queue settings: %w", err)
	}
	return a, nil
}

// ConfigFor is the configuration of queue name as it must run: the file's
// values with the saved settings over them. Whoever (re)adds a queue to the
// ACD should use it rather than the base, or saved settings are lost
// until the next change or restart.
func (a *QueueAdmin) ConfigFor(name string) agentdesk.QueueConfig {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.configForLocked(name)
}

func (a *QueueAdmin) configForLocked(name string) agentdesk.QueueConfig {
	qc := a.base(name)
	s, ok := a.saved[name]
	if !ok || s.Reverted {
		return qc
	}
	// The ACD reads 0 as "the default" and a negative duration as "off";
	// saved settings say 0 for "none".
	off := func(d time.Duration) time.Duration {
		if d == 0 {
			return -1
		}
		return d
	}
	qc.Strategy = agentdesk.Strategy(s.Strategy)
	qc.RingTimeout, qc.WrapUp, qc.MaxWait = s.RingTimeout, off(s.WrapUp), s.MaxWait
	qc.AnnounceInterval, qc.ServiceLevel = off(s.AnnounceInterval), s.ServiceLevel
	qc.AutoPause = s.AutoPause
	if s.NoAgents != "" {
		qc.NoAgents, qc.Overflow = agentdesk.NoAgents(s.NoAgents), s.Overflow
	}
	return qc
}

// settingsOfQueue says a queue configuration in the terms of the admin page.
func settingsOfQueue(qc agentdesk.QueueConfig) agentdesk.QueueSettings {
	qc = qc.WithDefaults()
	auto := qc.AutoPauses()
	return agentdesk.QueueSettings{Queue: qc.Name, Strategy: string(qc.Strategy), RingTimeout: max(qc.RingTimeout, 0),
		WrapUp: max(qc.WrapUp, 0), MaxWait: max(qc.MaxWait, 0), AnnounceInterval: max(qc.AnnounceInterval, 0),
		ServiceLevel: max(qc.ServiceLevel, 0), AutoPause: &auto, NoAgents: string(qc.NoAgents), Overflow: qc.Overflow}
}

// syncLocked brings the ACD in line with the store: records not applied
// yet (at start, saved by another Atiende process on the same database, or
// of a support group that came back to the catalog) are applied to the
// queues the ACD runs.
func (a *QueueAdmin) syncLocked(ctx context.Context, starting bool) error {
	list, err := a.store.ListQueueSettings(ctx)
	if err != nil {
		return err
	}
	running := a.runningQueues()
	for _, s := range list {
		prev := a.configForLocked(s.Queue)
		known, seen := a.saved[s.Queue]
		changed := !seen || known.Version != s.Version
		a.saved[s.Queue] = s
		if !running[s.Queue] {
			if changed && !s.Reverted {
				a.log.Warn("saved settings for a queue the desk does not run: kept for when its support group comes back",
					"queue", s.Queue, "by", s.UpdatedBy, "at", s.UpdatedAt, "version", s.Version)
			}
			continue
		}
		if a.applied[s.Queue] == s.Version {
			continue
		}
		if err := a.desk.AddQueue(a.configForLocked(s.Queue)); err != nil {
			return fmt.Errorf("apply the settings of queue %s: %w", s.Queue, err)
		}
		a.applied[s.Queue] = s.Version
		switch {
		case starting && s.Reverted:
		case starting:
			a.log.Info("queue settings from the admin page override the configuration", "queue", s.Queue,
				"by", s.UpdatedBy, "at", s.UpdatedAt, "version", s.Version, "changes", queueChanges(prev, a.configForLocked(s.Queue)))
		case changed:
			a.logChange("queue settings changed by another process", s, prev)
		default:
			a.log.Info("saved queue settings applied to a queue that is back", "queue", s.Queue, "by", s.UpdatedBy,
				"version", s.Version, "reverted", s.Reverted)
		}
	}
	return nil
}

// Reload applies settings saved by another process (on their NOTIFY).
func (a *QueueAdmin) Reload(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.syncLocked(ctx, false)
}

func (a *QueueAdmin) logChange(msg string, s agentdesk.QueueSettings, prev agentdesk.QueueConfig) {
	a.log.Info(msg, "queue", s.Queue, "by", s.UpdatedBy, "version", s.Version, "reverted", s.Reverted,
		"changes", queueChanges(prev, a.configForLocked(s.Queue)))
}

// queueChanges lists what differs between two configurations of a queue,
// e.g. "strategy longest_idle -> ring_all, ring_timeout 15s -> 20s".
func queueChanges(from, to agentdesk.QueueConfig) string {
	f, t := settingsOfQueue(from), settingsOfQueue(to)
	var out []string
	if f.Strategy != t.Strategy {
		out = append(out, fmt.Sprintf("strategy %s -> %s", f.Strategy, t.Strategy))
	}
	for _, d := range []struct {
		name     string
		from, to time.Duration
	}{
		{"ring_timeout", f.RingTimeout, t.RingTimeout}, {"wrap_up", f.WrapUp, t.WrapUp}, {"max_wait", f.MaxWait, t.MaxWait},
		{"announce_interval", f.AnnounceInterval, t.AnnounceInterval}, {"service_level", f.ServiceLevel, t.ServiceLevel},
	} {
		if d.from != d.to {
			out = append(out, fmt.Sprintf("%s %s -> %s", d.name, d.from, d.to))
		}
	}
	if f.NoAgents != t.NoAgents || f.Overflow != t.Overflow {
		out = append(out, fmt.Sprintf("no_agents %s -> %s", noAgentsText(f), noAgentsText(t)))
	}
	if *f.AutoPause != *t.AutoPause {
		out = append(out, fmt.Sprintf("auto_pause %t -> %t", *f.AutoPause, *t.AutoPause))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func noAgentsText(s agentdesk.QueueSettings) string {
	if s.NoAgents == string(agentdesk.NoAgentsOverflow) {
		return s.NoAgents + " to " + s.Overflow
	}
	return s.NoAgents
}

func (a *QueueAdmin) runningQueues() map[string]bool {
	m := map[string]bool{}
	for _, q := range a.desk.Snapshot().Queues {
		m[q.Name] = true
	}
	return m
}

// Queues lists the ACD's queues with their settings and live figures.
func (a *QueueAdmin) Queues(ctx context.Context) ([]agentdesk.QueueInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.syncLocked(ctx, false); err != nil {
		return nil, err
	}
	snap := a.desk.Snapshot()
	out := make([]agentdesk.QueueInfo, 0, len(snap.Queues))
	for _, q := range snap.Queues {
		out = append(out, a.infoLocked(q, snap.Agents))
	}
	return out, nil
}

func (a *QueueAdmin) infoLocked(q agentdesk.QueueSnapshot, agents []agentdesk.Agent) agentdesk.QueueInfo {
	info := agentdesk.QueueInfo{Name: q.Name, Config: settingsOfQueue(a.base(q.Name)),
		Effective: settingsOfQueue(a.configForLocked(q.Name)),
		Live: agentdesk.QueueLive{Strategy: string(q.Strategy), WrapUp: q.WrapUp, ServiceLevel: q.Stats.ServiceLevel,
			Waiting: q.Waiting, LongestWait: q.LongestWait}}
	if s, ok := a.saved[q.Name]; ok {
		info.Saved = &s
	}
	for _, ag := range agents {
		if !slices.Contains(q.Agents, ag.Username) || ag.State == agentdesk.StateLoggedOut {
			continue
		}
		info.Live.AgentsStaffed++
		if ag.Free() { // an agent on an internal call is not free for the queue
			info.Live.AgentsAvailable++
		}
	}
	return info
}

// queueLocked returns the ACD's queue name, or ENOTFOUND.
func (a *QueueAdmin) queueLocked(name string) (agentdesk.QueueInfo, error) {
	snap := a.desk.Snapshot()
	names := make([]string, 0, len(snap.Queues))
	for _, q := range snap.Queues {
		if q.Name == name {
			return a.infoLocked(q, snap.Agents), nil
		}
		names = append(names, q.Name)
	}
	return agentdesk.QueueInfo{}, tickets.Errorf(tickets.ENOTFOUND, "there is no queue %q; the queues are the catalog's support groups: %s",
		name, strings.Join(names, ", "))
}

// SaveQueueSettings saves s and applies it to the ACD at once: calls that
// join the queue from now on use it (calls already waiting keep the
// settings they joined with).
func (a *QueueAdmin) SaveQueueSettings(ctx context.Context, s agentdesk.QueueSettings, expected int) (agentdesk.QueueInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.queueLocked(s.Queue); err != nil {
		return agentdesk.QueueInfo{}, err
	}
	if err := a.checkOverflowLocked(s); err != nil {
		return agentdesk.QueueInfo{}, err
	}
	if err := a.syncLocked(ctx, false); err != nil {
		return agentdesk.QueueInfo{}, err
	}
	prev := a.configForLocked(s.Queue)
	if err := a.store.PutQueueSettings(ctx, &s, expected); err != nil {
		return agentdesk.QueueInfo{}, err
	}
	a.saved[s.Queue] = s
	if err := a.desk.AddQueue(a.configForLocked(s.Queue)); err != nil {
		// Validated twice already; if the ACD still refuses, say so loudly:
		// the store holds settings the desk does not run.
		a.log.Error("queue settings saved but not applied", "queue", s.Queue, "by", s.UpdatedBy, "error", err)
		return agentdesk.QueueInfo{}, fmt.Errorf("apply the settings of queue %s: %w", s.Queue, err)
	}
	a.applied[s.Queue] = s.Version
	a.logChange("queue settings changed", s, prev)
	return a.queueLocked(s.Queue)
}

// checkOverflowLocked refuses an overflow to a queue the desk does not run.
func (a *QueueAdmin) checkOverflowLocked(s agentdesk.QueueSettings) error {
	if s.NoAgents != string(agentdesk.NoAgentsOverflow) || s.Overflow == "" {
		return nil
	}
	if a.runningQueues()[s.Overflow] {
		return nil
	}
	reason := fmt.Sprintf("there is no queue %q to overflow to", s.Overflow)
	return &agentdesk.QueueSettingError{Field: "overflow", Reason: reason,
		Err: tickets.Errorf(tickets.EINVALID, "queue settings: overflow: %s", reason)}
}

// ResetQueueSettings puts the queue back on the configuration file's
// values, at once.
func (a *QueueAdmin) ResetQueueSettings(ctx context.Context, queue string, expected int, actor string) (agentdesk.QueueInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.queueLocked(queue); err != nil {
		return agentdesk.QueueInfo{}, err
	}
	if err := a.syncLocked(ctx, false); err != nil {
		return agentdesk.QueueInfo{}, err
	}
	cur, ok := a.saved[queue]
	if !ok {
		if expected != 0 {
			return agentdesk.QueueInfo{}, tickets.Errorf(tickets.ECONFLICT, "queue %s has no saved settings (version 0), not version %d: reload and try again", queue, expected)
		}
		return a.queueLocked(queue) // already on the configuration
	}
	prev := a.configForLocked(queue)
	rec, err := a.store.DeleteQueueSettings(ctx, queue, expected, actor)
	if err != nil {
		return agentdesk.QueueInfo{}, err
	}
	a.saved[queue] = *rec
	if err := a.desk.AddQueue(a.configForLocked(queue)); err != nil {
		a.log.Error("queue settings reverted but not applied", "queue", queue, "by", actor, "error", err)
		return agentdesk.QueueInfo{}, fmt.Errorf("apply the configuration of queue %s: %w", queue, err)
	}
	a.applied[queue] = rec.Version
	if !cur.Reverted {
		a.logChange("queue settings reverted to the configuration", *rec, prev)
	}
	return a.queueLocked(queue)
}

// AddNewQueues adds a queue for every group of c the desk does not run,
// tuned as ConfigFor says (catalog edits call it). Queues are never
// removed: a group no service uses any more keeps its queue (and its
// waiting calls) until the next start.
func (a *QueueAdmin) AddNewQueues(c *tickets.Catalog) {
	running := a.runningQueues()
	for _, g := range c.Groups() {
		if running[g] {
			continue
		}
		if err := a.desk.AddQueue(a.ConfigFor(g)); err != nil {
			a.log.Error("catalog: the new support group has no queue", "queue", g, "error", err)
			continue
		}
		a.log.Info("catalog: new support group, new queue", "queue", g)
	}
}
