package static_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/web"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/ticketstest"
)

// The page tests run against a hand-written fake API (fakeapi_test.go,
// deskfake_test.go, ...). It is held to the real API's OpenAPI document,
// built by the real server from its route table, so that it cannot drift:
// every route the fake serves must be documented with its method, and every
// JSON body it answers (in every page test, through checkFake) must have
// the documented shape: no field the real API does not send, no value of
// another type. A fake may leave fields out: pages must cope with what they
// do not read.

// fakeRoutes are the patterns the fake registered (through handle).
var fakeRoutes struct {
	mu   sync.Mutex
	list map[string]bool
}

// handle registers a route of the fake API.
func handle(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	fakeRoutes.mu.Lock()
	if fakeRoutes.list == nil {
		fakeRoutes.list = map[string]bool{}
	}
	fakeRoutes.list[pattern] = true
	fakeRoutes.mu.Unlock()
	mux.HandleFunc(pattern, h)
}

// openAPI is the real server's document, with every optional service
// present so that every route is in it. The services are never called: the
// document is built from the route table.
var openAPI = sync.OnceValues(func() (map[string]any, error) {
	store := &ticketstest.Store{}
	s, err := web.New(web.Config{}, web.Deps{Store: store, Catalog: tickets.NewLiveCatalog(tickets.DefaultCatalog()),
		Agents: struct{ web.AgentControl }{}, Wallboard: struct{ web.WallboardSource }{},
		Maintenance: struct{ web.MaintenanceDesk }{}, Extensions: struct{ web.ExtensionSource }{},
		Queues: struct{ web.QueueAdmin }{}, Surveys: &ticketstest.SurveyStats{},
		Reports: struct{ tickets.ReportStore }{}, TicketStats: struct{ web.TicketStatsStore }{}})
	if err != nil {
		return nil, err
	}
	// Through JSON, as a client reads it.
	raw, err := json.Marshal(s.OpenAPI())
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	return doc, json.Unmarshal(raw, &doc)
})

func mustOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	doc, err := openAPI()
	if err != nil {
		t.Fatalf("the real server's OpenAPI document: %v", err)
	}
	return doc
}

// operation finds the documented operation of method and path (a concrete
// path, or a fake's pattern path with {name} segments). A literal segment
// wins over a parameter, as in net/http: /tickets/stats is not
// /tickets/{number}.
func operation(doc map[string]any, method, path string) (map[string]any, bool) {
	paths, _ := doc["paths"].(map[string]any)
	var best map[string]any
	bestParams := -1
	for p, item := range paths {
		if p != path && !templateRE(p).MatchString(path) {
			continue
		}
		op, ok := item.(map[string]any)[strings.ToLower(method)].(map[string]any)
		n := strings.Count(p, "{")
		if p == path {
			n = 0
		}
		if ok && (bestParams < 0 || n < bestParams) {
			best, bestParams = op, n
		}
	}
	return best, best != nil
}

var templateCache sync.Map

func templateRE(p string) *regexp.Regexp {
	if re, ok := templateCache.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			parts[i] = `[^/]+`
		} else {
			parts[i] = regexp.QuoteMeta(s)
		}
	}
	re := regexp.MustCompile("^" + strings.Join(parts, "/") + "$")
	templateCache.Store(p, re)
	return re
}

// TestFakeRoutesAreDocumented: every route of the fake API is a route of
// the real one.
func TestFakeRoutesAreDocumented(t *testing.T) {
	doc := mustOpenAPI(t)
	fakeAPI(&fakeDesk{agents: nil}, new([]string), &sync.Mutex{}) // registers the routes
	fakeRoutes.mu.Lock()
	var patterns []string
	for p := range fakeRoutes.list {
		patterns = append(patterns, p)
	}
	fakeRoutes.mu.Unlock()
	sort.Strings(patterns)
	if len(patterns) < 10 {
		t.Fatalf("only %d fake routes registered: %v", len(patterns), patterns)
	}
	for _, p := range patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			continue // the catch-all 404
		}
		if _, ok := operation(doc, method, path); !ok {
			t.Errorf("the fake serves %s, which the real API does not document", p)
		}
	}
}

// checkFake checks every JSON answer of the fake against the document: a
// 2xx against the operation's documented response, anything else against
// the Error schema.
func checkFake(t *testing.T, h http.Handler) http.Handler {
	doc := mustOpenAPI(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		if err := conforms(doc, r.Method, r.URL.Path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()); err != nil {
			t.Errorf("fake API drifted from the OpenAPI document: %v", err)
		}
	})
}

// conforms checks one answer of the fake.
func conforms(doc map[string]any, method, path string, status int, ctype string, body []byte) error {
	if !strings.HasPrefix(ctype, "application/json") || len(bytes.TrimSpace(body)) == 0 {
		return nil // CSV, 204
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%s %s: not JSON: %v", method, path, err)
	}
	var schema any
	if status >= 200 && status < 300 {
		op, ok := operation(doc, method, path)
		if !ok {
			return fmt.Errorf("%s %s is not in the OpenAPI document", method, path)
		}
		resp, _ := op["responses"].(map[string]any)[fmt.Sprint(status)].(map[string]any)
		if resp == nil {
			return fmt.Errorf("%s %s answered %d, which is not its documented status", method, path, status)
		}
		schema = dig(resp, "content", "application/json", "schema")
		if schema == nil {
			return fmt.Errorf("%s %s: a body where the document has none", method, path)
		}
	} else {
		schema = map[string]any{"$ref": "#/components/schemas/Error"}
	}
	var errs []string
	matchSchema(doc, schema, v, "body", &errs)
	if len(errs) > 0 {
		return fmt.Errorf("%s %s (%d): %s", method, path, status, strings.Join(errs, "; "))
	}
	return nil
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// matchSchema checks v against the OpenAPI schema s (the subset the
// document uses: $ref, object with properties or additionalProperties,
// array, string with enum or date-time, integer, number, boolean,
// nullable). Required properties are not asked for (see above).
func matchSchema(doc map[string]any, s any, v any, at string, errs *[]string) {
	sch, _ := s.(map[string]any)
	if r, ok := sch["$ref"].(string); ok {
		name := strings.TrimPrefix(r, "#/components/schemas/")
		matchSchema(doc, dig(doc, "components", "schemas", name), v, at, errs)
		return
	}
	if v == nil {
		if sch["nullable"] != true && sch["type"] != nil && sch["type"] != "array" && sch["type"] != "object" {
			*errs = append(*errs, at+" is null")
		}
		return
	}
	bad := func(want string) { *errs = append(*errs, fmt.Sprintf("%s is %T %v, want %s", at, v, v, want)) }
	switch sch["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("an object")
			return
		}
		props, _ := sch["properties"].(map[string]any)
		extra := sch["additionalProperties"]
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		})
		for _, k := range keys {
			switch p, ok := props[k]; {
			case ok:
				matchSchema(doc, p, m[k], at+"."+k, errs)
			case extra != nil:
				matchSchema(doc, extra, m[k], at+"."+k, errs)
			default:
				*errs = append(*errs, fmt.Sprintf("%s.%s is not a field of the real API", at, k))
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			bad("an array")
			return
		}
		for i, x := range a {
			matchSchema(doc, sch["items"], x, fmt.Sprintf("%s[%d]", at, i), errs)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("a string")
			return
		}
		if e, ok := sch["enum"].([]any); ok && !slices.Contains(e, any(str)) {
			*errs = append(*errs, fmt.Sprintf("%s is %q, not one of %v", at, str, e))
		}
		if sch["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				*errs = append(*errs, fmt.Sprintf("%s is %q, not a date-time", at, str))
			}
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			bad("an integer")
		}
	case "number":
		if _, ok := v.(float64); !ok {
			bad("a number")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("a boolean")
		}
	}
}

// The checker itself: it must catch a renamed field, a value of another
// type and an undocumented route, and let a conforming answer pass.
func TestConformsCatchesDrift(t *testing.T) {
	doc := mustOpenAPI(t)
	me := `{"user":{"username":"ana","name":"Ana","role":"agent","language":"es"},"csrf_token":"x"}`
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		want                     string // "" conforms
	}{
		{"conforming", "GET", "/api/v1/me", me, 200, ""},
		{"renamed field", "GET", "/api/v1/me", strings.Replace(me, "csrf_token", "csrf", 1), 200, "body.csrf is not a field"},
		{"wrong type", "GET", "/api/v1/me", strings.Replace(me, `"role":"agent"`, `"role":3`, 1), 200, "body.user.role is float64"},
		{"enum", "GET", "/api/v1/me", strings.Replace(me, `"role":"agent"`, `"role":"boss"`, 1), 200, "not one of"},
		{"undocumented route", "GET", "/api/v1/nope", `{}`, 200, "not in the OpenAPI document"},
		{"error body", "GET", "/api/v1/nope", `{"error":{"code":"not_found","message":"x"}}`, 404, ""},
		{"bad error body", "GET", "/api/v1/nope", `{"message":"x"}`, 404, "body.message is not a field"},
		{"literal over parameter", "GET", "/api/v1/tickets/stats", `{"open":3,"number":"1"}`, 200, "body.number is not a field"},
		{"templated path", "GET", "/api/v1/tickets/20260001/history", `[{"at":"2026-03-02T10:00:00Z","field":"state","whom":"x"}]`, 200, "body[0].whom is not a field"},
	} {
		err := conforms(doc, c.method, c.path, c.status, "application/json", []byte(c.body))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
}

// TestFakeAnswersConform asks every GET route of the fake, as a supervisor
// and as an admin, and checks the answers: the shapes are held to the
// document even where no browser runs the page tests.
func TestFakeAnswersConform(t *testing.T) {
	doc := mustOpenAPI(t)
	var mu sync.Mutex
	api := fakeAPI(&fakeDesk{agents: nil}, new([]string), &mu)
	fakeRoutes.mu.Lock()
	var gets []string
	for p := range fakeRoutes.list {
		if path, ok := strings.CutPrefix(p, "GET "); ok {
			gets = append(gets, path)
		}
	}
	fakeRoutes.mu.Unlock()
	sort.Strings(gets)
	fill := strings.NewReplacer("{number}", "20260001", "{username}", "ana", "{id}", "1")
	checked := 0
	for _, path := range gets {
		for _, user := range []string{"sup", "adm"} {
			r := httptest.NewRequest("GET", fill.Replace(path), nil)
			r.AddCookie(&http.Cookie{Name: "test_user", Value: user})
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, r)
			if err := conforms(doc, "GET", r.URL.Path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()); err != nil {
				t.Errorf("as %s: %v", user, err)
			}
			checked++
		}
	}
	t.Logf("%d answers of %d GET routes checked", checked, len(gets))
}
