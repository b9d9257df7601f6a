package web

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "atiende_session"

// Authenticate returns the user behind r's session cookie or bearer token,
// so that other handlers mounted beside the API (the websocket hub) share
// its authentication. The error carries EUNAUTHORIZED when nobody is.
func (s *Server) Authenticate(r *http.Request) (*tickets.User, error) {
	c, err := s.authenticate(r)
	if err != nil {
		return nil, err
	}
	return c.User, nil
}

func (s *Server) authenticate(r *http.Request) (*caller, error) {
	ctx := r.Context()
	now := s.now()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return nil, tickets.Errorf(tickets.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\"")
		}
		t, err := s.store.TokenByHash(ctx, tickets.HashToken(strings.TrimSpace(tok)))
		if tickets.ErrorCode(err) == tickets.ENOTFOUND || (err == nil && t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
			return nil, tickets.Errorf(tickets.EUNAUTHORIZED, "invalid or expired API token")
		} else if err != nil {
			return nil, err
		}
		u, err := s.activeUser(ctx, t.Username)
		if err != nil {
			return nil, err
		}
		return &caller{User: u}, nil
	}
	ck, err := r.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return nil, tickets.Errorf(tickets.EUNAUTHORIZED, "authentication required: log in or send an API token")
	}
	sess, err := s.store.SessionByHash(ctx, tickets.HashToken(ck.Value))
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return nil, tickets.Errorf(tickets.EUNAUTHORIZED, "your session has ended; log in again")
	} else if err != nil {
		return nil, err
	}
	if !now.Before(sess.ExpiresAt) {
		_ = s.store.DeleteSession(ctx, sess.Hash)
		return nil, tickets.Errorf(tickets.EUNAUTHORIZED, "your session has expired; log in again")
	}
	u, err := s.activeUser(ctx, sess.Username)
	if err != nil {
		return nil, err
	}
	return &caller{User: u, Session: sess}, nil
}

// activeUser loads a user for a request; disabling a user ends their
// sessions and tokens at once because this runs on every request.
func (s *Server) activeUser(ctx context.Context, username string) (*tickets.User, error) {
	u, err := s.store.User(ctx, username)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND || (err == nil && u.Disabled) {
		return nil, tickets.Errorf(tickets.EUNAUTHORIZED, "this account is disabled or no longer exists")
	}
	return u, err
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	User      *tickets.User `json:"user"`
	CSRFToken string        `json:"csrf_token"`
	ExpiresAt time.Time     `json:"expires_at"`
}

// meResponse is the current user, and the CSRF token when the caller uses a
// session (so a reloaded page can recover it).
type meResponse struct {
	User      *tickets.User `json:"user"`
	CSRFToken string        `json:"csrf_token,omitempty"`
}

var errBadLogin = tickets.Errorf(tickets.EUNAUTHORIZED, "invalid username or password")

func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var req loginRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	ctx, now := r.Context(), s.now()
	// The attempt is taken in before anything else, and counts as a
	// failure until the password proves right: parallel guesses cannot
	// get more passwords checked than the limits allow.
	account := strings.ToLower(strings.TrimSpace(req.Username))
	if len(account) > 65 {
		account = account[:65] // longer names are no account; bound the key
	}
	source := s.clientIP(r)
	pairKey := "pair:" + source + " " + account
	res, wait := s.throttle.reserve(now,
		limit{pairKey, s.cfg.LoginAttempts},
		limit{"user:" + account, s.cfg.LoginAccountAttempts},
		limit{"ip:" + source, s.cfg.LoginSourceAttempts})
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return &httpError{status: http.StatusTooManyRequests, code: codeRateLimited,
			message: "too many failed logins; try again in " + strconv.Itoa(secs) + " seconds",
			extra:   map[string]any{"retry_after": secs}}
	}
	counted := false // the attempt stays counted: a wrong password
	defer func() {
		if !counted {
			s.throttle.release(res)
		}
	}()
	var u *tickets.User
	if name := strings.TrimSpace(req.Username); name != "" && len(name) <= 64 {
		var err error
		u, err = s.store.User(ctx, name)
		if err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND {
			return err
		}
	}
	// Password hashing is memory-hard: bound how many run at once.
	select {
	case s.hashSem <- struct{}{}:
		defer func() { <-s.hashSem }()
	case <-ctx.Done():
		return tickets.Errorf(tickets.EUNAVAILABLE, "login cancelled")
	}
	// Unknown users are checked against a dummy hash so that they cost as
	// much time as a wrong password and answer the same.
	pwHash := s.dummyHash()
	if u != nil {
		pwHash = u.PasswordHash
	}
	ok, err := s.checkPassword(pwHash, req.Password)
	if err != nil {
		return err
	}
	if u == nil || u.Disabled || !ok || req.Password == "" {
		counted = true
		s.log.WarnContext(ctx, "login failed", "username", clip(req.Username), "ip", source)
		return errBadLogin
	}
	s.throttle.reset(pairKey)
	// A login always makes a new session: an old cookie is discarded.
	if old, err := r.Cookie(SessionCookie); err == nil && old.Value != "" {
		_ = s.store.DeleteSession(ctx, tickets.HashToken(old.Value))
	}
	clear, hash := tickets.NewToken()
	csrf, _ := tickets.NewToken()
	sess := &tickets.Session{Hash: hash, Username: u.Username, CSRFToken: csrf,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: clear, Path: "/", Expires: sess.ExpiresAt,
		MaxAge: int(s.cfg.SessionTTL / time.Second), HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusOK, loginResponse{User: u, CSRFToken: csrf, ExpiresAt: sess.ExpiresAt})
	return nil
}

// logout ends every session of the user, not only this browser's, and so
// every websocket they have open, in this process and any other on the
// same database. API tokens are left alone: they belong to programs.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *caller) error {
	if c.Session != nil {
		if err := s.store.EndSessions(r.Context(), c.User.Username, false); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, c *caller) error {
	resp := meResponse{User: c.User}
	if c.Session != nil {
		resp.CSRFToken = c.Session.CSRFToken
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

type tokenRequest struct {
	Name string `json:"name"`
	// ExpiresInDays: 0 means the token does not expire.
	ExpiresInDays int `json:"expires_in_days,omitempty"`
}

type tokenResponse struct {
	// Token is shown once; only its hash is kept.
	Token     string     `json:"token"`
	Name      string     `json:"name"`
	Username  string     `json:"username"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req tokenRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	req.Name = strings.TrimSpace(req.Name)
	switch {
	case req.Name == "" || len(req.Name) > 100:
		return tickets.Errorf(tickets.EINVALID, "name is required (at most 100 characters)")
	case req.ExpiresInDays < 0 || req.ExpiresInDays > 3650:
		return tickets.Errorf(tickets.EINVALID, "expires_in_days must be between 0 and 3650")
	}
	now := s.now()
	clear, hash := tickets.NewToken()
	t := &tickets.APIToken{Hash: hash, Username: c.User.Username, Name: req.Name, CreatedAt: now}
	if req.ExpiresInDays > 0 {
		exp := now.AddDate(0, 0, req.ExpiresInDays)
		t.ExpiresAt = &exp
	}
	if err := s.store.CreateToken(r.Context(), t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tokenResponse{Token: clear, Name: t.Name, Username: t.Username,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt})
	return nil
}

// clientIP is the client's address: the peer, or, when the peer is a
// trusted proxy, the nearest address in X-Forwarded-For that is not one of
// the trusted proxies (the left-hand entries are whatever the client
// wrote, so they are never taken past an untrusted hop).
func (s *Server) clientIP(r *http.Request) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := peer.Addr().Unmap()
	if !s.trusted(addr) {
		return addr.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := parseHop(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: the last trusted one is the client
		}
		addr = hop
		if !s.trusted(hop) {
			break
		}
	}
	return addr.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port.
func parseHop(h string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), nil
	}
	ap, err := netip.ParseAddrPort(h)
	return ap.Addr().Unmap(), err
}

// dummyHash is a valid password hash for no password anyone knows.
func (s *Server) dummyHash() string {
	s.dummyOnce.Do(func() {
		clear, _ := tickets.NewToken()
		s.dummy, _ = tickets.HashPassword(clear)
	})
	return s.dummy
}
