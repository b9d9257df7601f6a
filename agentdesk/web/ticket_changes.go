package web

import (
	"net/http"
	"strings"

	"github.com/atiende/atiende/tickets"
)

type transitionRequest struct {
	To      tickets.State `json:"to"`
	Reason  string        `json:"reason,omitempty"`
	Version int           `json:"version"` // required
}

type patchTicketRequest struct {
	Version       int               `json:"version"` // the version read; required
	Reason        string            `json:"reason,omitempty"`
	Kind          *tickets.Kind     `json:"kind,omitempty"`
	Service       *string           `json:"service,omitempty"`
	Impact        *tickets.Level3   `json:"impact,omitempty"`
	Urgency       *tickets.Level3   `json:"urgency,omitempty"`
	Priority      *tickets.Priority `json:"priority,omitempty"`
	Level         *int              `json:"level,omitempty"`
	Subject       *string           `json:"subject,omitempty"`
	Description   *string           `json:"description,omitempty"`
	Assignee      *string           `json:"assignee,omitempty"` // "" unassigns
	Queue         *string           `json:"queue,omitempty"`
	MajorIncident *bool             `json:"major_incident,omitempty"`
	Caller        *tickets.Caller   `json:"caller,omitempty"`
}

func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req patchTicketRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	t, err := s.ticket(ctx, r.PathValue("number"))
	if err != nil {
		return err
	}
	if err := checkVersion(t, req.Version); err != nil {
		return err
	}
	p := tickets.Patch{Kind: req.Kind, Service: req.Service, Impact: req.Impact, Urgency: req.Urgency,
		Priority: req.Priority, Level: req.Level, Subject: req.Subject, Description: req.Description,
		Assignee: req.Assignee, Queue: req.Queue, MajorIncident: req.MajorIncident, Caller: req.Caller}
	if p == (tickets.Patch{}) {
		return tickets.Errorf(tickets.EINVALID, "nothing to change")
	}
	if err := s.authorize(ctx, c, t, patchFields(t, p)...); err != nil {
		return err
	}
	// Validate the ticket as it would be, so the store gets only sane values.
	after := *t
	if p.Kind != nil {
		after.Kind = *p.Kind
	}
	if p.Service != nil {
		if svc, ok := s.catalog.Current().Service(*p.Service); !ok {
			return tickets.Errorf(tickets.EINVALID, "service %q is not in the catalog", clip(*p.Service))
		} else if svc.Inactive && svc.Code != t.Service {
			return inactiveService(svc.Code)
		}
		after.Service = *p.Service
	}
	if p.Impact != nil || p.Urgency != nil {
		if p.Impact != nil {
			after.Impact = *p.Impact
		}
		if p.Urgency != nil {
			after.Urgency = *p.Urgency
		}
		if !after.Impact.Valid() || !after.Urgency.Valid() {
			return tickets.Errorf(tickets.EINVALID, "impact and urgency must be low, medium or high")
		}
		if p.Priority == nil {
			prio := s.matrix.Priority(after.Impact, after.Urgency)
			p.Priority = &prio
		}
	}
	if p.Priority != nil {
		after.Priority = *p.Priority
	}
	if p.Level != nil {
		after.Level = *p.Level
	}
	if p.Subject != nil {
		after.Subject = strings.TrimSpace(*p.Subject)
		p.Subject = &after.Subject
	}
	if p.Description != nil {
		after.Description = *p.Description
	}
	if p.Caller != nil {
		cl := *p.Caller
		if err := s.normaliseCaller(&cl); err != nil {
			return err
		}
		if err := checkCaller(cl); err != nil {
			return err
		}
		p.Caller = &cl
	}
	if err := after.Validate(); err != nil {
		return err
	}
	if p.Assignee != nil {
		if err := s.checkAssignee(ctx, *p.Assignee); err != nil {
			return err
		}
	}
	t, err = s.store.Update(ctx, t.Number, p, tickets.Change{Actor: c.User.Username, Version: req.Version, Reason: req.Reason})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) transitionTicket(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req transitionRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	t, err := s.ticket(ctx, r.PathValue("number"))
	if err != nil {
		return err
	}
	if err := checkVersion(t, req.Version); err != nil {
		return err
	}
	if err := s.authorize(ctx, c, t, tickets.TransitionField(req.To)); err != nil {
		return err
	}
	if err := tickets.CheckTransition(t.State, req.To, req.Reason); err != nil {
		return err
	}
	t, err = s.store.Transition(ctx, t.Number, req.To, tickets.Change{Actor: c.User.Username, Version: req.Version, Reason: req.Reason})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// checkVersion refuses early a change made to a stale copy; the store checks
// again atomically.
func checkVersion(t *tickets.Ticket, v int) error {
	if v <= 0 {
		return tickets.Errorf(tickets.EINVALID, "version is required: send the version of the ticket you read")
	}
	if v != t.Version {
		return tickets.Errorf(tickets.ECONFLICT, "ticket %s was changed by someone else (it is at version %d, you sent %d); reload it", t.Number, t.Version, v)
	}
	return nil
}
