package tickets

import (
	"context"
	"time"
)

// Store is the durable home of tickets, contacts and users. tickets/postgres
// implements it. Every method that changes a ticket appends to its history in
// the same transaction.
type Store interface {
	// CreateTicket gives t its Number, ID, Version and timestamps, and records
	// a "created" history entry by actor.
	CreateTicket(ctx context.Context, t *Ticket, actor string) error
	// Ticket returns the ticket by number (ENOTFOUND if none).
	Ticket(ctx context.Context, number string) (*Ticket, error)
	ListTickets(ctx context.Context, f Filter) ([]*Ticket, int, error)
	// Transition moves the ticket to state `to`, checking CheckTransition and
	// c.Version (ECONFLICT when stale). It stamps milestones (first response,
	// resolved, closed).
	Transition(ctx context.Context, number string, to State, c Change) (*Ticket, error)
	// Update applies p, recording one history entry per changed field.
	Update(ctx context.Context, number string, p Patch, c Change) (*Ticket, error)
	AddNote(ctx context.Context, number string, n *Note) error
	Notes(ctx context.Context, number string, includeInternal bool) ([]Note, error)
	History(ctx context.Context, number string) ([]HistoryEntry, error)
	// Link makes child a child of parent (mass incident). Cycles are refused.
	Link(ctx context.Context, child, parent string, c Change) (*Ticket, error)
	Children(ctx context.Context, parent string) ([]*Ticket, error)
	AddCall(ctx context.Context, number string, r CallRecord) error
	UpdateCall(ctx context.Context, r CallRecord) error
	Calls(ctx context.Context, number string) ([]CallRecord, error)

	// Contacts.
	SaveContact(ctx context.Context, c *Contact) error
	Contact(ctx context.Context, id int64) (*Contact, error)
	// ContactByPhone matches an E.164 number or an extension.
	ContactByPhone(ctx context.Context, e164OrExtension string) (*Contact, error)
	ListContacts(ctx context.Context, query string, limit, offset int) ([]*Contact, error)

	// Users.
	CreateUser(ctx context.Context, u *User) error
	User(ctx context.Context, username string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	UpdateUser(ctx context.Context, u *User) error
	// Sessions and tokens are stored as hashes; the clear value never is.
	CreateSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash []byte) (*Session, error)
	DeleteSession(ctx context.Context, hash []byte) error
	CreateToken(ctx context.Context, t *APIToken) error
	TokenByHash(ctx context.Context, hash []byte) (*APIToken, error)
	// EndSessions ends every session of username, and every API token too
	// when tokens is true, and tells every process on the store (this one
	// included) so that each closes the user's open websockets.
	EndSessions(ctx context.Context, username string, tokens bool) error

	Ping(ctx context.Context) error
}

// Clock is injected wherever time is read, so tests can move it.
type Clock func() time.Time

// OpenCount is how many open tickets share a state, priority and level
// (the atiende_tickets_open gauge).
type OpenCount struct {
	State    State
	Priority Priority
	Level    int
	Count    int
}
