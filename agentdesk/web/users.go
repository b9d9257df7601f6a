package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/atiende/atiende/tickets"
)

type createUserRequest struct {
	Username  string       `json:"username"`
	Name      string       `json:"name"`
	Email     string       `json:"email"`
	Role      tickets.Role `json:"role"`
	Language  string       `json:"language,omitempty"` // default es
	Extension string       `json:"extension,omitempty"`
	Skills    []string     `json:"skills,omitempty"`
	Level     int          `json:"level,omitempty"` // default 1
	Password  string       `json:"password"`
}

// updateUserRequest changes only the fields it carries.
type updateUserRequest struct {
	Version   int           `json:"version,omitempty"` // 0 skips the check
	Name      *string       `json:"name,omitempty"`
	Email     *string       `json:"email,omitempty"`
	Role      *tickets.Role `json:"role,omitempty"`
	Language  *string       `json:"language,omitempty"`
	Extension *string       `json:"extension,omitempty"`
	Skills    *[]string     `json:"skills,omitempty"`
	Level     *int          `json:"level,omitempty"`
	Disabled  *bool         `json:"disabled,omitempty"`
	Password  *string       `json:"password,omitempty"` // a reset by the admin
	// KeepTokens keeps the user's API tokens through a password reset;
	// by default a reset ends them with every session.
	KeepTokens bool `json:"keep_tokens,omitempty"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// checkUser validates the fields of u an admin may set.
func checkUser(u *tickets.User) error {
	switch {
	case !u.Role.Valid():
		return tickets.Errorf(tickets.EINVALID, "role %q is not agent, technician, supervisor, network or admin", clip(string(u.Role)))
	case u.Language != "es" && u.Language != "en":
		return tickets.Errorf(tickets.EINVALID, "language must be es or en")
	case u.Level < 1 || u.Level > 4:
		return tickets.Errorf(tickets.EINVALID, "level must be between 1 and 4")
	case len(u.Name) > 200 || len(u.Email) > 200:
		return tickets.Errorf(tickets.EINVALID, "name and email are at most 200 characters")
	case len(u.Skills) > 100:
		return tickets.Errorf(tickets.EINVALID, "at most 100 skills")
	}
	for _, c := range u.Extension {
		if c < '0' || c > '9' {
			return tickets.Errorf(tickets.EINVALID, "extension must be digits only")
		}
	}
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ *caller) error {
	us, err := s.store.ListUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(us))
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var req createUserRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	u := &tickets.User{Username: strings.TrimSpace(req.Username), Name: strings.TrimSpace(req.Name),
		Email: strings.TrimSpace(req.Email), Role: req.Role, Language: req.Language,
		Extension: req.Extension, Skills: req.Skills, Level: req.Level, CreatedAt: s.now()}
	if u.Language == "" {
		u.Language = "es"
	}
	if u.Level == 0 {
		u.Level = 1
	}
	if !usernameRE.MatchString(u.Username) {
		return tickets.Errorf(tickets.EINVALID, "username must be 1-64 lower-case letters, digits, '.', '_' or '-'")
	}
	if err := checkUser(u); err != nil {
		return err
	}
	if _, err := s.store.User(r.Context(), u.Username); err == nil {
		return tickets.Errorf(tickets.ECONFLICT, "user %q already exists", u.Username)
	} else if tickets.ErrorCode(err) != tickets.ENOTFOUND {
		return err
	}
	var err error
	if u.PasswordHash, err = tickets.HashPassword(req.Password); err != nil {
		return err
	}
	if err := s.store.CreateUser(r.Context(), u); err != nil {
		return err
	}
	s.syncAgent(r.Context(), u)
	w.Header().Set("Location", API+"/users/"+u.Username)
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req updateUserRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	name := r.PathValue("username")
	u, err := s.store.User(r.Context(), name)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return tickets.Errorf(tickets.ENOTFOUND, "user %q not found", clip(name))
	} else if err != nil {
		return err
	}
	if req.Version != 0 && req.Version != u.Version {
		return tickets.Errorf(tickets.ECONFLICT, "user %s was changed by someone else; reload it", u.Username)
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&u.Name, req.Name)
	set(&u.Email, req.Email)
	set(&u.Language, req.Language)
	set(&u.Extension, req.Extension)
	if req.Role != nil {
		u.Role = *req.Role
	}
	if req.Skills != nil {
		u.Skills = *req.Skills
	}
	if req.Level != nil {
		u.Level = *req.Level
	}
	disabling := req.Disabled != nil && *req.Disabled && !u.Disabled
	if req.Disabled != nil {
		u.Disabled = *req.Disabled
	}
	if err := checkUser(u); err != nil {
		return err
	}
	// An admin cannot lock themselves out.
	if u.Username == c.User.Username && (u.Disabled || u.Role != tickets.RoleAdmin) {
		return tickets.Errorf(tickets.EINVALID, "you cannot disable yourself or give up your own admin role")
	}
	if req.Password != nil {
		if u.PasswordHash, err = tickets.HashPassword(*req.Password); err != nil {
			return err
		}
	}
	if req.Version != 0 {
		u.Version = req.Version
	}
	if err := s.store.UpdateUser(r.Context(), u); err != nil {
		return err
	}
	// A reset or disabling ends every session and websocket of the user,
	// and their API tokens unless a reset keeps them.
	if req.Password != nil || disabling {
		if err := s.store.EndSessions(r.Context(), u.Username, disabling || !req.KeepTokens); err != nil {
			return err
		}
	}
	s.syncAgent(r.Context(), u)
	writeJSON(w, http.StatusOK, u)
	return nil
}

// AgentSyncer (Deps.AgentSync) brings one agent of the desk in line with the
// user record: added (logged out) when the user has an extension, its
// extension and skills updated, logged out when disabled or left with no
// extension.
type AgentSyncer interface {
	SyncAgent(ctx context.Context, username string) error
}

// syncAgent tells the desk about a user just created or changed: the
// desk's SetAgentState first brings its agent in line with the user record,
// so logging the agent out adds a new agent (logged out, like the agents
// at start) and stops a disabled one from being offered calls (one on a
// call is logged out when it ends). A user who is no agent is left alone.
// A desk that can resync an agent from the user record (Deps.AgentSync)
// does that instead, for every change: a new extension, new skills or
// re-enabling reach it at once, and the agent's state is left alone.
func (s *Server) syncAgent(ctx context.Context, u *tickets.User) {
	if s.agents == nil {
		return
	}
	var err error
	if s.agSync != nil {
		err = s.agSync.SyncAgent(ctx, u.Username)
	} else if u.Extension != "" || u.Disabled {
		err = s.agents.SetAgentState(ctx, u.Username, "logged_out", "")
	}
	if err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND {
		s.log.WarnContext(ctx, "user changed: agent desk not updated", "username", u.Username, "error", err)
	}
}

// EnsureAdmin creates an admin user with this name and password unless a
// user with that name exists (whose role and password are then left alone).
func EnsureAdmin(ctx context.Context, store tickets.Store, username, password string) error {
	if !usernameRE.MatchString(username) {
		return tickets.Errorf(tickets.EINVALID, "admin username %q is not valid", username)
	}
	if _, err := store.User(ctx, username); err == nil {
		return nil
	} else if tickets.ErrorCode(err) != tickets.ENOTFOUND {
		return err
	}
	hash, err := tickets.HashPassword(password)
	if err != nil {
		return err
	}
	return store.CreateUser(ctx, &tickets.User{Username: username, Role: tickets.RoleAdmin,
		Language: "es", Level: 4, PasswordHash: hash})
}
