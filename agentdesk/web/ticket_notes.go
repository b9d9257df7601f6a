package web

import (
	"net/http"
	"strings"

	"github.com/atiende/atiende/tickets"
)

type noteRequest struct {
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
}

type linkRequest struct {
	Parent  string `json:"parent"`
	Version int    `json:"version,omitempty"` // of the child; 0 skips the check
	Reason  string `json:"reason,omitempty"`
}

func (s *Server) addNote(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req noteRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	t, err := s.ticket(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.Body) == "" {
		return tickets.Errorf(tickets.EINVALID, "body is required")
	}
	if len(req.Body) > 20000 {
		return tickets.Errorf(tickets.EINVALID, "body is longer than 20000 characters")
	}
	n := &tickets.Note{Author: c.User.Username, Body: req.Body, Internal: req.Internal}
	if err := s.store.AddNote(r.Context(), t.Number, n); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, n)
	return nil
}

// seesInternalNotes is the internal-notes policy. Technicians, supervisors,
// network staff and admins see every internal note. An agent sees them on
// tickets assigned to them and on tickets at or below their own escalation
// level (a level-1 agent: level-1 tickets), not on tickets escalated past
// them to someone else; there they still see the internal notes they wrote.
func seesInternalNotes(u *tickets.User, t *tickets.Ticket) bool {
	if u.Role != tickets.RoleAgent {
		return true
	}
	return t.Assignee == u.Username || t.Level <= max(u.Level, 1)
}

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := s.ticket(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	all := seesInternalNotes(c.User, t)
	notes, err := s.store.Notes(r.Context(), t.Number, true)
	if err != nil {
		return err
	}
	shown := []tickets.Note{}
	for _, n := range notes {
		if !n.Internal || all || n.Author == c.User.Username {
			shown = append(shown, n)
		}
	}
	writeJSON(w, http.StatusOK, shown)
	return nil
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, _ *caller) error {
	t, err := s.ticket(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	h, err := s.store.History(r.Context(), t.Number)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(h))
	return nil
}

func (s *Server) linkTicket(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req linkRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	t, err := s.ticket(ctx, r.PathValue("number"))
	if err != nil {
		return err
	}
	if req.Version != 0 {
		if err := checkVersion(t, req.Version); err != nil {
			return err
		}
	}
	if err := s.authorize(ctx, c, t, tickets.FieldParent); err != nil {
		return err
	}
	if req.Parent == "" {
		return tickets.Errorf(tickets.EINVALID, "parent is required")
	}
	if req.Parent == t.Number {
		return tickets.Errorf(tickets.EINVALID, "a ticket cannot be its own parent")
	}
	if _, err := s.ticket(ctx, req.Parent); tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return tickets.Errorf(tickets.EINVALID, "parent ticket %q not found", clip(req.Parent))
	} else if err != nil {
		return err
	}
	t, err = s.store.Link(ctx, t.Number, req.Parent, tickets.Change{Actor: c.User.Username, Version: req.Version, Reason: req.Reason})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) children(w http.ResponseWriter, r *http.Request, _ *caller) error {
	t, err := s.ticket(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	ch, err := s.store.Children(r.Context(), t.Number)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(ch))
	return nil
}

func (s *Server) calls(w http.ResponseWriter, r *http.Request, _ *caller) error {
	t, err := s.ticket(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	cs, err := s.store.Calls(r.Context(), t.Number)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(cs))
	return nil
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
