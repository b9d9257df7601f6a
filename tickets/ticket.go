package tickets

import (
	"strings"
	"time"
)

// Kind classifies a ticket (seed 003).
type Kind string

const (
	Complaint     Kind = "complaint"
	Incident      Kind = "incident"
	InfoRequest   Kind = "information_request"
	ChangeRequest Kind = "change_request"
	Observation   Kind = "observation"
)

// Kinds lists every kind.
var Kinds = []Kind{Complaint, Incident, InfoRequest, ChangeRequest, Observation}

func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Channel is how a ticket arrived.
type Channel string

const (
	Phone Channel = "phone"
	Web   Channel = "web"
	Email Channel = "email"
)

func (c Channel) Valid() bool { return c == Phone || c == Web || c == Email }

// Caller is the person who reported the ticket, as known when it was opened.
type Caller struct {
	ContactID  int64  `json:"contact_id,omitempty"`
	Name       string `json:"name"`
	Department string `json:"department"`
	Email      string `json:"email"`
	Phone      string `json:"phone"` // E.164 when it could be normalised, else as received
	Extension  string `json:"extension"`
}

// Ticket is one request or fault. Number is what callers key on a phone pad.
type Ticket struct {
	ID            int64     `json:"-"`
	Number        string    `json:"number"`
	Kind          Kind      `json:"kind"`
	Service       string    `json:"service"` // catalog service code
	Impact        Level3    `json:"impact"`
	Urgency       Level3    `json:"urgency"`
	Priority      Priority  `json:"priority"`
	Level         int       `json:"level"` // escalation level 1-4
	State         State     `json:"state"`
	Channel       Channel   `json:"channel"`
	Caller        Caller    `json:"caller"`
	Subject       string    `json:"subject"`
	Description   string    `json:"description"`
	Assignee      string    `json:"assignee,omitempty"` // username
	Queue         string    `json:"queue,omitempty"`
	ParentNumber  string    `json:"parent_number,omitempty"`
	MajorIncident bool      `json:"major_incident"`
	IVRPath       []string  `json:"ivr_path,omitempty"`
	Version       int       `json:"version"` // optimistic concurrency: every change increments it
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// Timestamps of milestones, kept for SLAs and metrics.
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	ResponseDue     *time.Time `json:"response_due,omitempty"`
	ResolutionDue   *time.Time `json:"resolution_due,omitempty"`
}

// Validate checks the fields a new ticket must have.
func (t *Ticket) Validate() error {
	switch {
	case !t.Kind.Valid():
		return Errorf(EINVALID, "kind %q is not one of %s", t.Kind, joinKinds())
	case !t.Channel.Valid():
		return Errorf(EINVALID, "channel %q is not phone, web or email", t.Channel)
	case t.Level < 1 || t.Level > 4:
		return Errorf(EINVALID, "level %d is not between 1 and 4", t.Level)
	case t.Priority < P1 || t.Priority > P4:
		return Errorf(EINVALID, "priority %d is not between 1 and 4", t.Priority)
	case strings.TrimSpace(t.Service) == "":
		return Errorf(EINVALID, "service is required")
	case len(t.Description) > 20000:
		return Errorf(EINVALID, "description is longer than 20000 characters")
	case len(t.Subject) > 300:
		return Errorf(EINVALID, "subject is longer than 300 characters")
	}
	return nil
}

func joinKinds() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Note is a public (sent to the caller) or internal remark on a ticket.
type Note struct {
	ID        int64     `json:"id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	Internal  bool      `json:"internal"`
	CreatedAt time.Time `json:"created_at"`
}

// HistoryEntry is one append-only record of a change to a ticket.
type HistoryEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Field  string    `json:"field"` // "state", "assignee", "priority", "created", "note", "link", ...
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason,omitempty"`
}

// CallRecord is one phone call attached to a ticket. Times are kept so that
// answer and talk times can be measured.
type CallRecord struct {
	CallID     string     `json:"call_id"`
	Queue      string     `json:"queue"`
	Agent      string     `json:"agent,omitempty"` // username or extension
	CallerID   string     `json:"caller_id"`
	StartedAt  time.Time  `json:"started_at"`
	QueuedAt   *time.Time `json:"queued_at,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	Outcome    string     `json:"outcome,omitempty"` // answered, abandoned, callback, timeout; abandoned_ivr (no ticket)
}

// Filter narrows a ticket list. Zero fields do not filter.
type Filter struct {
	States      []State
	Service     string
	Assignee    string
	Priority    Priority
	Level       int
	CallerPhone string
	Parent      string
	MajorOnly   bool   // only major incidents (Ticket.MajorIncident)
	Query       string // full-text, Spanish and English aware
	Limit       int    // default 50, at most 500
	Offset      int
}

// Patch changes classification fields; nil fields are left alone.
type Patch struct {
	Kind          *Kind
	Service       *string
	Impact        *Level3
	Urgency       *Level3
	Priority      *Priority
	Level         *int
	Subject       *string
	Description   *string
	Assignee      *string
	Queue         *string
	MajorIncident *bool
	Caller        *Caller
}

// Change is a request to change a ticket, made by Actor, expected to apply
// to Version (0 skips the check). Reason is recorded in the history.
type Change struct {
	Actor   string
	Version int
	Reason  string
}
