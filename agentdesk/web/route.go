package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/atiende/atiende/tickets"
)

// route is one endpoint. The route table is the single source of both the
// mux registrations and the OpenAPI document, so they cannot disagree.
type route struct {
	Method  string
	Path    string         // a net/http pattern path, e.g. /api/v1/tickets/{number}
	Roles   []tickets.Role // who may call it; nil with Public means anyone
	Public  bool           // no authentication
	Summary string
	Tag     string
	Query   []param // documented query parameters
	// Body is a zero value of the request body type (JSON), or nil.
	Body any
	// BodyType is the request media type; default application/json.
	BodyType string
	// Status and Resp document the success answer (Resp nil: no body).
	Status int
	Resp   any
	Handle handlerFunc
}

// param is a query parameter.
type param struct {
	Name, Type, Description string
	Repeat                  bool
	Required                bool
}

// caller is who is making an authenticated request.
type caller struct {
	User    *tickets.User
	Session *tickets.Session // nil for API-token requests
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *caller) error

// Role sets used by the route table.
var (
	allRoles   = tickets.Roles
	deskRoles  = []tickets.Role{tickets.RoleAgent, tickets.RoleTechnician, tickets.RoleSupervisor, tickets.RoleAdmin}
	leadRoles  = []tickets.Role{tickets.RoleSupervisor, tickets.RoleAdmin}
	adminRoles = []tickets.Role{tickets.RoleAdmin}
)

// wrap turns a route into a handler: authentication, role check, CSRF and
// origin check, then the handler, whose error becomes a JSON answer.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c *caller
		if unsafeMethod(r.Method) && !s.originAllowed(r) {
			writeJSONError(w, http.StatusForbidden, tickets.EFORBIDDEN, "cross-origin request refused")
			return
		}
		if !rt.Public {
			var err error
			c, err = s.authenticate(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			if !slices.Contains(rt.Roles, c.User.Role) {
				writeJSONError(w, http.StatusForbidden, tickets.EFORBIDDEN,
					"your role ("+string(c.User.Role)+") may not "+strings.ToLower(rt.Summary))
				return
			}
			if c.Session != nil && unsafeMethod(r.Method) && !csrfOK(r, c.Session) {
				writeJSONError(w, http.StatusForbidden, tickets.EFORBIDDEN, "missing or invalid CSRF token")
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
		}
		if err := checkUTF8(rt, r); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := rt.Handle(w, r, c); err != nil {
			s.writeError(w, r, err)
		}
	})
}

type callerKey struct{}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func csrfOK(r *http.Request, sess *tickets.Session) bool {
	got := r.Header.Get("X-CSRF-Token")
	return got != "" && sess.CSRFToken != "" &&
		subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) == 1
}

// originAllowed refuses state-changing requests a browser sends from another
// site. Requests without Origin (curl, programs) pass: they carry no ambient
// cookie risk that CSRF tokens do not already cover.
func (s *Server) originAllowed(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	if s.origins[strings.TrimRight(o, "/")] {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host != "" && u.Host == r.Host
}
