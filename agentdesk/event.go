package agentdesk

import "time"

// EventKind names what happened.
type EventKind string

const (
	// CallQueued: the call entered a queue (Position set).
	CallQueued EventKind = "call_queued"
	// CallOffered: an agent's phone is being rung. It is the screen-pop
	// trigger and carries everything the pop needs: call, caller, ticket,
	// queue, IVR path and agent.
	CallOffered EventKind = "call_offered"
	// CallOfferEnded: an offer ended without that agent taking the call;
	// Reason is one of the Reason* offer codes. The console drops the pop.
	CallOfferEnded EventKind = "call_offer_ended"
	// CallAnswered: the agent answered and the caller is connected.
	CallAnswered EventKind = "call_answered"
	// CallAbandoned: the caller hung up while waiting or while an agent
	// was ringing (Agent set then).
	CallAbandoned EventKind = "call_abandoned"
	// CallTransferred: an agent transferred the call elsewhere (published
	// by whoever performs the transfer).
	CallTransferred EventKind = "call_transferred"
	// CallEnded: the call left the queue's care: after talking (Outcome
	// answered), or without an agent (timeout, no_agents, callback_failed).
	CallEnded EventKind = "call_ended"
	// CallbackRequested: the caller pressed 1, hung up and kept their place.
	CallbackRequested EventKind = "callback_requested"
	// CallbackStarted: the agent answered and Atiende is dialling the caller.
	CallbackStarted EventKind = "callback_started"
	// AgentStateChanged: an agent's state or pause reason changed.
	AgentStateChanged EventKind = "agent_state"
	// AgentInternalCall: the agent's phone started or ended a call between
	// extensions. InternalCall is what it is on now (nil: none any more);
	// State is the agent's state, unchanged.
	AgentInternalCall EventKind = "agent_internal_call"
	// TicketChanged: Atiende changed ticket TicketNumber on its own (intake
	// assigns a call's ticket to the agent who answers it) and it is now at
	// TicketVersion; Agent is the one whose console shows it, CallID the
	// call. It is not an ACD event: Seq is 0, it is not replayed on
	// reconnect, and queues and metrics ignore it. The console redraws the
	// ticket so that its next change carries the current version.
	TicketChanged EventKind = "ticket_changed"
	// SurveyScored: a caller scored ticket TicketNumber (Score 1-5) for
	// Agent, in Queue; Reason is how (keypad or web); FollowUp is the
	// supervisor's follow-up ticket a low score opened. Like TicketChanged
	// it is not an ACD event (Seq 0, not replayed); the wallboard's survey
	// panel redraws.
	SurveyScored EventKind = "survey_scored"
)

// Reasons of CallOfferEnded.
const (
	OfferNoAnswer          = "no_answer"
	OfferBusy              = "busy"
	OfferUnreachable       = "unreachable"
	OfferDeclined          = "declined"
	OfferAbandoned         = "abandoned" // the caller hung up while it rang
	OfferAnsweredElsewhere = "answered_elsewhere"
	OfferError             = "error"
)

// Event is one thing that happened at the desk. A queued call leaves the
// queue with exactly one of: CallEnded, CallAbandoned or CallbackRequested
// (then a callback ends with CallEnded). Seq increases by one per event from
// the same ACD, so a subscriber that sees a gap knows it missed events and
// reloads a Snapshot.
type Event struct {
	Seq  uint64    `json:"seq"`
	Kind EventKind `json:"kind"`
	At   time.Time `json:"at"`

	// The call. Empty on agent_state events not caused by a call.
	CallID       string   `json:"call_id,omitempty"`
	Queue        string   `json:"queue,omitempty"`
	TicketNumber string   `json:"ticket_number,omitempty"`
	CallerNumber string   `json:"caller_number,omitempty"`
	CallerName   string   `json:"caller_name,omitempty"` // untrusted: show as text
	IVRPath      []string `json:"ivr_path,omitempty"`
	Lang         string   `json:"lang,omitempty"`
	Priority     int      `json:"priority,omitempty"`
	Position     int      `json:"position,omitempty"` // in the queue, 1 is next
	Callback     bool     `json:"callback,omitempty"`

	// The agent, when one is involved.
	Agent       string     `json:"agent,omitempty"` // username
	AgentName   string     `json:"agent_name,omitempty"`
	Extension   string     `json:"extension,omitempty"`
	State       AgentState `json:"state,omitempty"` // agent_state: the new state
	PrevState   AgentState `json:"prev_state,omitempty"`
	PauseReason string     `json:"pause_reason,omitempty"`
	// agent_state and agent_internal_call: the agent's internal calls now,
	// nil when none.
	InternalCall *InternalCall `json:"internal_call,omitempty"`

	Outcome Outcome `json:"outcome,omitempty"`
	Reason  string  `json:"reason,omitempty"` // offer end reason, or detail

	// TicketVersion: ticket_changed, the ticket's version after the change.
	TicketVersion int `json:"ticket_version,omitempty"`

	// survey_scored: the score and the follow-up ticket of a low one.
	Score    int    `json:"score,omitempty"`
	FollowUp string `json:"follow_up,omitempty"`

	// The call's timeline so far.
	EnteredQueueAt time.Time `json:"entered_queue_at,omitzero"`
	OfferedAt      time.Time `json:"offered_at,omitzero"`
	AnsweredAt     time.Time `json:"answered_at,omitzero"`
	EndedAt        time.Time `json:"ended_at,omitzero"`
}

// Publisher receives desk events. Publish must not block the caller (the
// ACD publishes while it holds its lock, so that Seq order is the order of
// its state changes): implementations buffer, and drop and count rather than
// wait, and never call back into the ACD from Publish. Events are shared:
// treat them, and IVRPath, as read-only.
type Publisher interface {
	Publish(Event)
}

// EventSink is another name for Publisher.
type EventSink = Publisher

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func(Event)

func (f PublisherFunc) Publish(e Event) { f(e) }

// Discard is a Publisher that drops everything.
var Discard Publisher = PublisherFunc(func(Event) {})
