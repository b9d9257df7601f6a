package main

// What survives a restart of `atiende serve` on the same database: the
// phones' registrations (sipengine.RegistrationStore on PostgreSQL), the
// agents' presence (available, paused with its reason, the extension picked
// at login), and the queues' counters of the day (rebuilt from the call
// records, so that the live table agrees with the day's history).

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/agentdesk/extmon"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// sipRegistrations keeps the SIP engine's registrations in PostgreSQL.
type sipRegistrations struct{ db *postgres.DB }

var _ sipengine.RegistrationStore = sipRegistrations{}

func (s sipRegistrations) LoadRegistrations(ctx context.Context, now time.Time) ([]sipengine.Registration, error) {
	list, err := s.db.SIPRegistrations(ctx, now)
	out := make([]sipengine.Registration, len(list))
	for i, r := range list {
		out[i] = sipengine.Registration(r)
	}
	return out, err
}

func (s sipRegistrations) SaveRegistration(ctx context.Context, r sipengine.Registration) error {
	return s.db.SaveSIPRegistration(ctx, postgres.SIPRegistration(r))
}

func (s sipRegistrations) DeleteRegistration(ctx context.Context, ext string) error {
	return s.db.DeleteSIPRegistration(ctx, ext)
}

// presence keeps each agent's presence in PostgreSQL as it changes, and
// puts it back at start. An agent ringing, talking or in wrap-up is kept as
// available: after a restart that call is over.
type presence struct {
	db  *postgres.DB
	log *slog.Logger

	mu      sync.Mutex
	live    bool // restore is done: changes are saved
	pending map[string]postgres.AgentPresence
	order   []string
	kick    chan struct{}
	// unconfirmed: extension -> agent put back available whose phone has
	// not yet answered since the restart.
	unconfirmed map[string]string
	desk        *acd.ACD
}

func newPresence(db *postgres.DB, log *slog.Logger) *presence {
	return &presence{db: db, log: log, pending: map[string]postgres.AgentPresence{}, kick: make(chan struct{}, 1),
		unconfirmed: map[string]string{}}
}

// Publish records agent_state events (agentdesk.Publisher: never blocks).
func (p *presence) Publish(e agentdesk.Event) {
	if e.Kind != agentdesk.AgentStateChanged || e.Agent == "" {
		return
	}
	rec := postgres.AgentPresence{Username: e.Agent, Extension: e.Extension, Since: e.At}
	switch e.State {
	case agentdesk.StateLoggedOut:
		rec.State = string(agentdesk.StateLoggedOut)
	case agentdesk.StatePaused:
		rec.State, rec.Reason = string(agentdesk.StatePaused), e.PauseReason
	case agentdesk.StateAvailable, agentdesk.StateRinging, agentdesk.StateOnCall, agentdesk.StateWrapUp:
		rec.State = string(agentdesk.StateAvailable)
	default:
		return
	}
	p.mu.Lock()
	if !p.live {
		p.mu.Unlock()
		return // AddAgent's logged_out at start is not a choice of the agent
	}
	if _, ok := p.pending[e.Agent]; !ok {
		p.order = append(p.order, e.Agent)
	}
	p.pending[e.Agent] = rec
	if rec.State != string(agentdesk.StateAvailable) || rec.Extension == "" {
		for ext, u := range p.unconfirmed {
			if u == e.Agent {
				delete(p.unconfirmed, ext)
			}
		}
	}
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// run saves the changes until ctx is done, then what is left.
func (p *presence) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			p.flush(fctx)
			cancel()
			return
		case <-p.kick:
			p.flush(ctx)
		}
	}
}

func (p *presence) flush(ctx context.Context) {
	for {
		p.mu.Lock()
		if len(p.order) == 0 {
			p.mu.Unlock()
			return
		}
		u := p.order[0]
		p.order = p.order[1:]
		rec := p.pending[u]
		delete(p.pending, u)
		p.mu.Unlock()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := p.db.SaveAgentPresence(wctx, rec); err != nil {
			p.log.Warn("agent presence not saved", "agent", u, "state", rec.State, "error", err)
		}
		cancel()
	}
}

// restore puts every agent back as they were before the restart, on the
// extension they had picked. From then on changes are saved.
func (p *presence) restore(ctx context.Context, desk *acd.ACD, agents *acd.Agents) error {
	list, err := p.db.AgentPresences(ctx)
	p.mu.Lock()
	p.live, p.desk = true, desk
	p.mu.Unlock()
	if err != nil {
		return fmt.Errorf("agent presence: %w", err)
	}
	n := 0
	for _, rec := range list {
		if rec.State == string(agentdesk.StateLoggedOut) {
			continue
		}
		u, err := agents.User(ctx, rec.Username)
		if err != nil || u.Disabled {
			continue
		}
		if rec.Extension != "" && rec.Extension != u.Extension {
			if err := agents.SetAgentExtension(ctx, rec.Username, rec.Extension); err != nil {
				p.log.Warn("agent presence: extension not restored", "agent", rec.Username, "extension", rec.Extension, "error", err)
				continue
			}
		}
		if rec.State == string(agentdesk.StateAvailable) {
			ext := rec.Extension
			if ext == "" {
				ext = u.Extension
			}
			p.mu.Lock()
			p.unconfirmed[ext] = rec.Username
			p.mu.Unlock()
		}
		if err := agents.SetAgentState(ctx, rec.Username, rec.State, rec.Reason); err != nil {
			p.log.Warn("agent presence not restored", "agent", rec.Username, "state", rec.State, "error", err)
			continue
		}
		n++
	}
	p.log.Info("agent presence restored", "agents", n)
	return nil
}

// extensionChanged pauses an agent put back available whose phone, restored
// by the engine, does not answer its first qualify (or is gone): a call is
// not offered to a phone that is known to be away.
func (p *presence) extensionChanged(st ivr.ExtensionStatus) {
	if st.Reason == "" || st.Reason == "restored" {
		return // the state at start, or a restored binding not yet qualified
	}
	p.mu.Lock()
	u, ok := p.unconfirmed[st.Extension]
	if ok {
		delete(p.unconfirmed, st.Extension)
	}
	desk := p.desk
	p.mu.Unlock()
	if !ok || !extmon.Down(st.State) {
		return
	}
	p.log.Info("agent paused: phone not reachable after restart", "agent", u, "extension", st.Extension, "reason", st.Reason)
	if err := desk.SetAgentState(u, agentdesk.StatePaused, agentdesk.ReasonUnreachable); err != nil {
		p.log.Warn("agent not paused", "agent", u, "error", err)
	}
}

// restoreQueueStats adds the day's call records to the queues' live
// counters, with the thresholds the wallboard's day uses, so that the two
// agree after a restart.
func restoreQueueStats(ctx context.Context, db *postgres.DB, desk *acd.ACD, now time.Time, log *slog.Logger) error {
	w := wallboardSource{db: db, desk: desk}
	q := agentdesk.DayStatsQuery{Location: tickets.ReportOptions{}.Zone(), Thresholds: map[string]agentdesk.QueueThresholds{}}
	q.Date = tickets.DateOf(now, q.Location)
	for name, th := range w.QueueThresholds() {
		q.Thresholds[name] = th.WithDefaults()
	}
	day, err := db.DayCallStats(ctx, q)
	if err != nil {
		return fmt.Errorf("queue counters of %s: %w", q.Date, err)
	}
	times, err := db.AnsweredTimes(ctx, day.From, day.To)
	if err != nil {
		return fmt.Errorf("queue times of %s: %w", q.Date, err)
	}
	for name, f := range day.Totals {
		s := agentdesk.QueueStats{Entered: f.Offered, Answered: f.Answered, AnsweredInSL: f.AnsweredInSL,
			Abandoned: f.Abandoned + f.ShortAbandoned, ShortAbandoned: f.ShortAbandoned, Callbacks: f.Callbacks,
			TotalAnswerWait: times[name].AnswerWait, TotalTalk: times[name].Talk}
		if err := desk.AddStats(name, s); err != nil {
			log.Info("queue counters: the day's calls of a queue that is gone are left out", "queue", name, "calls", f.Offered)
		}
	}
	log.Info("queue counters restored from the day's calls", "date", day.Date, "calls", day.All.Offered)
	return nil
}
