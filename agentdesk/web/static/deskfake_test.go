package static_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The fake API of the wallboard's ticket statistics and of the admin page
// (users, agents, maintenance), added to fakeAPI's mux by deskFakeAPI.

func init() {
	users["adm"] = map[string]any{"username": "adm", "name": "Adela Admin", "role": "admin", "language": "es"}
}

// hostileSubject is a ticket subject a caller typed.
const hostileSubject = `<img src=x onerror=alert(3)>`

// deskState is what the admin page changed, for the tests to check.
type deskState struct {
	mu      sync.Mutex
	created []map[string]any // POST /users bodies
	users   []map[string]any
	maint   []map[string]any
}

var desk = &deskState{}

func deskFakeAPI(mux *http.ServeMux) {
	roleIs := func(r *http.Request, roles ...string) bool {
		u := userOf(r)
		if u == nil {
			return false
		}
		for _, x := range roles {
			if u["role"] == x {
				return true
			}
		}
		return false
	}
	guard := func(w http.ResponseWriter, r *http.Request, roles ...string) bool {
		if !roleIs(r, roles...) {
			apiError(w, 403, "forbidden", "your role may not do this")
			return false
		}
		if r.Method != "GET" && r.Header.Get("X-CSRF-Token") != csrfToken {
			apiError(w, 403, "forbidden", "missing or invalid CSRF token")
			return false
		}
		return true
	}
	handle(mux, "GET /api/v1/tickets/stats", func(w http.ResponseWriter, r *http.Request) {
		if !guard(w, r, "supervisor", "admin") {
			return
		}
		now := time.Now().UTC()
		writeJSON(w, 200, map[string]any{
			"at": now, "open": 17,
			"by_state":    map[string]int{"registered": 5, "in_progress": 7, "pending_user": 3, "on_hold": 2},
			"by_priority": map[string]int{"1": 2, "2": 6, "3": 8, "4": 1},
			"by_level":    map[string]int{"1": 11, "2": 4, "3": 2, "4": 0},
			"counts":      []any{}, "near_fraction": 0.75,
			"past_total": 3, "near_total": 1,
			"past_sla": []map[string]any{
				{"number": "20260101", "subject": hostileSubject, "service": "internet_failure", "state": "in_progress", "priority": 1, "level": 2,
					"created_at": now.Add(-9 * time.Hour), "resolution_due": now.Add(-time.Hour), "elapsed": 1.125},
				{"number": "20260102", "subject": "Impresora sin tóner", "service": "printer", "state": "registered", "priority": 3, "level": 1,
					"created_at": now.Add(-30 * time.Hour), "resolution_due": now.Add(-20 * time.Minute), "elapsed": 1.01},
			},
			"near_sla": []map[string]any{
				{"number": "20260103", "subject": "Correo lento", "service": "email", "state": "registered", "priority": 2, "level": 1,
					"created_at": now.Add(-7 * time.Hour), "resolution_due": now.Add(time.Hour), "elapsed": 0.875},
			},
		})
	})
	handle(mux, "GET /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		if !guard(w, r, "admin") {
			return
		}
		desk.mu.Lock()
		defer desk.mu.Unlock()
		out := []map[string]any{
			{"id": 1, "username": "ana", "name": "Ana López", "email": "ana@example.org", "role": "agent", "language": "es",
				"extension": "1001", "skills": []string{"redes"}, "level": 1, "disabled": false, "version": 1},
			{"id": 2, "username": "adm", "name": "Adela Admin", "email": "", "role": "admin", "language": "es", "level": 1, "version": 1},
		}
		writeJSON(w, 200, append(out, desk.users...))
	})
	handle(mux, "POST /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		if !guard(w, r, "admin") {
			return
		}
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		pw, _ := req["password"].(string)
		if req["username"] == "" || len(pw) < 10 {
			apiError(w, 422, "invalid", "the password must have at least 10 characters")
			return
		}
		desk.mu.Lock()
		defer desk.mu.Unlock()
		desk.created = append(desk.created, req)
		u := map[string]any{"id": 10 + len(desk.users), "version": 1, "disabled": false}
		for k, v := range req {
			if k != "password" {
				u[k] = v
			}
		}
		desk.users = append(desk.users, u)
		writeJSON(w, 201, u)
	})
	handle(mux, "PUT /api/v1/users/{username}", func(w http.ResponseWriter, r *http.Request) {
		if !guard(w, r, "admin") {
			return
		}
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		writeJSON(w, 200, map[string]any{"username": r.PathValue("username"), "role": "agent", "version": 2})
	})
	handle(mux, "GET /api/v1/agents", func(w http.ResponseWriter, r *http.Request) {
		if !guard(w, r, "supervisor", "admin") {
			return
		}
		writeJSON(w, 200, []map[string]any{{"username": "ana", "name": "Ana López", "extension": "1001", "state": "available",
			"since": time.Now(), "queues": []string{"redes"}}})
	})
	handle(mux, "GET /api/v1/maintenance", func(w http.ResponseWriter, r *http.Request) {
		if !guard(w, r, "supervisor", "admin") {
			return
		}
		desk.mu.Lock()
		defer desk.mu.Unlock()
		writeJSON(w, 200, map[string]any{"items": append([]map[string]any{}, desk.maint...)})
	})
	handle(mux, "POST /api/v1/maintenance", func(w http.ResponseWriter, r *http.Request) {
		if !guard(w, r, "supervisor", "admin") {
			return
		}
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		desk.mu.Lock()
		defer desk.mu.Unlock()
		req["id"] = len(desk.maint) + 1
		req["created_by"] = userOf(r)["username"]
		req["cancelled"] = false
		desk.maint = append(desk.maint, req)
		writeJSON(w, 201, req)
	})
	handle(mux, "POST /api/v1/maintenance/{id}/cancel", func(w http.ResponseWriter, r *http.Request) {
		if !guard(w, r, "supervisor", "admin") {
			return
		}
		desk.mu.Lock()
		defer desk.mu.Unlock()
		for _, m := range desk.maint {
			if strconv.Itoa(m["id"].(int)) == r.PathValue("id") {
				m["cancelled"] = true
				writeJSON(w, 200, m)
				return
			}
		}
		apiError(w, 404, "not_found", "no such window")
	})
}
