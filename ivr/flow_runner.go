package ivr

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

var _ Handler = (*FlowRunner)(nil)

// FlowRunner runs a flow for every call it handles. Set its fields before the
// first call; it is safe for concurrent calls afterwards.
type FlowRunner struct {
	flow *Flow
	svc  FlowServices
	log  *slog.Logger

	// Now is the clock (time.Now by default).
	Now func() time.Time
	// MaxSteps ends a call whose flow loops without end (default 200).
	MaxSteps int
	// MaxIVR bounds the time a caller spends in the IVR, before the queue or
	// a transfer (default 10 minutes).
	MaxIVR time.Duration
	// ServiceTimeout bounds each FlowServices call but Enqueue and Transfer
	// (default 5 s).
	ServiceTimeout time.Duration
	// AnswerTimeout bounds Answer and the final Hangup (default 5 s).
	AnswerTimeout time.Duration
	// Notices answers the `notice` condition: whether a notice plays at a
	// time for callers in a language (PromptOverlay.NoticeActive). nil: never
	// (an engine that cannot play uploaded recordings).
	Notices func(lang string, at time.Time) bool
	// Abandoned keeps the calls that end in the IVR without a ticket (the
	// caller left, or never sent media); nil: they are only logged.
	Abandoned IVRCallRecorder
	// Surveys keeps the keypad satisfaction surveys; nil: a survey node
	// asks nothing and goes to its on_fail.
	Surveys SurveyRecorder
}

// NewFlowRunner returns a Handler that runs flow, using svc, logging to log
// (nil: discard).
func NewFlowRunner(flow *Flow, svc FlowServices, log *slog.Logger) *FlowRunner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &FlowRunner{flow: flow, svc: svc, log: log, Now: time.Now,
		MaxSteps: 200, MaxIVR: 10 * time.Minute, ServiceTimeout: 5 * time.Second, AnswerTimeout: 5 * time.Second}
}

// errLeftIVR ends the step loop when the call has left the IVR normally.
var errLeftIVR = errors.New("ivr: left the IVR")

// HandleCall answers c, runs the flow, and hangs up when it ends. It returns
// promptly when the caller hangs up, whatever the step.
func (r *FlowRunner) HandleCall(ctx context.Context, c Call) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-c.Done():
			cancel()
		case <-ctx.Done():
		}
	}()

	now := r.Now()
	s := &session{
		r: r, c: c, keys: c.DTMF(),
		log: r.log.With("call_id", c.ID()),
		CallSession: CallSession{
			CallID: c.ID(), From: c.From(), To: c.To(), Language: r.flow.Language,
			Vars: map[string]string{}, StartedAt: now,
		},
		offered: map[string]bool{},
	}
	s.log.Info("ivr call", "from", c.From().Number, "to", c.To(), "flow", r.flow.Name)
	actx, acancel := context.WithTimeout(ctx, r.AnswerTimeout)
	err := c.Answer(actx)
	acancel()
	if err != nil {
		s.log.Warn("ivr answer failed", "error", err)
		s.end(ctx, "answer_failed")
		return
	}
	ivrCtx, ivrCancel := context.WithTimeout(ctx, r.MaxIVR)
	defer ivrCancel()
	s.ivrCtx, s.callCtx = ivrCtx, ctx
	outcome := s.run()
	s.end(ctx, outcome)
}

// run walks the flow from its start and returns the call's outcome.
func (s *session) run() string {
	name := s.r.flow.Start
	for step := 0; step < s.r.MaxSteps; step++ {
		n := s.r.flow.Nodes[name]
		s.log.Debug("ivr step", "step", step, "node", name, "type", n.Type, "lang", s.Language)
		next, err := s.exec(n)
		switch {
		case errors.Is(err, errLeftIVR):
			return string(n.Type)
		case errors.Is(err, errNoMedia):
			s.log.Warn("ivr caller sent no media: ended without a ticket", "node", name)
			return "no_media"
		case s.gone() || errors.Is(err, ErrHungUp):
			s.log.Info("ivr caller hung up", "node", name)
			return "caller_hangup"
		case s.callCtx.Err() != nil:
			s.log.Info("ivr call stopped: shutting down", "node", name)
			return "shutdown"
		case errors.Is(err, context.DeadlineExceeded) && s.ivrCtx.Err() != nil:
			s.log.Warn("ivr took too long", "node", name, "max", s.r.MaxIVR)
			return "ivr_timeout"
		case err != nil:
			s.log.Error("ivr step failed", "node", name, "error", err)
			s.sayError()
			return "error"
		case next == "":
			return "hangup"
		}
		name = next
	}
	s.log.Error("ivr flow loops", "max_steps", s.r.MaxSteps)
	return "loop"
}

// end stamps the IVR end, hangs up if the call is still up, and logs.
func (s *session) end(ctx context.Context, outcome string) {
	if s.IVREndedAt.IsZero() {
		s.IVREndedAt = s.r.Now()
	}
	if !s.gone() {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.r.AnswerTimeout)
		if err := s.c.Hangup(hctx, CauseNormal); err != nil {
			s.log.Warn("ivr hangup failed", "error", err)
		}
		cancel()
	}
	s.recordAbandoned(outcome) // abandon.go
	s.log.Info("ivr call ended", "outcome", outcome, "path", s.Path, "service", s.Service,
		"queue", s.Queue, "ticket", s.TicketNumber, "lang", s.Language,
		"ivr_seconds", s.IVREndedAt.Sub(s.StartedAt).Seconds())
}
