package web

import (
	"net/http"

	"github.com/atiende/atiende/tickets"
)

type agentStateRequest struct {
	State  string `json:"state"` // available, paused, wrap_up, logged_out (as the desk defines them)
	Reason string `json:"reason,omitempty"`
	// Extension, when given, is the phone the agent works at from now on
	// (picked at login). It must be the user's configured extension or, for
	// agents and technicians, one no other logged-in agent is using.
	Extension string `json:"extension,omitempty"`
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request, _ *caller) error {
	as, err := s.agents.Agents(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(as))
	return nil
}

// setAgentState: agents and technicians set only their own state;
// supervisors and admins anyone's (pause or log out an agent).
func (s *Server) setAgentState(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req agentStateRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	who := r.PathValue("username")
	if who != c.User.Username && c.User.Role != tickets.RoleSupervisor && c.User.Role != tickets.RoleAdmin {
		return tickets.Errorf(tickets.EFORBIDDEN, "you may only change your own state")
	}
	if req.State == "" {
		return tickets.Errorf(tickets.EINVALID, "state is required")
	}
	if len(req.Reason) > 200 {
		return tickets.Errorf(tickets.EINVALID, "reason is longer than 200 characters")
	}
	undo, err := s.holdExtension(r.Context(), c, who, req)
	if err != nil {
		return err
	}
	if req.Extension != "" {
		if err := s.pickExtension(r.Context(), who, req.Extension); err != nil {
			undo()
			return err
		}
	}
	if err := s.agents.SetAgentState(r.Context(), who, req.State, req.Reason); err != nil {
		undo()
		return err
	}
	if s.holds != nil && req.State == "logged_out" {
		if err := s.holds.ReleaseExtension(r.Context(), who); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
