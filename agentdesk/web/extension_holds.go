package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/atiende/atiende/tickets"
)

// holdExtension makes the store record that who works at the extension the
// state request puts them at, so that no two logged-in agents share one
// (the store refuses the second, even across processes). A hold left by an
// agent the desk has logged out (a restart) is taken over. It returns an
// undo for when the state change then fails.
func (s *Server) holdExtension(ctx context.Context, c *caller, who string, req agentStateRequest) (undo func(), err error) {
	undo = func() {}
	if s.holds == nil || req.State == "logged_out" {
		return undo, nil
	}
	agents, err := s.agents.Agents(ctx)
	if err != nil {
		return undo, err
	}
	prev := ""
	ext := req.Extension
	for _, a := range agents {
		if a.Username == who {
			if a.State != "logged_out" {
				prev = a.Extension
			}
			if ext == "" {
				ext = a.Extension
			}
		}
	}
	if ext == "" {
		u, err := s.store.User(ctx, who)
		if err != nil {
			return undo, err
		}
		ext = u.Extension
	}
	if ext == "" {
		return undo, nil // no phone: nothing to hold
	}
	err = s.holds.HoldExtension(ctx, who, ext)
	var held *tickets.ExtensionHeldError
	if errors.As(err, &held) && !loggedIn(agents, held.Holder) {
		// The desk has the holder logged out: the hold is stale.
		if rerr := s.holds.ReleaseExtension(ctx, held.Holder); rerr != nil {
			return undo, rerr
		}
		err = s.holds.HoldExtension(ctx, who, ext)
	}
	if errors.As(err, &held) {
		return undo, &httpError{status: http.StatusConflict, code: tickets.ECONFLICT,
			message: extensionInUse(c.User.Language, ext, held.Holder), extra: map[string]any{"field": "extension"}}
	} else if err != nil {
		return undo, err
	}
	return func() {
		if prev != "" {
			_ = s.holds.HoldExtension(context.WithoutCancel(ctx), who, prev)
		} else {
			_ = s.holds.ReleaseExtension(context.WithoutCancel(ctx), who)
		}
	}, nil
}

func loggedIn(agents []AgentStatus, username string) bool {
	for _, a := range agents {
		if a.Username == username {
			return a.State != "logged_out"
		}
	}
	return false
}

// extensionInUse tells the person who asked, in their language.
func extensionInUse(lang, ext, holder string) string {
	if lang == "en" {
		return fmt.Sprintf("Extension %s is in use by %s, who is logged in there. Choose another extension, or ask a supervisor to log them out.", ext, holder)
	}
	return fmt.Sprintf("La extensión %s está en uso por %s, que tiene sesión iniciada en ella. Elija otra extensión o pida a un supervisor que cierre su sesión.", ext, holder)
}
