package tickets

import "slices"

// Field is what a change to a ticket touches: a patchable field, a group of
// transitions, or opening the ticket at all.
type Field string

const (
	FieldOpen          Field = "open" // create a ticket
	FieldKind          Field = "kind"
	FieldService       Field = "service"
	FieldImpact        Field = "impact"
	FieldUrgency       Field = "urgency"
	FieldPriority      Field = "priority" // an explicit priority, overriding impact x urgency
	FieldLevel         Field = "level"
	FieldSubject       Field = "subject"
	FieldDescription   Field = "description"
	FieldAssignee      Field = "assignee"
	FieldQueue         Field = "queue"
	FieldMajorIncident Field = "major_incident"
	FieldCaller        Field = "caller"
	FieldParent        Field = "parent"        // link to a parent incident
	FieldWork          Field = "state:work"    // to in_progress, pending_user, on_hold
	FieldResolve       Field = "state:resolve" // to resolved or rejected
	FieldClose         Field = "state:close"   // to closed
)

// TransitionField is the column of ChangeRules that governs a move to s.
func TransitionField(to State) Field {
	switch to {
	case Resolved, Rejected:
		return FieldResolve
	case Closed:
		return FieldClose
	}
	return FieldWork
}

// Access is on which tickets a role may change a field.
type Access uint8

const (
	Never Access = iota
	// Own: only tickets assigned to the user.
	Own
	// Team: the user's own tickets, and tickets in the team's queues that are
	// unassigned or assigned to someone of the same team.
	Team
	// Every: any ticket.
	Every
)

// ChangeRules is THE table of who may change what on a ticket: role x
// field (and transition). Network staff open and work extension and
// network tickets; priority and major incidents belong to supervisors and
// the assignee; a ticket assigned to another team's member belongs to that
// member and the supervisors. A field missing from a row is Never.
var ChangeRules = map[Role]map[Field]Access{
	RoleAgent:      deskRow,
	RoleTechnician: deskRow,
	RoleNetwork:    deskRow, // the same rights, on the network team's tickets (teamQueues)
	RoleSupervisor: everyRow,
	RoleAdmin:      everyRow,
}

var (
	deskRow = map[Field]Access{
		FieldOpen: Team, FieldKind: Team, FieldService: Team, FieldImpact: Team, FieldUrgency: Team,
		FieldPriority: Own, FieldLevel: Team, FieldSubject: Team, FieldDescription: Team,
		FieldAssignee: Team, FieldQueue: Team, FieldMajorIncident: Own, FieldCaller: Team, FieldParent: Team,
		FieldWork: Team, FieldResolve: Team, FieldClose: Team,
	}
	everyRow = map[Field]Access{
		FieldOpen: Every, FieldKind: Every, FieldService: Every, FieldImpact: Every, FieldUrgency: Every,
		FieldPriority: Every, FieldLevel: Every, FieldSubject: Every, FieldDescription: Every,
		FieldAssignee: Every, FieldQueue: Every, FieldMajorIncident: Every, FieldCaller: Every, FieldParent: Every,
		FieldWork: Every, FieldResolve: Every, FieldClose: Every,
	}
)

// Teams: agents and technicians are one service desk (levels 1 and 2
// hand tickets to each other); network staff are their own team, limited
// to the network and telephony queues. Supervisors and admins need none.
var (
	roleTeam   = map[Role]string{RoleAgent: "desk", RoleTechnician: "desk", RoleNetwork: "network"}
	teamQueues = map[string][]string{"network": {"network", "telephony"}} // absent: every queue
)

// Whose says who a ticket is assigned to, as the rules need it.
type Whose struct {
	Queue        string // the ticket's queue
	Assignee     string // username; "" unassigned
	AssigneeRole Role   // "" when unassigned or unknown
}

// MayChange reports whether a user with username and role may change f on a
// ticket that is w.
func MayChange(username string, role Role, f Field, w Whose) bool {
	switch ChangeRules[role][f] {
	case Every:
		return true
	case Team:
		if w.Assignee != "" && w.Assignee == username {
			return true
		}
		team := roleTeam[role]
		if team == "" {
			return false
		}
		if qs, limited := teamQueues[team]; limited && !slices.Contains(qs, w.Queue) {
			return false
		}
		return w.Assignee == "" || roleTeam[w.AssigneeRole] == team
	case Own:
		return w.Assignee != "" && w.Assignee == username
	}
	return false
}
