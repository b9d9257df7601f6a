package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
)

// Ticket statistics for the supervisors' wallboard: the open tickets by
// state, priority and level, and the tickets near or past their resolution
// SLA. The page polls GET /api/v1/tickets/stats every 30 s. The route exists
// when Deps.TicketStats is set (*tickets/postgres.DB implements it).

// TicketStatsStore counts open tickets and watches their SLA.
type TicketStatsStore interface {
	// OpenTicketCounts counts the open tickets by state, priority and level.
	OpenTicketCounts(ctx context.Context) ([]tickets.OpenCount, error)
	// SLAWatch lists open tickets whose SLA clock runs and that have used
	// at least nearFraction of the time to their resolution_due or are past
	// it: up to limit of each, soonest due first, with the full counts.
	SLAWatch(ctx context.Context, now time.Time, nearFraction float64, limit int) (list []*tickets.Ticket, past, near int, err error)
}

// NearSLAFraction is the share of the time to resolution after which an
// open ticket is shown as near its SLA.
const NearSLAFraction = 0.75

// ticketStats is the answer of GET /tickets/stats.
type ticketStats struct {
	At   time.Time `json:"at"`
	Open int       `json:"open"` // open tickets in all
	// ByState, ByPriority ("1"-"4") and ByLevel ("1"-"4") count the open
	// tickets; every open state, priority and level is present, zero or not.
	ByState    map[string]int `json:"by_state"`
	ByPriority map[string]int `json:"by_priority"`
	ByLevel    map[string]int `json:"by_level"`
	// Counts are the non-empty state x priority x level groups.
	Counts []openCount `json:"counts"`
	// NearFraction is the share of the time to resolution that makes a
	// ticket near its SLA.
	NearFraction float64 `json:"near_fraction"`
	// PastSLA lists tickets whose resolution_due has passed, NearSLA those
	// near it, soonest due first, up to limit each; the totals count all.
	PastSLA   []slaTicket `json:"past_sla"`
	NearSLA   []slaTicket `json:"near_sla"`
	PastTotal int         `json:"past_total"`
	NearTotal int         `json:"near_total"`
}

type openCount struct {
	State    tickets.State    `json:"state"`
	Priority tickets.Priority `json:"priority"`
	Level    int              `json:"level"`
	Count    int              `json:"count"`
}

// slaTicket is a ticket on the SLA watch: no caller data, only what the
// wallboard shows.
type slaTicket struct {
	Number        string           `json:"number"`
	Subject       string           `json:"subject"`
	Service       string           `json:"service"`
	State         tickets.State    `json:"state"`
	Priority      tickets.Priority `json:"priority"`
	Level         int              `json:"level"`
	Assignee      string           `json:"assignee,omitempty"`
	Queue         string           `json:"queue,omitempty"`
	CreatedAt     time.Time        `json:"created_at"`
	ResolutionDue time.Time        `json:"resolution_due"`
	// Elapsed is the share of the time from creation to resolution_due
	// gone by (1 or more: past).
	Elapsed float64 `json:"elapsed"`
}

func (s *Server) ticketStatsRoutes() []route {
	if s.stats == nil {
		return nil
	}
	return []route{
		{Method: "GET", Path: API + "/tickets/stats", Roles: leadRoles, Tag: "tickets",
			Summary: "Count open tickets by state, priority and level, and list those near or past their SLA",
			Query: []param{{Name: "limit", Type: "integer",
				Description: "1-100, default 20: at most this many tickets in each of near_sla and past_sla"}},
			Status: 200, Resp: ticketStats{}, Handle: s.ticketStats},
	}
}

func (s *Server) ticketStats(w http.ResponseWriter, r *http.Request, _ *caller) error {
	st := s.stats
	limit := 20
	if v := strings.TrimSpace(r.URL.Query().Get("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return badRequest("limit must be an integer from 1 to 100")
		}
		limit = n
	}
	counts, err := st.OpenTicketCounts(r.Context())
	if err != nil {
		return err
	}
	now := s.now()
	list, past, near, err := st.SLAWatch(r.Context(), now, NearSLAFraction, limit)
	if err != nil {
		return err
	}
	out := ticketStats{At: now.UTC(), ByState: map[string]int{}, ByPriority: map[string]int{}, ByLevel: map[string]int{},
		Counts: []openCount{}, NearFraction: NearSLAFraction, PastSLA: []slaTicket{}, NearSLA: []slaTicket{},
		PastTotal: past, NearTotal: near}
	for _, st := range tickets.States {
		if st.Open() {
			out.ByState[string(st)] = 0
		}
	}
	for i := 1; i <= 4; i++ {
		out.ByPriority[strconv.Itoa(i)] = 0
		out.ByLevel[strconv.Itoa(i)] = 0
	}
	for _, c := range counts {
		out.Open += c.Count
		out.ByState[string(c.State)] += c.Count
		out.ByPriority[strconv.Itoa(int(c.Priority))] += c.Count
		out.ByLevel[strconv.Itoa(c.Level)] += c.Count
		out.Counts = append(out.Counts, openCount{State: c.State, Priority: c.Priority, Level: c.Level, Count: c.Count})
	}
	for _, t := range list {
		if t.ResolutionDue == nil {
			continue
		}
		due := *t.ResolutionDue
		st := slaTicket{Number: t.Number, Subject: t.Subject, Service: t.Service, State: t.State, Priority: t.Priority,
			Level: t.Level, Assignee: t.Assignee, Queue: t.Queue, CreatedAt: t.CreatedAt.UTC(), ResolutionDue: due.UTC(), Elapsed: 1}
		if total := due.Sub(t.CreatedAt); total > 0 {
			st.Elapsed = float64(now.Sub(t.CreatedAt)) / float64(total)
		}
		if due.Before(now) {
			out.PastSLA = append(out.PastSLA, st)
		} else {
			out.NearSLA = append(out.NearSLA, st)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
