package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/atiende/atiende/tickets"
)

// Catalog editing (admin page, catalog tab): admins change a service's
// names, group (its queue), default kind, starting level, checklist,
// keywords, 24x7 and inactive flags, and add services. Codes never change
// and services are never removed; a service no longer given is marked
// inactive (no new tickets on it; the IVR keeps routing it). Every edit
// names the catalog version it was made on: if another edit was saved
// since, it is refused with 409 and the page reloads. GET /catalog (in
// routes.go) gives the catalog in force with its version.

// CatalogEditor changes the catalog in force (*tickets.CatalogEditor, as
// cmd wires it). Errors carry tickets codes: EINVALID naming the service
// and the field, ENOTFOUND for an unknown code, ECONFLICT for a stale
// version.
type CatalogEditor interface {
	UpdateService(ctx context.Context, code string, ed tickets.ServiceEdit) (*tickets.Catalog, error)
	AddService(ctx context.Context, ed tickets.ServiceEdit) (*tickets.Catalog, error)
	CatalogVersions(ctx context.Context, limit int) ([]tickets.CatalogVersion, error)
}

var _ CatalogEditor = (*tickets.CatalogEditor)(nil)

// serviceEditRequest is one service, whole, as the admin left it.
type serviceEditRequest struct {
	// Version is the catalog version the edit was made on (GET /catalog).
	Version *int   `json:"version"`
	Comment string `json:"comment,omitempty"`
	// Service replaces the service (PUT: its code may be left out) or is
	// the new one (POST).
	Service tickets.Service `json:"service"`
}

// catalogVersionList is the catalog's history, newest first. Version 0, the
// catalog_file or the default, is the seed and is not listed.
type catalogVersionList struct {
	Current int                      `json:"current"`
	Items   []tickets.CatalogVersion `json:"items"`
}

// catalogRoutes returns the routes of catalog editing (admin page, catalog tab).
func (s *Server) catalogRoutes() []route {
	if s.catEdit == nil {
		return nil
	}
	return []route{
		{Method: "PUT", Path: API + "/catalog/services/{code}", Roles: adminRoles, Tag: "catalog",
			Summary: "Change a catalog service (not its code); 409 if the catalog changed since the version sent",
			Body:    serviceEditRequest{}, Status: 200, Resp: tickets.Catalog{}, Handle: s.putCatalogService},
		{Method: "POST", Path: API + "/catalog/services", Roles: adminRoles, Tag: "catalog",
			Summary: "Add a service to the catalog; 409 if the catalog changed since the version sent",
			Body:    serviceEditRequest{}, Status: 201, Resp: tickets.Catalog{}, Handle: s.addCatalogService},
		{Method: "GET", Path: API + "/catalog/versions", Roles: leadRoles, Tag: "catalog",
			Summary: "List the saved versions of the catalog: who, when, why, which services",
			Query:   []param{{Name: "limit", Type: "integer", Description: "1-500, default 100"}},
			Status:  200, Resp: catalogVersionList{}, Handle: s.catalogVersions},
	}
}

func (s *Server) serviceEdit(w http.ResponseWriter, r *http.Request, c *caller) (tickets.ServiceEdit, error) {
	var req serviceEditRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return tickets.ServiceEdit{}, err
	}
	if req.Version == nil {
		return tickets.ServiceEdit{}, badRequest("field \"version\" is required: the catalog version you edited (GET %s/catalog)", API)
	}
	return tickets.ServiceEdit{Base: *req.Version, Service: req.Service, Actor: c.User.Username, Comment: req.Comment}, nil
}

func (s *Server) putCatalogService(w http.ResponseWriter, r *http.Request, c *caller) error {
	ed, err := s.serviceEdit(w, r, c)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	cat, err := s.catEdit.UpdateService(r.Context(), code, ed)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "catalog edited", "service", code, "version", cat.Version, "by", c.User.Username)
	writeJSON(w, http.StatusOK, cat)
	return nil
}

func (s *Server) addCatalogService(w http.ResponseWriter, r *http.Request, c *caller) error {
	ed, err := s.serviceEdit(w, r, c)
	if err != nil {
		return err
	}
	cat, err := s.catEdit.AddService(r.Context(), ed)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "catalog service added", "service", ed.Service.Code, "group", ed.Service.Group,
		"version", cat.Version, "by", c.User.Username)
	w.Header().Set("Location", API+"/catalog")
	writeJSON(w, http.StatusCreated, cat)
	return nil
}

func (s *Server) catalogVersions(w http.ResponseWriter, r *http.Request, _ *caller) error {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return badRequest("limit must be an integer from 1 to 500")
		}
		limit = n
	}
	list, err := s.catEdit.CatalogVersions(r.Context(), limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []tickets.CatalogVersion{}
	}
	writeJSON(w, http.StatusOK, catalogVersionList{Current: s.catalog.Current().Version, Items: list})
	return nil
}

// inactiveService refuses a new ticket, or a reclassification, on a
// service an admin marked inactive.
func inactiveService(code string) error {
	return tickets.Errorf(tickets.EINVALID, "service %q is inactive: no new tickets are opened on it (the admin page shows the services in use)", code)
}
