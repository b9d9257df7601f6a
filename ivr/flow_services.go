package ivr

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/atiende/atiende/tickets"
)

// FlowServices is what a flow needs from the rest of Atiende. cmd wires an
// implementation over tickets, escalation and agentdesk/acd. Every method but
// Enqueue and Transfer is bounded by the runner's ServiceTimeout; all get a
// context that is cancelled when the caller hangs up.
type FlowServices interface {
	// LookupCaller matches the caller ID to a contact. An unknown caller is
	// CallerInfo{} and a nil error.
	LookupCaller(ctx context.Context, from Party) (CallerInfo, error)
	// BusinessHours reports whether at is within the help desk's hours.
	BusinessHours(ctx context.Context, at time.Time) bool
	// MajorIncident returns the open major incident affecting service (""
	// for any) or area ("" for any), or nil.
	MajorIncident(ctx context.Context, service, area string) (*Incident, error)
	// Maintenance returns the planned maintenance window in progress for
	// service (or area), or nil.
	Maintenance(ctx context.Context, service, area string) (*Maintenance, error)
	// OpenTicket returns the caller's newest open ticket on service created
	// since `since`, or nil.
	OpenTicket(ctx context.Context, callerPhone, service string, since time.Time) (*TicketRef, error)
	// CreateTicket registers the call's ticket (Registered, channel phone)
	// from the session: caller ID, matched contact, service, kind, IVR path.
	CreateTicket(ctx context.Context, s CallSession) (*TicketRef, error)
	// AttachCall records the call on an existing ticket (a recent open one,
	// or a major incident).
	AttachCall(ctx context.Context, ticketNumber string, s CallSession) error
	// TicketStatus returns a ticket by number, or nil (or an ENOTFOUND
	// tickets.Error) when there is none.
	TicketStatus(ctx context.Context, number string) (*TicketStatus, error)
	// Enqueue puts the call in s.Queue and blocks until the call leaves the
	// queue: answered and ended, abandoned, or called back later. When an
	// agent answered and hung up first while the caller stays on the line,
	// it returns that agent's username, and the flow goes on to the enqueue
	// node's `answered` node (a survey) with CallSession.Agent set;
	// otherwise "", and the flow goes on as before: `next`, `on_error`, or
	// the end.
	Enqueue(ctx context.Context, c Call, s CallSession) (answeredBy string, err error)
	// Transfer connects the call to an extension and blocks until it ends.
	Transfer(ctx context.Context, c Call, ext string, s CallSession) error
}

// CallerInfo is the contact matched to a caller ID.
type CallerInfo struct {
	Known      bool
	ContactID  int64
	Name       string
	Department string
	Email      string
	Area       string // site or area, for major-incident matching
	Language   string // "es", "en" or ""
}

// Incident is an open major incident.
type Incident struct {
	TicketNumber string // the parent ticket calls are attached to
	Service      string
	Area         string
	Summary      string
}

// Maintenance is a planned maintenance window.
type Maintenance struct {
	ID       string
	Services []string
	Start    time.Time
	End      time.Time
	Summary  string
}

// TicketRef names a ticket.
type TicketRef struct {
	Number  string
	Service string
	State   tickets.State
}

// TicketStatus is what a caller hears about a ticket.
type TicketStatus struct {
	Number    string
	State     tickets.State
	UpdatedAt time.Time
}

// CallSession is what the IVR learned about a call. Services receive a copy;
// metrics read the timestamps.
type CallSession struct {
	CallID   string
	From     Party
	To       string
	Caller   CallerInfo // the matched contact, if any
	Language string     // "es" or "en"
	// Path lists the choices taken, as "node:key" ("main:1", "failures:1").
	Path         []string
	Service      string
	Kind         tickets.Kind
	Queue        string
	Vars         map[string]string
	TicketNumber string // created or attached to
	// Attached is true when the call was added to an existing ticket
	// (a recent open one or a major incident) instead of a new one.
	Attached bool
	// Agent is the username of the agent who answered the call in the queue
	// and hung up first, the caller staying on the line (Enqueue's answer);
	// "" otherwise.
	Agent      string
	StartedAt  time.Time
	IVREndedAt time.Time // when the caller left the IVR (queue, transfer, hang-up); zero before
}

// Clone returns a deep copy.
func (s CallSession) Clone() CallSession {
	s.Path = slices.Clone(s.Path)
	s.Vars = maps.Clone(s.Vars)
	return s
}

// SurveyRecorder keeps keypad satisfaction surveys (intake.Service):
// FlowRunner.Surveys. Without one a survey node asks nothing and goes to
// its on_fail.
type SurveyRecorder interface {
	// RecordSurvey keeps the caller's score (1 to 5) of the call s.CallID
	// on ticket s.TicketNumber and agent s.Agent. It is called once per
	// call, and its context is bounded by the runner's ServiceTimeout.
	RecordSurvey(ctx context.Context, s CallSession, score int) error
}
