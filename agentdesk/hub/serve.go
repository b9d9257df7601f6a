package hub

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// ServeHTTP upgrades GET /ws?since=<seq> to a websocket. In order: the
// Origin must be the request's own host or an allowed origin (403), the
// session must authenticate (401), the hub must have room (503). since is
// the last Seq the page saw; 0 or absent asks for a snapshot.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !h.originAllowed(r) {
		http.Error(w, "cross-origin websocket refused", http.StatusForbidden)
		return
	}
	authAt := time.Now()
	p, err := h.d.Authenticate(r)
	if err != nil || p.Username == "" {
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	var since uint64
	if v := r.URL.Query().Get("since"); v != "" {
		if since, err = strconv.ParseUint(v, 10, 64); err != nil {
			http.Error(w, "since must be an event sequence number", http.StatusBadRequest)
			return
		}
	}
	if h.Clients() >= h.cfg.MaxClients {
		http.Error(w, "too many connections", http.StatusServiceUnavailable)
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := &client{h: h, conn: conn, p: p, view: viewOf(p.Role),
		send: make(chan *websocket.PreparedMessage, h.cfg.SendBuffer), done: make(chan struct{})}
	reg := &registration{c: c, since: since, authAt: authAt, ok: make(chan bool, 1)}
	select {
	case h.reg <- reg:
		<-reg.ok
	case <-h.done:
		_ = conn.Close()
		return
	}
	go c.writePump()
	if c.view.extensions() && h.d.Extensions != nil {
		h.sendExtensions(r.Context(), c)
	}
	c.readPump()
}

// sendExtensions gives a new network or supervisor page every extension.
// A change published meanwhile may arrive first; pages keep the newest
// status per extension by its Since.
func (h *Hub) sendExtensions(ctx context.Context, c *client) {
	ctx, cancel := context.WithTimeout(ctx, extensionsTimeout)
	defer cancel()
	list, err := h.d.Extensions(ctx)
	if err != nil {
		h.log.Warn("hub: list extensions", "error", err)
		return
	}
	select {
	case c.send <- prepare(Message{Type: TypeExtensions, Extensions: list}):
	default:
	}
}

// originAllowed accepts no Origin (not a browser: the session still has to
// authenticate), the request's own host, or an allowed origin.
func (h *Hub) originAllowed(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	if h.origins[trimOrigin(o)] {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

func trimOrigin(o string) string { return strings.ToLower(strings.TrimRight(o, "/")) }
