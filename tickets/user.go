package tickets

import "time"

// Role is what a user may do. A user has exactly one role; higher roles are
// not implicitly lower ones except where Allows says so.
type Role string

const (
	RoleAgent      Role = "agent"
	RoleTechnician Role = "technician"
	RoleSupervisor Role = "supervisor"
	RoleNetwork    Role = "network"
	RoleAdmin      Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleAgent, RoleTechnician, RoleSupervisor, RoleNetwork, RoleAdmin}

func (r Role) Valid() bool {
	for _, v := range Roles {
		if v == r {
			return true
		}
	}
	return false
}

// User is a person who logs in: agent, technician, supervisor, network staff
// or administrator.
type User struct {
	ID           int64     `json:"id"`
	Username     string    `json:"username"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	Role         Role      `json:"role"`
	Language     string    `json:"language"`            // "es" or "en"
	Extension    string    `json:"extension,omitempty"` // the phone extension they use
	Skills       []string  `json:"skills,omitempty"`    // queue or service codes
	Level        int       `json:"level"`               // escalation level 1-4 they work at
	Disabled     bool      `json:"disabled"`
	PasswordHash string    `json:"-"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
}

// Session is a logged-in browser. Only the hash of its cookie is stored.
type Session struct {
	Hash      []byte
	Username  string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken lets a program call the API as a user. Only its hash is stored.
type APIToken struct {
	Hash      []byte
	Username  string
	Name      string
	CreatedAt time.Time
	ExpiresAt *time.Time
}
