// Package intake turns a call that went through the IVR into desk work: it
// recognises the caller, opens (or reuses) the call's ticket, records the
// call on it, and hands the call to the queue. It implements
// ivr.FlowServices over tickets.Store, the catalog and the ACD.
package intake

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
)

// Queuer is the part of the ACD intake uses.
type Queuer interface {
	Enqueue(ctx context.Context, call ivr.Call, info acd.CallInfo) (acd.Result, error)
}

// Deps are intake's collaborators. Hours may be nil (always open).
type Deps struct {
	Store   tickets.Store
	Catalog tickets.CatalogSource // the catalog in force, read per call
	Phones  tickets.PhonePlan
	Matrix  tickets.PriorityMatrix
	Queue   Queuer
	Engine  ivr.Engine
	Hours   func(time.Time) bool
	Clock   func() time.Time
	Log     *slog.Logger
	// Publish receives call_transferred events, and ticket_changed when a
	// call's ticket is assigned to the agent who answered; may be nil.
	Publish agentdesk.Publisher
	// WriteTimeout bounds the ticket writes done after a caller hung up.
	WriteTimeout time.Duration
	// ObserveIVR, if set, hears how long each queued caller spent in the
	// IVR before queueing (the metrics).
	ObserveIVR func(time.Duration)
	// Maintenance finds the planned maintenance window in progress
	// (*postgres.DB); nil: callers never hear of maintenance.
	Maintenance MaintenanceFinder
	// Surveys keeps the keypad survey after a call (*postgres.DB); nil:
	// when the agent hangs up first the caller is hung up too, with no
	// survey.
	Surveys KeypadSurveys
	// IVRCalls keeps the calls that end in the IVR without a ticket
	// (*postgres.DB); nil: they are only logged.
	IVRCalls IVRCallLog
	// Incidents finds the open major incidents (*postgres.CallCache, from
	// memory); nil: Store.ListTickets is asked on every call.
	Incidents IncidentFinder
	// OpenTickets finds a caller's open ticket with one index read
	// (*postgres.DB); nil: Store.ListTickets is asked.
	OpenTickets OpenTicketFinder
}

// IncidentFinder returns the newest open major incident on service (any
// if ""), or nil.
type IncidentFinder interface {
	MajorIncident(ctx context.Context, service string) (*tickets.Ticket, error)
}

// OpenTicketFinder returns the caller's newest open ticket on service
// created since `since`, or nil.
type OpenTicketFinder interface {
	OpenTicketOf(ctx context.Context, phone, service string, since time.Time) (*tickets.Ticket, error)
}

// IVRCallLog keeps call records that belong to no ticket.
type IVRCallLog interface {
	AddIVRCall(ctx context.Context, r tickets.CallRecord) error
}

// KeypadSurveys keeps the score (1 to 5) a caller gives with the keypad
// after call callID, for the ticket and the agent who answered.
type KeypadSurveys interface {
	RecordKeypadSurvey(ctx context.Context, callID, ticketNumber, agent, language string, score int, at time.Time) error
}

// MaintenanceFinder returns the window in progress at `at` affecting
// callers of service in area, or nil (escalation.Maintenance.Affects).
type MaintenanceFinder interface {
	ActiveMaintenance(ctx context.Context, service, area string, at time.Time) (*escalation.Maintenance, error)
}

// Service implements ivr.FlowServices.
type Service struct{ d Deps }

var (
	_ ivr.FlowServices    = (*Service)(nil)
	_ ivr.SurveyRecorder  = (*Service)(nil)
	_ ivr.IVRCallRecorder = (*Service)(nil)
)

// Actor is the history actor of what the IVR writes.
const Actor = "ivr"

// DefaultService is used when a flow queues a call without choosing one.
const DefaultService = "other_request"

// New returns the intake service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.WriteTimeout <= 0 {
		d.WriteTimeout = 10 * time.Second
	}
	if d.Publish == nil {
		d.Publish = agentdesk.Discard
	}
	return &Service{d: d}
}

// LookupCaller matches the caller ID however it arrives (E.164, national,
// with old prefixes, or an internal extension) to a contact.
func (s *Service) LookupCaller(ctx context.Context, from ivr.Party) (ivr.CallerInfo, error) {
	_, number, err := s.d.Phones.Normalize(from.Number)
	if err != nil {
		return ivr.CallerInfo{}, nil // anonymous or unparseable: an unknown caller
	}
	c, err := s.d.Store.ContactByPhone(ctx, number)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return ivr.CallerInfo{}, nil
	} else if err != nil {
		return ivr.CallerInfo{}, fmt.Errorf("intake: lookup caller: %w", err)
	}
	return ivr.CallerInfo{Known: true, ContactID: c.ID, Name: c.Name, Department: c.Department,
		Email: c.Email, Area: c.Area, Language: c.Language}, nil
}

// BusinessHours reports whether the desk is open at `at`.
func (s *Service) BusinessHours(_ context.Context, at time.Time) bool {
	return s.d.Hours == nil || s.d.Hours(at)
}

var openStates = []tickets.State{tickets.Registered, tickets.InProgress, tickets.PendingUser, tickets.OnHold}

// MajorIncident returns the newest open major incident on service (any if
// ""). Areas are not yet modelled on tickets, so area does not narrow it.
func (s *Service) MajorIncident(ctx context.Context, service, _ string) (*ivr.Incident, error) {
	var t *tickets.Ticket
	if s.d.Incidents != nil {
		var err error
		if t, err = s.d.Incidents.MajorIncident(ctx, service); err != nil {
			return nil, fmt.Errorf("intake: major incident: %w", err)
		}
	} else {
		list, _, err := s.d.Store.ListTickets(ctx, tickets.Filter{States: openStates, Service: service, MajorOnly: true, Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("intake: major incident: %w", err)
		}
		if len(list) > 0 {
			t = list[0]
		}
	}
	if t == nil {
		return nil, nil
	}
	return &ivr.Incident{TicketNumber: t.Number, Service: t.Service, Summary: t.Subject}, nil
}

// Maintenance returns the planned maintenance window in progress now on
// service for a caller in area, so the flow plays the notice before
// queueing; nil without Deps.Maintenance.
func (s *Service) Maintenance(ctx context.Context, service, area string) (*ivr.Maintenance, error) {
	if s.d.Maintenance == nil {
		return nil, nil
	}
	m, err := s.d.Maintenance.ActiveMaintenance(ctx, service, area, s.d.Clock())
	if err != nil {
		return nil, fmt.Errorf("intake: maintenance: %w", err)
	}
	if m == nil {
		return nil, nil
	}
	return &ivr.Maintenance{ID: strconv.FormatInt(m.ID, 10), Services: m.Services, Start: m.Start, End: m.End,
		Summary: m.Summary("es")}, nil
}

// OpenTicket returns the caller's newest open ticket on service since `since`.
func (s *Service) OpenTicket(ctx context.Context, callerPhone, service string, since time.Time) (*ivr.TicketRef, error) {
	_, number, err := s.d.Phones.Normalize(callerPhone)
	if err != nil {
		return nil, nil
	}
	if s.d.OpenTickets != nil {
		t, err := s.d.OpenTickets.OpenTicketOf(ctx, number, service, since)
		if err != nil {
			return nil, fmt.Errorf("intake: open ticket: %w", err)
		}
		if t == nil {
			return nil, nil
		}
		return &ivr.TicketRef{Number: t.Number, Service: t.Service, State: t.State}, nil
	}
	list, _, err := s.d.Store.ListTickets(ctx, tickets.Filter{States: openStates, Service: service, CallerPhone: number, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("intake: open ticket: %w", err)
	}
	if len(list) == 0 || list[0].CreatedAt.Before(since) {
		return nil, nil
	}
	return &ivr.TicketRef{Number: list[0].Number, Service: list[0].Service, State: list[0].State}, nil
}

// CreateTicket registers the call's ticket and its call record.
func (s *Service) CreateTicket(ctx context.Context, cs ivr.CallSession) (*ivr.TicketRef, error) {
	// The ticket must exist even if the caller hangs up now.
	ctx, cancel := s.detached(ctx)
	defer cancel()
	svc, ok := s.d.Catalog.Current().Service(cs.Service)
	if !ok {
		svc, _ = s.d.Catalog.Current().Service(DefaultService)
	}
	kind := cs.Kind
	if !kind.Valid() {
		kind = "" // the service's
	}
	lang := cs.Language
	if lang == "" {
		lang = "es"
	}
	// Engines clean the caller's texts at their edge; clean again so that
	// no engine can make the ticket fail (PostgreSQL refuses non-UTF-8).
	cs.From = cs.From.Clean()
	caller := tickets.Caller{ContactID: cs.Caller.ContactID, Name: cs.Caller.Name, Department: cs.Caller.Department,
		Email: cs.Caller.Email}
	if k, v, err := s.d.Phones.Normalize(cs.From.Number); err == nil {
		if k == tickets.PhoneExtension {
			caller.Extension = v
		} else {
			caller.Phone = v
		}
	} else if phoneLike(cs.From.Number) {
		caller.Phone = cs.From.Number // digits we cannot place: kept as received
	}
	if caller.Name == "" {
		caller.Name = cs.From.DisplayName
	}
	if caller.Name == "" && caller.Phone == "" && caller.Extension == "" {
		// A SIP user that is not a number ("alice"): kept as given, as
		// the name, never as the phone (the description has it too).
		caller.Name = cs.From.Number
	}
	t := &tickets.Ticket{
		Kind: kind, Service: svc.Code, Impact: tickets.Medium, Urgency: tickets.Medium,
		Priority: s.d.Matrix.Priority(tickets.Medium, tickets.Medium),
		State:    tickets.Registered, Channel: tickets.Phone, Caller: caller,
		Subject:     svc.NameIn(lang),
		Description: describe(cs, lang),
		Queue:       cs.Queue, IVRPath: cs.Path,
	}
	svc.NewTicketDefaults(t) // kind, level, queue
	if err := s.createTicket(ctx, t, cs.CallID); err != nil {
		return nil, err
	}
	if err := s.d.Store.AddCall(ctx, t.Number, s.callRecord(cs)); err != nil {
		s.d.Log.Warn("intake: call record not saved", "call_id", cs.CallID, "ticket", t.Number, "error", err)
	}
	return &ivr.TicketRef{Number: t.Number, Service: t.Service, State: t.State}, nil
}

// Ticket creation on the call path is retried: a database that blinks
// must not leave a caller without a ticket. Bounded: the caller is waiting.
var createBackoff = []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, 900 * time.Millisecond}

// createTicket stores t, retrying failures that may pass (anything but a
// refusal of the ticket itself) with backoff, within ctx. The last error is
// returned: the flow then tells the caller no number.
func (s *Service) createTicket(ctx context.Context, t *tickets.Ticket, callID string) error {
	for attempt := 0; ; attempt++ {
		err := s.d.Store.CreateTicket(ctx, t, Actor)
		if err == nil {
			if attempt > 0 {
				s.d.Log.Info("intake: ticket created after retries", "call_id", callID, "ticket", t.Number, "attempts", attempt+1)
			}
			return nil
		}
		code := tickets.ErrorCode(err)
		final := code == tickets.EINVALID || code == tickets.EFORBIDDEN || attempt >= len(createBackoff)
		if final {
			s.d.Log.Error("intake: ticket not created", "call_id", callID, "attempts", attempt+1, "error", err)
			return fmt.Errorf("intake: create ticket for call %s: %w", callID, err)
		}
		s.d.Log.Warn("intake: ticket creation failed; retrying", "call_id", callID, "attempt", attempt+1, "error", err)
		select {
		case <-ctx.Done():
			s.d.Log.Error("intake: ticket not created", "call_id", callID, "attempts", attempt+1, "error", err)
			return fmt.Errorf("intake: create ticket for call %s: %w", callID, err)
		case <-time.After(createBackoff[attempt]):
		}
	}
}

// phoneLike: digits, with the separators people write numbers with.
func phoneLike(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return false
		}
	}
	return digits > 0
}

// describe is a phone ticket's first description. The IVR path is not in
// it: its steps are codes ("main:1"); the ticket keeps them in IVRPath, and
// the pages show them in words.
func describe(cs ivr.CallSession, lang string) string {
	if lang == "en" {
		return fmt.Sprintf("Registered by phone from %s.", cs.From.Number)
	}
	return fmt.Sprintf("Registrado por teléfono desde %s.", cs.From.Number)
}

func (s *Service) callRecord(cs ivr.CallSession) tickets.CallRecord {
	started := cs.StartedAt
	if started.IsZero() {
		started = s.d.Clock()
	}
	return tickets.CallRecord{CallID: cs.CallID, Queue: cs.Queue, CallerID: cs.From.Number, StartedAt: started}
}

// AttachCall records the call on an existing ticket.
func (s *Service) AttachCall(ctx context.Context, number string, cs ivr.CallSession) error {
	ctx, cancel := s.detached(ctx)
	defer cancel()
	if err := s.d.Store.AddCall(ctx, number, s.callRecord(cs)); err != nil {
		return fmt.Errorf("intake: attach call %s to %s: %w", cs.CallID, number, err)
	}
	// An internal note the desk reads: no call id, no IVR codes (the call
	// record keeps them).
	body := fmt.Sprintf("Nueva llamada de %s añadida a este ticket.", cs.From.Number)
	if err := s.d.Store.AddNote(ctx, number, &tickets.Note{Author: Actor, Body: body, Internal: true}); err != nil {
		return fmt.Errorf("intake: attach call %s to %s: %w", cs.CallID, number, err)
	}
	return nil
}

// TicketStatus returns what a caller may hear about a ticket.
func (s *Service) TicketStatus(ctx context.Context, number string) (*ivr.TicketStatus, error) {
	t, err := s.d.Store.Ticket(ctx, number)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("intake: ticket status: %w", err)
	}
	return &ivr.TicketStatus{Number: t.Number, State: t.State, UpdatedAt: t.UpdatedAt}, nil
}

// Enqueue queues the call and records how it left the queue on its ticket.
// A new ticket (not one the call was attached to) is assigned to the agent
// who answers as soon as they answer: the ACD reports the answer through
// acd.CallInfo.OnAnswer, and the write runs in its own goroutine so that
// neither the ACD nor the bridge waits for the database. It returns the
// agent who answered and hung up first, the caller still on the line, when
// there is somewhere to keep the survey the flow may offer.
func (s *Service) Enqueue(ctx context.Context, c ivr.Call, cs ivr.CallSession) (answeredBy string, err error) {
	if s.d.ObserveIVR != nil && !cs.StartedAt.IsZero() && !cs.IVREndedAt.IsZero() {
		s.d.ObserveIVR(cs.IVREndedAt.Sub(cs.StartedAt))
	}
	queue := cs.Queue
	if queue == "" {
		if svc, ok := s.d.Catalog.Current().Service(cs.Service); ok {
			queue = svc.Group
		}
	}
	info := acd.CallInfo{
		CallID: cs.CallID, Queue: queue, TicketNumber: cs.TicketNumber,
		CallerNumber: cs.From.Number, CallerName: callerName(cs), IVRPath: cs.Path, Lang: cs.Language,
	}
	var aa *answerAssign
	if cs.TicketNumber != "" && !cs.Attached {
		aa = &answerAssign{s: s, ctx: context.WithoutCancel(ctx), number: cs.TicketNumber, callID: cs.CallID, done: make(chan struct{})}
		info.OnAnswer = aa.answered
	}
	res, err := s.d.Queue.Enqueue(ctx, c, info)
	aa.wait() // the call's writes stay in order
	wctx, cancel := s.detached(ctx)
	defer cancel()
	if res.Queue != "" {
		queue = res.Queue // the overflow queue the call went on to
	}
	if cs.TicketNumber != "" && !res.QueuedAt.IsZero() {
		s.recordResult(wctx, cs, queue, res, aa)
	}
	if err != nil {
		return "", fmt.Errorf("intake: enqueue call %s in %s: %w", cs.CallID, queue, err)
	}
	if res.Outcome == agentdesk.OutcomeAnswered && res.Agent != "" && !ended(c) {
		// The agent hung up first and the caller is still on the line: the
		// flow may offer the survey, if there is somewhere to keep it.
		if s.d.Surveys == nil {
			_ = c.Hangup(wctx, ivr.CauseNormal)
			return "", nil
		}
		return res.Agent, nil
	}
	return "", nil
}

// answerAssign assigns a call's ticket to the agent who answers, when the
// ACD reports the answer (acd.CallInfo.OnAnswer, which must not block).
// For a callback the answer comes after Enqueue has returned; nobody waits
// for it then.
type answerAssign struct {
	s              *Service
	ctx            context.Context // the call's values, never cancelled
	number, callID string
	once           sync.Once
	started        atomic.Bool
	assigned       atomic.Bool // the ticket has an assignee (set before done closes)
	done           chan struct{}
}

func (a *answerAssign) answered(agent string) {
	a.once.Do(func() {
		a.started.Store(true)
		go func() {
			defer close(a.done)
			ctx, cancel := a.s.detached(a.ctx)
			defer cancel()
			a.assigned.Store(a.s.assign(ctx, a.number, agent, a.callID))
		}()
	})
}

// wait returns when the assignment started by answered, if any, is over
// (it is bounded by WriteTimeout). A nil a has nothing to wait for.
func (a *answerAssign) wait() {
	if a != nil && a.started.Load() {
		<-a.done
	}
}

// ok reports whether the ticket got its assignee at the answer.
func (a *answerAssign) ok() bool { return a != nil && a.assigned.Load() }

func ended(c ivr.Call) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

// RecordSurvey keeps the keypad survey score of the call cs, for its ticket
// and the agent who answered it, even if the caller hangs up meanwhile.
func (s *Service) RecordSurvey(ctx context.Context, cs ivr.CallSession, score int) error {
	if s.d.Surveys == nil {
		return fmt.Errorf("intake: survey of call %s: no survey store", cs.CallID)
	}
	ctx, cancel := s.detached(ctx)
	defer cancel()
	if err := s.d.Surveys.RecordKeypadSurvey(ctx, cs.CallID, cs.TicketNumber, cs.Agent, cs.Language, score, s.d.Clock()); err != nil {
		return fmt.Errorf("intake: survey of call %s: %w", cs.CallID, err)
	}
	return nil
}

// RecordIVRCall keeps a call that ended in the IVR (the caller left, or
// sent no media) with outcome: without a ticket as a call record of its
// own; with one (the caller hung up while hearing its number) by ending
// the ticket's call record, which no queue will end.
func (s *Service) RecordIVRCall(ctx context.Context, cs ivr.CallSession, outcome string) error {
	ctx, cancel := s.detached(ctx)
	defer cancel()
	rec := s.callRecord(cs)
	rec.Queue, rec.Outcome = cs.Queue, outcome
	end := s.d.Clock()
	rec.EndedAt = &end
	if cs.TicketNumber != "" {
		if err := s.d.Store.UpdateCall(ctx, rec); err != nil {
			return fmt.Errorf("intake: end call %s of ticket %s (%s): %w", cs.CallID, cs.TicketNumber, outcome, err)
		}
		return nil
	}
	if s.d.IVRCalls == nil {
		return nil
	}
	if err := s.d.IVRCalls.AddIVRCall(ctx, rec); err != nil {
		return fmt.Errorf("intake: record call %s (%s): %w", cs.CallID, outcome, err)
	}
	return nil
}

func callerName(cs ivr.CallSession) string {
	if cs.Caller.Name != "" {
		return cs.Caller.Name
	}
	return cs.From.DisplayName
}

func (s *Service) recordResult(ctx context.Context, cs ivr.CallSession, queue string, res acd.Result, aa *answerAssign) {
	rec := s.callRecord(cs)
	rec.Queue, rec.Agent, rec.Outcome = queue, res.Agent, string(res.Outcome)
	rec.QueuedAt = timePtr(res.QueuedAt)
	rec.AnsweredAt = timePtr(res.AnsweredAt)
	rec.EndedAt = timePtr(res.EndedAt)
	if rec.EndedAt == nil {
		now := s.d.Clock()
		rec.EndedAt = &now
	}
	if err := s.d.Store.UpdateCall(ctx, rec); err != nil {
		s.d.Log.Warn("intake: call outcome not saved", "call_id", cs.CallID, "ticket", cs.TicketNumber, "error", err)
	}
	if res.Outcome == agentdesk.OutcomeAnswered && !cs.Attached && !aa.ok() {
		// Not assigned at the answer (the write failed, or the queue does
		// not report answers): assign now.
		s.assign(ctx, cs.TicketNumber, res.Agent, cs.CallID)
	}
}

// assign gives the call's ticket to the agent who answered it, unless it has
// an assignee already (a recent ticket the call was added to, a major
// incident), and tells that agent's console the ticket's new version
// (ticket_changed). The history shows the change by Actor with the call. It
// reports whether the ticket has an assignee now.
func (s *Service) assign(ctx context.Context, number, agent, callID string) bool {
	if number == "" || agent == "" {
		return false
	}
	for range 3 { // a concurrent change (ECONFLICT): read it again
		t, err := s.d.Store.Ticket(ctx, number)
		if err != nil {
			s.d.Log.Warn("intake: assign ticket to answering agent", "ticket", number, "agent", agent, "error", err)
			return false
		}
		if t.Assignee != "" {
			return true
		}
		t, err = s.d.Store.Update(ctx, t.Number, tickets.Patch{Assignee: &agent},
			tickets.Change{Actor: Actor, Version: t.Version, Reason: tickets.AnsweredCall})
		if err == nil {
			s.d.Publish.Publish(agentdesk.Event{Kind: agentdesk.TicketChanged, At: s.d.Clock(), CallID: callID,
				TicketNumber: t.Number, TicketVersion: t.Version, Agent: agent})
			return true
		}
		if tickets.ErrorCode(err) != tickets.ECONFLICT {
			s.d.Log.Warn("intake: assign ticket to answering agent", "ticket", number, "agent", agent, "error", err)
			return false
		}
	}
	return false
}

// Transfer rings ext and bridges the caller to it until either hangs up.
func (s *Service) Transfer(ctx context.Context, c ivr.Call, ext string, cs ivr.CallSession) error {
	from := c.From()
	other, err := s.d.Engine.Dial(ctx, ext, ivr.DialOptions{CallerID: from.Number, CallerName: callerName(cs)})
	if err != nil {
		return fmt.Errorf("intake: transfer call %s to %s: %w", cs.CallID, ext, err)
	}
	s.d.Publish.Publish(agentdesk.Event{Kind: agentdesk.CallTransferred, At: s.d.Clock(), CallID: cs.CallID,
		TicketNumber: cs.TicketNumber, CallerNumber: from.Number, CallerName: callerName(cs), Extension: ext, IVRPath: cs.Path})
	defer func() { _ = other.Hangup(context.WithoutCancel(ctx), ivr.CauseNormal) }()
	return c.Bridge(ctx, other)
}

// detached keeps writes going after the caller hangs up, bounded in time.
func (s *Service) detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.d.WriteTimeout)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
