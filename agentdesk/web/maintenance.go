package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

// Planned maintenance (seed 004): supervisors and admins schedule windows on
// catalog services; the affected contacts are emailed the configured
// business time ahead (16 hours by default) and, during the window, the IVR
// tells callers of those services before they queue. The routes exist when
// Deps.Maintenance is set.

// MaintenanceDesk schedules maintenance windows (*desk.Maintenance). It
// checks the window against the catalog and the notice period, refusing a
// start too soon with a *escalation.NoticeError, stores it and schedules the
// notice emails.
type MaintenanceDesk interface {
	ScheduleMaintenance(ctx context.Context, m *escalation.Maintenance) error
	ListMaintenance(ctx context.Context, f escalation.MaintenanceFilter) ([]escalation.Maintenance, error)
	CancelMaintenance(ctx context.Context, id int64, actor string) (*escalation.Maintenance, error)
}

type maintenanceRequest struct {
	Services  []string  `json:"services"`
	Areas     []string  `json:"areas,omitempty"` // empty: every area
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	SummaryES string    `json:"summary_es"`
	SummaryEN string    `json:"summary_en,omitempty"`
}

type maintenanceList struct {
	Items []escalation.Maintenance `json:"items"`
}

// noticeRefusal is the 422 body of a window that starts too soon.
type noticeRefusal struct {
	Error         errorDetail `json:"error"`
	EarliestStart time.Time   `json:"earliest_start"`
	// NoticeHours is the notice contacts must get, in business hours.
	NoticeHours float64 `json:"notice_business_hours"`
}

func maintenanceQuery() []param {
	return []param{
		{Name: "past", Type: "boolean", Description: "true: include windows already over; default: upcoming and in progress only"},
		{Name: "cancelled", Type: "boolean", Description: "true: include cancelled windows"},
		{Name: "limit", Type: "integer", Description: "1-500, default 100"},
	}
}

func (s *Server) maintenanceRoutes() []route {
	if s.maint == nil {
		return nil
	}
	return []route{
		{Method: "POST", Path: API + "/maintenance", Roles: leadRoles, Tag: "maintenance",
			Summary: "Schedule a planned maintenance window and its notice to the affected contacts",
			Body:    maintenanceRequest{}, Status: 201, Resp: escalation.Maintenance{}, Handle: s.createMaintenance},
		{Method: "GET", Path: API + "/maintenance", Roles: leadRoles, Tag: "maintenance", Summary: "List maintenance windows",
			Query: maintenanceQuery(), Status: 200, Resp: maintenanceList{}, Handle: s.listMaintenance},
		{Method: "POST", Path: API + "/maintenance/{id}/cancel", Roles: leadRoles, Tag: "maintenance",
			Summary: "Cancel a maintenance window (its notice is then not sent)",
			Status:  200, Resp: escalation.Maintenance{}, Handle: s.cancelMaintenance},
	}
}

func (s *Server) createMaintenance(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req maintenanceRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	m := &escalation.Maintenance{Services: req.Services, Areas: req.Areas, Start: req.Start, End: req.End,
		SummaryES: req.SummaryES, SummaryEN: req.SummaryEN, CreatedBy: c.User.Username}
	m.Normalize()
	if err := m.Validate(s.catalog.Current()); err != nil {
		return err
	}
	if err := s.maint.ScheduleMaintenance(r.Context(), m); err != nil {
		var ne *escalation.NoticeError
		if errors.As(err, &ne) {
			writeJSON(w, http.StatusUnprocessableEntity, noticeRefusal{
				Error:         errorDetail{Code: tickets.EINVALID, Message: tickets.ErrorMessage(ne)},
				EarliestStart: ne.Earliest, NoticeHours: ne.Notice.Hours()})
			return nil
		}
		return err
	}
	w.Header().Set("Location", API+"/maintenance/"+strconv.FormatInt(m.ID, 10))
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) listMaintenance(w http.ResponseWriter, r *http.Request, _ *caller) error {
	q := r.URL.Query()
	var f escalation.MaintenanceFilter
	past, err := boolParam(q.Get("past"), "past")
	if err != nil {
		return err
	}
	if f.IncludeCancelled, err = boolParam(q.Get("cancelled"), "cancelled"); err != nil {
		return err
	}
	if !past {
		f.Since = s.now()
	}
	if v := strings.TrimSpace(q.Get("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return badRequest("limit must be an integer from 1 to 500")
		}
		f.Limit = n
	}
	list, err := s.maint.ListMaintenance(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []escalation.Maintenance{}
	}
	writeJSON(w, http.StatusOK, maintenanceList{Items: list})
	return nil
}

func boolParam(v, name string) (bool, error) {
	if v = strings.TrimSpace(v); v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("%s must be true or false", name)
	}
	return b, nil
}

func (s *Server) cancelMaintenance(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "maintenance window")
	if err != nil {
		return err
	}
	m, err := s.maint.CancelMaintenance(r.Context(), id, c.User.Username)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}
