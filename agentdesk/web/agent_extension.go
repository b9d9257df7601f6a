package web

import (
	"context"

	"github.com/atiende/atiende/tickets"
)

// AgentExtensionSetter moves an agent to another phone extension (the
// extension the ACD rings): Deps.AgentExtensions. Without it, a state
// request that names an extension other than the one the desk already has
// for the agent is refused (unavailable).
type AgentExtensionSetter interface {
	// SetAgentExtension makes extension the phone the desk rings for the
	// agent from now on. Errors carry tickets error codes.
	SetAgentExtension(ctx context.Context, username, extension string) error
}

// maxExtensionLen bounds an extension (digits only).
const maxExtensionLen = 20

// pickExtension checks that who may work at ext and tells the desk.
// Allowed: the user's configured extension (User.Extension); or, when the
// user is an agent or technician, any extension that no other agent who is
// logged in (any state but logged_out) is using.
func (s *Server) pickExtension(ctx context.Context, who, ext string) error {
	if len(ext) > maxExtensionLen {
		return tickets.Errorf(tickets.EINVALID, "extension is longer than %d digits", maxExtensionLen)
	}
	for _, c := range ext {
		if c < '0' || c > '9' {
			return tickets.Errorf(tickets.EINVALID, "extension must be digits only")
		}
	}
	u, err := s.store.User(ctx, who)
	if err != nil {
		return err
	}
	agents, err := s.agents.Agents(ctx)
	if err != nil {
		return err
	}
	if u.Extension != ext {
		if u.Role != tickets.RoleAgent && u.Role != tickets.RoleTechnician {
			return tickets.Errorf(tickets.EFORBIDDEN, "%s may only use their configured extension", clip(who))
		}
		for _, a := range agents {
			if a.Username != who && a.Extension == ext && a.State != "logged_out" {
				return tickets.Errorf(tickets.ECONFLICT, "extension %s is in use by another agent", ext)
			}
		}
	}
	for _, a := range agents {
		if a.Username == who && a.Extension == ext {
			return nil // nothing to change
		}
	}
	if s.setExt == nil {
		return tickets.Errorf(tickets.EUNAVAILABLE, "the agent desk cannot change extensions")
	}
	return s.setExt.SetAgentExtension(ctx, who, ext)
}
