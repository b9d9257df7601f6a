package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/atiende/atiende/tickets"
)

type createTicketRequest struct {
	Kind    tickets.Kind   `json:"kind,omitempty"` // default: the service's default kind
	Service string         `json:"service"`
	Impact  tickets.Level3 `json:"impact,omitempty"`  // default medium
	Urgency tickets.Level3 `json:"urgency,omitempty"` // default medium
	// Priority overrides impact x urgency when given.
	Priority      *tickets.Priority `json:"priority,omitempty"`
	Level         int               `json:"level,omitempty"`   // default: the service's level
	Channel       tickets.Channel   `json:"channel,omitempty"` // default phone
	Caller        tickets.Caller    `json:"caller"`
	Subject       string            `json:"subject"`
	Description   string            `json:"description"`
	Assignee      string            `json:"assignee,omitempty"`
	Queue         string            `json:"queue,omitempty"` // default: the service's group
	MajorIncident bool              `json:"major_incident,omitempty"`
	IVRPath       []string          `json:"ivr_path,omitempty"`
}

type ticketList struct {
	Items []*tickets.Ticket `json:"items"`
	Total int               `json:"total"`
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req createTicketRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	svc, ok := s.catalog.Current().Service(req.Service)
	if !ok {
		return tickets.Errorf(tickets.EINVALID, "service %q is not in the catalog", clip(req.Service))
	} else if svc.Inactive {
		return inactiveService(svc.Code)
	}
	t := &tickets.Ticket{
		Kind: req.Kind, Service: svc.Code, Impact: req.Impact, Urgency: req.Urgency, Level: req.Level,
		Channel: req.Channel, Caller: req.Caller, Subject: strings.TrimSpace(req.Subject),
		Description: req.Description, Assignee: req.Assignee, Queue: req.Queue,
		MajorIncident: req.MajorIncident, IVRPath: req.IVRPath, State: tickets.Registered,
	}
	svc.NewTicketDefaults(t) // kind, level, queue
	if t.Impact == "" {
		t.Impact = tickets.Medium
	}
	if t.Urgency == "" {
		t.Urgency = tickets.Medium
	}
	if !t.Impact.Valid() || !t.Urgency.Valid() {
		return tickets.Errorf(tickets.EINVALID, "impact and urgency must be low, medium or high")
	}
	t.Priority = s.matrix.Priority(t.Impact, t.Urgency)
	if req.Priority != nil {
		t.Priority = *req.Priority
	}
	if t.Channel == "" {
		t.Channel = tickets.Phone
	}
	if err := s.normaliseCaller(&t.Caller); err != nil {
		return err
	}
	if err := checkCaller(t.Caller); err != nil {
		return err
	}
	if len(t.IVRPath) > 50 || len(t.Queue) > 100 {
		return tickets.Errorf(tickets.EINVALID, "ivr_path has at most 50 steps and queue at most 100 characters")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if err := s.checkAssignee(r.Context(), t.Assignee); err != nil {
		return err
	}
	fields := []tickets.Field{tickets.FieldOpen}
	if req.Priority != nil {
		fields = append(fields, tickets.FieldPriority)
	}
	if req.MajorIncident {
		fields = append(fields, tickets.FieldMajorIncident)
	}
	if err := s.authorize(r.Context(), c, t, fields...); err != nil {
		return err
	}
	if err := s.store.CreateTicket(r.Context(), t, c.User.Username); err != nil {
		return err
	}
	w.Header().Set("Location", API+"/tickets/"+t.Number)
	writeJSON(w, http.StatusCreated, t)
	return nil
}

// normaliseCaller writes the caller's number as E.164, or moves an internal
// extension to Extension.
func (s *Server) normaliseCaller(c *tickets.Caller) error {
	raw := strings.TrimSpace(c.Phone)
	if raw == "" {
		return nil
	}
	kind, v, err := s.phones.Normalize(raw)
	if err != nil {
		return tickets.Errorf(tickets.EINVALID, "caller.phone: %s", tickets.ErrorMessage(err))
	}
	if kind == tickets.PhoneExtension {
		c.Phone = ""
		if c.Extension == "" {
			c.Extension = v
		}
		return nil
	}
	c.Phone = v
	return nil
}

// checkCaller bounds what a caller record may hold.
func checkCaller(c tickets.Caller) error {
	for name, v := range map[string]string{"caller.name": c.Name, "caller.department": c.Department,
		"caller.email": c.Email, "caller.extension": c.Extension} {
		if len(v) > 200 {
			return tickets.Errorf(tickets.EINVALID, "%s is longer than 200 characters", name)
		}
	}
	return nil
}

func (s *Server) checkAssignee(ctx context.Context, username string) error {
	if username == "" {
		return nil
	}
	u, err := s.store.User(ctx, username)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND || (err == nil && u.Disabled) {
		return tickets.Errorf(tickets.EINVALID, "assignee %q is not an active user", clip(username))
	}
	return err
}

// ticket loads the ticket named in the path, answering 404 with its number.
func (s *Server) ticket(ctx context.Context, number string) (*tickets.Ticket, error) {
	if !validNumber(number) {
		return nil, tickets.Errorf(tickets.ENOTFOUND, "ticket %q not found", clip(number))
	}
	t, err := s.store.Ticket(ctx, number)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return nil, tickets.Errorf(tickets.ENOTFOUND, "ticket %q not found", number)
	}
	return t, err
}

// validNumber: ticket numbers are digits only (keyed on a phone pad).
func validNumber(n string) bool {
	if n == "" || len(n) > 20 {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// clip shortens client input echoed in a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request, _ *caller) error {
	t, err := s.ticket(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request, _ *caller) error {
	q := r.URL.Query()
	var f tickets.Filter
	for _, v := range q["state"] {
		for _, st := range strings.Split(v, ",") {
			st = strings.TrimSpace(st)
			if !tickets.State(st).Valid() {
				return badRequest("state %q is not a ticket state", clip(st))
			}
			f.States = append(f.States, tickets.State(st))
		}
	}
	f.Service, f.Assignee, f.Parent, f.Query = q.Get("service"), q.Get("assignee"), q.Get("parent"), q.Get("q")
	var err error
	if f.Priority, err = intParam[tickets.Priority](q.Get("priority"), "priority", 1, 4); err != nil {
		return err
	}
	if f.Level, err = intParam[int](q.Get("level"), "level", 1, 4); err != nil {
		return err
	}
	if p := strings.TrimSpace(q.Get("caller_phone")); p != "" {
		_, v, err := s.phones.Normalize(p)
		if err != nil {
			return badRequest("caller_phone: %s", tickets.ErrorMessage(err))
		}
		f.CallerPhone = v
	}
	if f.Limit, f.Offset, err = paging(q.Get("limit"), q.Get("offset")); err != nil {
		return err
	}
	return s.writeTickets(w, r, f)
}

func (s *Server) searchTickets(w http.ResponseWriter, r *http.Request, _ *caller) error {
	q := r.URL.Query()
	f := tickets.Filter{Query: strings.TrimSpace(q.Get("q"))}
	if f.Query == "" {
		return badRequest("q is required")
	}
	var err error
	if f.Limit, f.Offset, err = paging(q.Get("limit"), q.Get("offset")); err != nil {
		return err
	}
	return s.writeTickets(w, r, f)
}

func (s *Server) writeTickets(w http.ResponseWriter, r *http.Request, f tickets.Filter) error {
	if len(f.Query) > 500 {
		return badRequest("q is longer than 500 characters")
	}
	items, total, err := s.store.ListTickets(r.Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*tickets.Ticket{}
	}
	writeJSON(w, http.StatusOK, ticketList{Items: items, Total: total})
	return nil
}

// intParam parses an optional integer query parameter within [lo, hi].
func intParam[T ~int](v, name string, lo, hi int) (T, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s must be an integer between %d and %d", name, lo, hi)
	}
	return T(n), nil
}

func paging(limit, offset string) (int, int, error) {
	l, err := intParam[int](limit, "limit", 1, 500)
	if err != nil {
		return 0, 0, err
	}
	if l == 0 {
		l = 50
	}
	o, err := intParam[int](offset, "offset", 0, 1_000_000)
	return l, o, err
}
