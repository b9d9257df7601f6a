package web

import (
	"context"
	"net/http"
	"time"

	"github.com/atiende/atiende/tickets"
)

type healthResponse struct {
	Status string `json:"status"`
}

// readyResponse names each check "ok" or "down".
type readyResponse struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	writeJSON(w, http.StatusOK, healthResponse{Status: "ok"})
	return nil
}

// readyz checks the database and the extra readiness (the telephony
// engine). What is down is named; why is logged, not shown.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok"}
	var down []string
	if err := s.store.Ping(ctx); err != nil {
		checks["database"] = "down"
		down = append(down, "database")
		s.log.WarnContext(ctx, "not ready: database", "error", err)
	}
	if s.ready != nil {
		checks["engine"] = "ok"
		if err := s.ready(ctx); err != nil {
			checks["engine"] = "down"
			down = append(down, "engine")
			s.log.WarnContext(ctx, "not ready: engine", "error", err)
		}
	}
	if len(down) > 0 {
		msg := "not ready: " + down[0]
		for _, d := range down[1:] {
			msg += ", " + d
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"error":  errorDetail{Code: tickets.EUNAVAILABLE, Message: msg + " down"},
			"checks": checks,
		})
		return nil
	}
	writeJSON(w, http.StatusOK, readyResponse{Status: "ok", Checks: checks})
	return nil
}

func (s *Server) getCatalog(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	// With its version, for edits, and a name in each language for every
	// queue, for the pages.
	writeJSON(w, http.StatusOK, s.catalog.Current().WithQueueNames())
	return nil
}
