package static_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub"
)

// fakeDesk numbers events like the ACD and answers the hub's snapshots.
type fakeDesk struct {
	mu     sync.Mutex
	seq    uint64
	h      *hub.Hub
	agents map[string]agentdesk.Agent
	calls  []agentdesk.WaitingCall // queue "soporte", in order
}

func (d *fakeDesk) Snapshot() agentdesk.Snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := agentdesk.Snapshot{At: time.Now(), Seq: d.seq,
		Queues: []agentdesk.QueueSnapshot{{Name: "soporte", Waiting: len(d.calls), Calls: append([]agentdesk.WaitingCall{}, d.calls...),
			Stats: agentdesk.QueueStats{Answered: 8, AnsweredInSL: 6, Abandoned: 2, TotalAnswerWait: 80 * time.Second}}}}
	for _, a := range d.agents {
		s.Agents = append(s.Agents, a)
	}
	return s
}

func (d *fakeDesk) publish(e agentdesk.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	e.Seq, e.At = d.seq, time.Now()
	// Keep the snapshot consistent with the events, as the ACD does: the
	// hub sends supervisors a fresh snapshot every RefreshInterval.
	switch e.Kind {
	case agentdesk.CallQueued:
		d.calls = append(d.calls, agentdesk.WaitingCall{CallID: e.CallID, Queue: e.Queue, CallerName: e.CallerName, EnteredQueueAt: e.EnteredQueueAt})
	case agentdesk.CallAnswered, agentdesk.CallAbandoned, agentdesk.CallEnded:
		d.calls = slices.DeleteFunc(d.calls, func(c agentdesk.WaitingCall) bool { return c.CallID == e.CallID })
	}
	switch e.Kind {
	case agentdesk.AgentStateChanged:
		a := d.agents[e.Agent]
		a.State, a.PauseReason, a.StateSince = e.State, e.PauseReason, e.At
		a.InternalCall = e.InternalCall
		d.agents[e.Agent] = a
	case agentdesk.AgentInternalCall:
		a := d.agents[e.Agent]
		a.InternalCall = e.InternalCall
		d.agents[e.Agent] = a
	}
	d.h.Publish(e)
}

// users of the fake session; the cookie "test_user" names the user.
var users = map[string]map[string]any{
	"ana": {"username": "ana", "name": "Ana López", "role": "agent", "language": "es", "extension": "1001"},
	"sup": {"username": "sup", "name": "Sara Supervisora", "role": "supervisor", "language": "es"},
	"net": {"username": "net", "name": "Nico Redes", "role": "network", "language": "en"},
}

const csrfToken = "csrf-test-token"

func userOf(r *http.Request) map[string]any {
	c, err := r.Cookie("test_user")
	if err != nil {
		return nil
	}
	return users[c.Value]
}

func principalOf(r *http.Request) (hub.Principal, error) {
	u := userOf(r)
	if u == nil {
		return hub.Principal{}, http.ErrNoCookie
	}
	ext, _ := u["extension"].(string)
	return hub.Principal{Username: u["username"].(string), Role: u["role"].(string), Extension: ext, Lang: u["language"].(string)}, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// hostile is what a caller or phone can put in a display name.
const hostile = `<img src=x onerror=alert(1)>`

var ticket = map[string]any{
	"number": "20260001", "kind": "incident", "service": "internet_failure", "impact": "medium", "urgency": "medium",
	"priority": 3, "level": 1, "state": "registered", "channel": "phone", "version": 1,
	"caller":  map[string]any{"name": "", "department": "", "email": "", "phone": "+525512345678"},
	"subject": "<b>sin internet</b>", "description": "<script>alert(2)</script>", "created_at": time.Now().Format(time.RFC3339),
}

// fakeAPI answers the few /api/v1 calls the pages make.
func fakeAPI(d *fakeDesk, stateCalls *[]string, mu *sync.Mutex) http.Handler {
	mux := http.NewServeMux()
	tk := maps.Clone(ticket)
	var history, notes []map[string]any
	current := func() map[string]any { mu.Lock(); defer mu.Unlock(); return maps.Clone(tk) }
	mux.HandleFunc("POST /api/v1/tickets/{number}/transition", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			To, Reason string
			Version    int
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Header.Get("X-CSRF-Token") != csrfToken:
			apiError(w, 403, "forbidden", "missing or invalid CSRF token")
		case req.Version != tk["version"]:
			apiError(w, 409, "conflict", "reload the ticket")
		case req.To != "in_progress" && strings.TrimSpace(req.Reason) == "":
			apiError(w, 422, "invalid", "a reason is required")
		default:
			history = append(history, map[string]any{"at": time.Now(), "actor": "ana", "field": "state",
				"from": tk["state"], "to": req.To, "reason": req.Reason})
			tk["state"], tk["version"] = req.To, tk["version"].(int)+1
			writeJSON(w, 200, tk)
		}
	})
	// PATCH changes the assignee or the subject, as someone else (or
	// Atiende) would while the console shows the ticket.
	mux.HandleFunc("PATCH /api/v1/tickets/{number}", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Version           int
			Assignee, Subject *string
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Header.Get("X-CSRF-Token") != csrfToken:
			apiError(w, 403, "forbidden", "missing or invalid CSRF token")
		case req.Version != tk["version"]:
			apiError(w, 409, "conflict", "reload the ticket")
		default:
			if req.Assignee != nil {
				tk["assignee"] = *req.Assignee
			}
			if req.Subject != nil {
				tk["subject"] = *req.Subject
			}
			tk["version"] = tk["version"].(int) + 1
			writeJSON(w, 200, tk)
		}
	})
	mux.HandleFunc("GET /api/v1/tickets/{number}/history", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		writeJSON(w, 200, append([]map[string]any{}, history...))
	})
	mux.HandleFunc("GET /api/v1/tickets/{number}/notes", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		writeJSON(w, 200, append([]map[string]any{}, notes...))
	})
	mux.HandleFunc("POST /api/v1/tickets/{number}/notes", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Body     string
			Internal bool
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		n := map[string]any{"id": 1, "author": "ana", "body": req.Body, "internal": req.Internal, "created_at": time.Now()}
		mu.Lock()
		notes = append(notes, n)
		mu.Unlock()
		writeJSON(w, 201, n)
	})
	mux.HandleFunc("POST /api/v1/login", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Username, Password string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		u := users[req.Username]
		if u == nil || req.Password == "" {
			apiError(w, 401, "unauthorized", "invalid username or password")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "test_user", Value: req.Username, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		writeJSON(w, 200, map[string]any{"user": u, "csrf_token": csrfToken})
	})
	mux.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		if u == nil {
			apiError(w, 401, "unauthorized", "log in")
			return
		}
		writeJSON(w, 200, map[string]any{"user": u, "csrf_token": csrfToken})
	})
	mux.HandleFunc("POST /api/v1/agents/{username}/state", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-CSRF-Token") != csrfToken || userOf(r) == nil {
			apiError(w, 403, "forbidden", "missing or invalid CSRF token")
			return
		}
		var req struct{ State, Reason, Extension string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		call := r.PathValue("username") + ":" + req.State + ":" + req.Reason
		if req.Extension != "" {
			call += ":ext=" + req.Extension
		}
		*stateCalls = append(*stateCalls, call)
		mu.Unlock()
		d.publish(agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: r.PathValue("username"),
			State: agentdesk.AgentState(req.State), PauseReason: req.Reason, Extension: req.Extension})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /api/v1/tickets/{number}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("number") != ticket["number"] {
			apiError(w, 404, "not_found", "ticket not found")
			return
		}
		writeJSON(w, 200, current())
	})
	mux.HandleFunc("GET /api/v1/tickets", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		items := []map[string]any{}
		switch {
		case q.Get("caller_phone") != "":
			items = append(items, current(), map[string]any{"number": "20250077", "state": "in_progress", "priority": 2, "level": 2,
				"subject": "<i>impresora</i>", "created_at": "2025-11-02T10:00:00Z"})
		case q.Get("service") != "":
			items = append(items, map[string]any{"number": "20260000", "state": "in_progress", "priority": 1, "level": 3,
				"major_incident": true, "subject": "Caída del enlace principal", "created_at": "2026-11-23T08:00:00Z"})
		}
		writeJSON(w, 200, map[string]any{"items": items, "total": len(items)})
	})
	mux.HandleFunc("GET /api/v1/contacts/lookup", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, 404, "not_found", "no contact with that number")
	})
	mux.HandleFunc("GET /api/v1/catalog", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"services": []map[string]any{{
			"code": "internet_failure", "group": "redes", "default_kind": "incident", "level": 1,
			"name":      map[string]string{"es": "Falla de conexión a internet", "en": "Internet connection failure"},
			"checklist": map[string][]string{"es": {"Recibir reporte", "Revisión física de la conexión", "Revisión lógica del servicio"}, "en": {"Receive report", "Physical check", "Logical check"}},
		}}})
	})
	deskFakeAPI(mux) // deskfake_test.go: ticket stats, users, agents, maintenance
	// wallboard_day_browser_test.go: the day's history, 404 unless a test sets it.
	mux.HandleFunc("GET /api/v1/wallboard/day", fakeWallboardDay)
	mux.HandleFunc("GET /api/v1/reports/weekly", fakeWeeklyReport)
	mux.HandleFunc("GET /api/v1/reports/weekly.csv", fakeWeeklyReportCSV)
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, 404, "not_found", "no such endpoint in the fake: "+r.Method+" "+strings.TrimPrefix(r.URL.Path, "/api/v1"))
	})
	return mux
}

// secure sets the headers the real server sets, so a page that breaks the
// CSP fails here too.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
