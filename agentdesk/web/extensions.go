package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
)

// The network page's API: every phone extension with its owner and status,
// and each one's history. The routes exist when Deps.Extensions is set.
// Network staff, supervisors and admins see them; agents and technicians
// do not.

// netRoles may see the extensions.
var netRoles = []tickets.Role{tickets.RoleNetwork, tickets.RoleSupervisor, tickets.RoleAdmin}

// ExtensionSource is what the server needs from the extension monitor
// (agentdesk/extmon; MonitorExtensions adapts it). Errors carry tickets codes (ENOTFOUND for an unknown extension).
type ExtensionSource interface {
	// Extensions returns every known extension.
	Extensions(ctx context.Context) ([]ExtensionInfo, error)
	// ExtensionHistory returns ext's status changes, newest first, at most
	// limit.
	ExtensionHistory(ctx context.Context, ext string, limit int) ([]ExtensionEvent, error)
}

// ExtensionInfo is one extension now.
type ExtensionInfo struct {
	Extension string `json:"extension"`
	Owner     string `json:"owner,omitempty"`
	// State is registered, unregistered or unreachable.
	State     string  `json:"state"`
	Contact   string  `json:"contact,omitempty"`
	UserAgent string  `json:"user_agent,omitempty"`
	RTTMillis float64 `json:"rtt_ms"` // last round-trip time of a qualify; 0 when unknown
	// Since is when the state began; DownSince when the outage began.
	Since     time.Time  `json:"since"`
	DownSince *time.Time `json:"down_since,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	// Ticket is the ticket opened for the extension's last long outage.
	Ticket string `json:"ticket,omitempty"`
	// Calls are the internal calls the extension is on: the other
	// extension of each, "" for a queue or the help-desk menu.
	Calls      []string   `json:"calls,omitempty"`
	CallsSince *time.Time `json:"calls_since,omitempty"`
}

// ExtensionEvent is one recorded status change.
type ExtensionEvent struct {
	Extension string    `json:"extension"`
	State     string    `json:"state"`
	Contact   string    `json:"contact,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	RTTMillis float64   `json:"rtt_ms"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// extensionList is the answer of GET /extensions: the filtered extensions,
// and counts by state of all of them (for the page's badges).
type extensionList struct {
	Extensions []ExtensionInfo `json:"extensions"`
	Total      int             `json:"total"`
	Counts     map[string]int  `json:"counts"`
}

var extensionStates = []string{"registered", "unregistered", "unreachable"}

// extensionRoutes are the network page's routes, when there is a source.
func (s *Server) extensionRoutes() []route {
	if s.exts == nil {
		return nil
	}
	return []route{
		{Method: "GET", Path: API + "/extensions", Roles: netRoles, Tag: "extensions", Summary: "List phone extensions and their status",
			Query: []param{
				{Name: "state", Type: "string", Description: "registered, unregistered, unreachable, or down (either of the last two)"},
				{Name: "q", Type: "string", Description: "part of the extension, owner, contact address or user agent"},
			},
			Status: 200, Resp: extensionList{}, Handle: s.listExtensions},
		{Method: "GET", Path: API + "/extensions/{ext}/history", Roles: netRoles, Tag: "extensions", Summary: "Get the status history of a phone extension",
			Query:  []param{{Name: "limit", Type: "integer", Description: "1-500, default 50"}},
			Status: 200, Resp: []ExtensionEvent{}, Handle: s.extensionHistory},
	}
}

func (s *Server) listExtensions(w http.ResponseWriter, r *http.Request, _ *caller) error {
	q := r.URL.Query()
	state := strings.TrimSpace(q.Get("state"))
	if state != "" && state != "down" && !slices.Contains(extensionStates, state) {
		return badRequest("state must be registered, unregistered, unreachable or down")
	}
	text := strings.ToLower(strings.TrimSpace(q.Get("q")))
	if len(text) > 200 {
		return badRequest("q is longer than 200 characters")
	}
	all, err := s.exts.Extensions(r.Context())
	if err != nil {
		return err
	}
	out := extensionList{Extensions: []ExtensionInfo{}, Total: len(all), Counts: map[string]int{}}
	for _, st := range extensionStates {
		out.Counts[st] = 0
	}
	for _, x := range all {
		out.Counts[x.State]++
		if stateMatches(x.State, state) && textMatches(x, text) {
			out.Extensions = append(out.Extensions, x)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func stateMatches(have, want string) bool {
	switch want {
	case "":
		return true
	case "down":
		return have == "unregistered" || have == "unreachable"
	}
	return have == want
}

func textMatches(x ExtensionInfo, q string) bool {
	if q == "" {
		return true
	}
	for _, f := range []string{x.Extension, x.Owner, x.Contact, x.UserAgent} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

func (s *Server) extensionHistory(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ext := r.PathValue("ext")
	if strings.TrimSpace(ext) == "" || len(ext) > 64 {
		return badRequest("extension must be 1 to 64 characters")
	}
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return badRequest("limit must be an integer from 1 to 500")
		}
		limit = n
	}
	h, err := s.exts.ExtensionHistory(r.Context(), ext, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(h))
	return nil
}
