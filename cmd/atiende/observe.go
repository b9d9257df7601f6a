package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/metrics"
	"github.com/atiende/atiende/tickets"
)

// observedStore reports ticket creations and transitions to the metrics as
// they are written; everything else passes through.
type observedStore struct {
	tickets.Store
	m *metrics.Metrics
}

func (s observedStore) CreateTicket(ctx context.Context, t *tickets.Ticket, actor string) error {
	err := s.Store.CreateTicket(ctx, t, actor)
	if err == nil {
		s.m.TicketCreated(t)
	}
	return err
}

func (s observedStore) Transition(ctx context.Context, number string, to tickets.State, c tickets.Change) (*tickets.Ticket, error) {
	before, _ := s.Store.Ticket(ctx, number)
	t, err := s.Store.Transition(ctx, number, to, c)
	if err == nil && before != nil {
		s.m.TicketTransition(t, before.State, to)
		slaBreaches(s.m, t, before.State, to)
	}
	return t, err
}

// slaBreaches counts a milestone reached after its due time: the first
// response (leaving registered) after ResponseDue, the resolution after
// ResolutionDue. A ticket is counted once per target, when the miss
// becomes a fact.
func slaBreaches(m *metrics.Metrics, t *tickets.Ticket, from, to tickets.State) {
	late := func(at, due *time.Time) bool { return at != nil && due != nil && at.After(*due) }
	if from == tickets.Registered && to != tickets.Registered && late(t.FirstResponseAt, t.ResponseDue) {
		m.SLABreach(t.Priority, metrics.TargetResponse)
	}
	if to == tickets.Resolved && from != tickets.Resolved && late(t.ResolvedAt, t.ResolutionDue) {
		m.SLABreach(t.Priority, metrics.TargetResolution)
	}
}

// observedFlow measures how long callers spend in the IVR before queueing.
type observedFlow struct {
	*intake.Service
	m *metrics.Metrics
}

func (f observedFlow) Enqueue(ctx context.Context, c ivr.Call, s ivr.CallSession) error {
	if !s.StartedAt.IsZero() && !s.IVREndedAt.IsZero() {
		f.m.ObserveIVR(s.IVREndedAt.Sub(s.StartedAt))
	}
	return f.Service.Enqueue(ctx, c, s)
}

// watchExtensions hands every extension status, first the current list and
// then each change until ctx ends, to each of sinks.
func watchExtensions(ctx context.Context, e ivr.Engine, log *slog.Logger, sinks ...func(ivr.ExtensionStatus)) {
	changes := e.WatchExtensions(ctx)
	if list, err := e.Extensions(ctx); err == nil {
		for _, st := range list {
			for _, f := range sinks {
				f(st)
			}
		}
	} else {
		log.Warn("extensions: initial list", "error", err)
	}
	for st := range changes {
		for _, f := range sinks {
			f(st)
		}
	}
}
