// Package aritest is a test ARI server that behaves as Asterisk 22.10.1 does
// in the recordings of ../shared/asterisk/transcripts: the same REST status
// codes and bodies, the same event sequences (StasisStart args, Dial without
// a final status on ring timeout, 500 Allocation failed without events, no
// replay after a websocket reconnect, ApplicationReplaced to the old
// socket). Every request is checked against Asterisk's ARI models
// (api-docs); what does not fit is recorded in Violations.
package aritest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// AsteriskID is the asterisk_id of every event.
const AsteriskID = "02:fc:00:00:00:01"

// Options configure a server.
type Options struct {
	App, User, Password string
	// APIDocs is the api-docs folder; default $ATIENDE_ARI_API_DOCS or
	// ../shared/asterisk/api-docs beside the repository.
	APIDocs string
	// PlayItem is how long each media item of a playlist plays (default 50 ms).
	PlayItem time.Duration
}

// Request is one REST request the server received.
type Request struct {
	Method, Path string
	Query        url.Values
	Status       int
}

// Server is the fake Asterisk.
type Server struct {
	tb   testing.TB
	opts Options
	api  *API
	hs   *httptest.Server
	up   websocket.Upgrader

	// URL is ARI's base URL (http://127.0.0.1:port/ari).
	URL string

	mu           sync.Mutex
	closed       bool
	down         bool // Asterisk unreachable: every connection is dropped
	owner        *wsConn
	conns        []*wsConn
	channels     map[string]*channel
	bridges      map[string]*bridge
	playbacks    map[string]*playback
	endpoints    map[string]*endpoint
	subscribed   bool            // app subscribed to endpoint:PJSIP
	subscribedEP map[string]bool // app subscribed to endpoint:PJSIP/<resource>
	// allowed and disallowed are the app's event filter (eventFilter):
	// an empty allowed list allows every type.
	allowed, disallowed []string
	seq                 int
	requests            []Request
	violations          []string
	sent                []string // event types delivered, "type channelID"
	missing             map[string]bool
	wsOpens             int
}

type wsConn struct {
	c    *websocket.Conn
	wmu  sync.Mutex
	gone bool
}

// DefaultAPIDocs finds Asterisk's api-docs for this repository's tests.
func DefaultAPIDocs() string {
	if d := os.Getenv("ATIENDE_ARI_API_DOCS"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	// ivr/asterisk/aritest/server.go -> repo -> ../shared/asterisk/api-docs
	repo := filepath.Join(filepath.Dir(file), "..", "..", "..")
	return filepath.Join(repo, "..", "shared", "asterisk", "api-docs")
}

// New starts a server on 127.0.0.1:0; it is closed by tb.Cleanup, which
// also fails the test on any request that does not fit the ARI models. A
// missing api-docs folder skips the test.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.App == "" {
		opts.App = "atiende"
	}
	if opts.User == "" {
		opts.User, opts.Password = "atiende", "secret"
	}
	if opts.APIDocs == "" {
		opts.APIDocs = DefaultAPIDocs()
	}
	if opts.PlayItem <= 0 {
		opts.PlayItem = 50 * time.Millisecond
	}
	api, err := LoadAPI(opts.APIDocs)
	if err != nil {
		tb.Skipf("Asterisk ARI models not available (set ATIENDE_ARI_API_DOCS): %v", err)
	}
	s := &Server{
		tb: tb, opts: opts, api: api,
		channels:  map[string]*channel{},
		bridges:   map[string]*bridge{},
		playbacks: map[string]*playback{},
		endpoints: map[string]*endpoint{},
		missing:   map[string]bool{},
	}
	for _, r := range []string{"1001", "1002", "1003", "1004"} {
		s.endpoints[r] = &endpoint{resource: r, state: "offline"}
	}
	s.endpoints["trunk"] = &endpoint{resource: "trunk", state: "online"}
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("aritest: listen: %v", err)
	}
	s.hs.Listener = l
	s.hs.Start()
	s.URL = s.hs.URL + "/ari"
	tb.Cleanup(func() {
		s.Close()
		for _, v := range s.Violations() {
			tb.Errorf("ARI model violation: %s", v)
		}
	})
	return s
}

// Close stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := s.conns
	s.mu.Unlock()
	for _, c := range conns {
		c.c.Close()
	}
	s.hs.CloseClientConnections()
	s.hs.Close()
}

func (s *Server) authOK(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	if !ok {
		if k := r.URL.Query().Get("api_key"); k != "" {
			u, p, ok = strings.Cut(k, ":")
		}
	}
	return ok && u == s.opts.User && p == s.opts.Password
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/ari")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if !s.authOK(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
		writeJSON(w, 401, msg("Authentication required"))
		return
	}
	if path == "/events" {
		s.serveWS(w, r)
		return
	}
	q := r.URL.Query()
	q.Del("api_key")
	if r.Method == http.MethodPut && strings.HasSuffix(path, "/eventFilter") {
		s.eventFilter(w, r, path)
		return
	}
	s.mu.Lock()
	if v := s.api.Check(r.Method, path, q); len(v) > 0 {
		s.violations = append(s.violations, v...)
	}
	s.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	s.route(rec, r.Method, path, q)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Query: q, Status: rec.status})
	s.mu.Unlock()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	app := r.URL.Query().Get("app")
	if app == "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(400)
		fmt.Fprint(w, "<html><body><p>HTTP request is missing param: [app]</p></body></html>")
		return
	}
	c, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	wc := &wsConn{c: c}
	s.mu.Lock()
	old := s.owner
	s.owner = wc
	s.conns = append(s.conns, wc)
	s.wsOpens++
	s.mu.Unlock()
	if old != nil {
		// Asterisk tells the old socket and then sends it nothing more;
		// it does not close it.
		s.write(old, s.envelope("ApplicationReplaced", nil))
	}
	go func() {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				break
			}
		}
		c.Close()
		s.mu.Lock()
		wc.gone = true
		if s.owner == wc {
			s.owner = nil // "Deactivating Stasis app"
		}
		s.mu.Unlock()
	}()
}

// envelope builds an event as Asterisk sends it.
func (s *Server) envelope(typ string, fields map[string]any) map[string]any {
	ev := map[string]any{
		"type":        typ,
		"timestamp":   time.Now().UTC().Format("2006-01-02T15:04:05.000-0700"),
		"asterisk_id": AsteriskID,
		"application": s.opts.App,
	}
	for k, v := range fields {
		ev[k] = v
	}
	return ev
}

// emitLocked sends an event to the app's current websocket; with none, it
// is lost (Asterisk does not queue events for an inactive app). s.mu held.
func (s *Server) emitLocked(typ string, fields map[string]any) {
	ev := s.envelope(typ, fields)
	tag := typ
	for _, k := range []string{"channel", "peer", "playback", "endpoint"} {
		if o, ok := fields[k].(map[string]any); ok {
			if t, ok := o["target_uri"].(string); ok {
				tag += " " + strings.TrimPrefix(t, "channel:")
				break
			}
			if id, ok := o["id"].(string); ok {
				tag += " " + id
				break
			}
			if id, ok := o["resource"].(string); ok {
				tag += " " + id
				break
			}
		}
	}
	if (len(s.allowed) > 0 && !slices.Contains(s.allowed, typ)) || slices.Contains(s.disallowed, typ) {
		return // filtered out, as Asterisk's stasis_app_event_allowed does
	}
	s.sent = append(s.sent, tag)
	if s.owner == nil {
		return
	}
	s.write(s.owner, ev)
}

func (s *Server) write(c *wsConn, ev map[string]any) {
	b, _ := json.Marshal(ev)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	_ = c.c.WriteMessage(websocket.TextMessage, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if v == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func msg(m string) map[string]string { return map[string]string{"message": m} }
