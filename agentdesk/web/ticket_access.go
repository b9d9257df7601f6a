package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/atiende/atiende/tickets"
)

// authorize checks fields against tickets.ChangeRules for the caller on a
// ticket that is (or will be) t, and answers 403 naming the first field
// refused.
func (s *Server) authorize(ctx context.Context, c *caller, t *tickets.Ticket, fields ...tickets.Field) error {
	w := tickets.Whose{Queue: t.Queue, Assignee: t.Assignee}
	if t.Assignee != "" {
		u, err := s.store.User(ctx, t.Assignee)
		switch {
		case err == nil:
			w.AssigneeRole = u.Role
		case tickets.ErrorCode(err) != tickets.ENOTFOUND:
			return err
		}
	}
	for _, f := range fields {
		if tickets.MayChange(c.User.Username, c.User.Role, f, w) {
			continue
		}
		return &httpError{status: http.StatusForbidden, code: tickets.EFORBIDDEN,
			message: refusal(c.User.Role, f, t), extra: map[string]any{"field": string(f)}}
	}
	return nil
}

// fieldWords names a field for a person.
var fieldWords = map[tickets.Field]string{
	tickets.FieldOpen: "open the ticket", tickets.FieldKind: "change the kind", tickets.FieldService: "change the service",
	tickets.FieldImpact: "change the impact", tickets.FieldUrgency: "change the urgency",
	tickets.FieldPriority: "set the priority", tickets.FieldLevel: "change the escalation level",
	tickets.FieldSubject: "change the subject", tickets.FieldDescription: "change the description",
	tickets.FieldAssignee: "assign the ticket", tickets.FieldQueue: "change the queue",
	tickets.FieldMajorIncident: "declare or end a major incident", tickets.FieldCaller: "change the caller",
	tickets.FieldParent: "link the ticket to a parent incident",
	tickets.FieldWork:   "work the ticket", tickets.FieldResolve: "resolve or reject the ticket",
	tickets.FieldClose: "close the ticket",
}

func refusal(role tickets.Role, f tickets.Field, t *tickets.Ticket) string {
	what := fieldWords[f]
	which := "ticket " + t.Number
	if t.Number == "" {
		which = "a new ticket"
	}
	switch tickets.ChangeRules[role][f] {
	case tickets.Own:
		return fmt.Sprintf("you may not %s on %s: only its assignee or a supervisor may", what, which)
	case tickets.Team:
		if f == tickets.FieldOpen {
			return fmt.Sprintf("you may not %s in queue %q: it is outside your team's queues", what, t.Queue)
		}
		return fmt.Sprintf("you may not %s on %s: it belongs to its assignee, another team or queue, and the supervisors", what, which)
	}
	return fmt.Sprintf("your role may not %s", what)
}

// patchFields lists the fields a patch actually changes on t (a value sent
// unchanged, as the classify form does, touches nothing).
func patchFields(t *tickets.Ticket, p tickets.Patch) []tickets.Field {
	var fs []tickets.Field
	add := func(changed bool, f tickets.Field) {
		if changed {
			fs = append(fs, f)
		}
	}
	add(p.Kind != nil && *p.Kind != t.Kind, tickets.FieldKind)
	add(p.Service != nil && *p.Service != t.Service, tickets.FieldService)
	add(p.Impact != nil && *p.Impact != t.Impact, tickets.FieldImpact)
	add(p.Urgency != nil && *p.Urgency != t.Urgency, tickets.FieldUrgency)
	add(p.Priority != nil && *p.Priority != t.Priority, tickets.FieldPriority)
	add(p.Level != nil && *p.Level != t.Level, tickets.FieldLevel)
	add(p.Subject != nil && *p.Subject != t.Subject, tickets.FieldSubject)
	add(p.Description != nil && *p.Description != t.Description, tickets.FieldDescription)
	add(p.Assignee != nil && *p.Assignee != t.Assignee, tickets.FieldAssignee)
	add(p.Queue != nil && *p.Queue != t.Queue, tickets.FieldQueue)
	add(p.MajorIncident != nil && *p.MajorIncident != t.MajorIncident, tickets.FieldMajorIncident)
	add(p.Caller != nil && *p.Caller != t.Caller, tickets.FieldCaller)
	return fs
}
