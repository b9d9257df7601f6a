package tickets

// State is a ticket's lifecycle state (seed 000, completed by seed 002).
type State string

const (
	Registered  State = "registered"   // Registro
	InProgress  State = "in_progress"  // En Proceso
	PendingUser State = "pending_user" // Pendiente por el usuario
	OnHold      State = "on_hold"      // Espera
	Resolved    State = "resolved"     // Terminada
	Closed      State = "closed"
	Rejected    State = "rejected" // No Procede
)

// States lists every state in lifecycle order.
var States = []State{Registered, InProgress, PendingUser, OnHold, Resolved, Closed, Rejected}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

// Open reports whether work on a ticket in s is still outstanding.
func (s State) Open() bool { return s != Resolved && s != Closed && s != Rejected }

// Paused reports whether the SLA clock stops in s.
func (s State) Paused() bool { return s == PendingUser || s == OnHold }

// Transition is an allowed move between states.
type Transition struct {
	From, To State
	// ReasonRequired: the move must carry a reason (what is missing, why it
	// cannot be given, how it was resolved...).
	ReasonRequired bool
}

// transitions are exactly those of DOMAIN.md.
var transitions = []Transition{
	{Registered, InProgress, false},  // the assignee starts work
	{InProgress, PendingUser, true},  // information incomplete: the user is told what is missing
	{PendingUser, InProgress, false}, // the user answered
	{PendingUser, Rejected, true},    // no answer within 48 business hours (automatic)
	{InProgress, OnHold, true},       // set aside for a while
	{OnHold, InProgress, false},      // resumed
	{InProgress, Rejected, true},     // the service cannot be given: reasons required
	{InProgress, Resolved, true},     // resolved: the user is notified of how
	{Resolved, Closed, false},        // validated with the user; survey sent
}

// Transitions returns a copy of the allowed transitions.
func Transitions() []Transition { return append([]Transition(nil), transitions...) }

// CheckTransition returns nil when from->to is allowed with the given reason,
// and an EINVALID error naming the problem otherwise.
func CheckTransition(from, to State, reason string) error {
	if !to.Valid() {
		return Errorf(EINVALID, "unknown state %q", to)
	}
	for _, t := range transitions {
		if t.From == from && t.To == to {
			if t.ReasonRequired && trimmed(reason) == "" {
				return Errorf(EINVALID, "moving a ticket from %s to %s requires a reason", from, to)
			}
			return nil
		}
	}
	return Errorf(EINVALID, "a ticket cannot move from %s to %s", from, to)
}

func trimmed(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '\n' || s[j-1] == '\r') {
		j--
	}
	return s[i:j]
}
