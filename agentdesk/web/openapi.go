package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/atiende/atiende/tickets"
)

// OpenAPI builds the OpenAPI 3.0 document of the API from the route table,
// with schemas reflected from the Go types the handlers decode and encode.
func (s *Server) OpenAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	g.schema(reflect.TypeOf(errorBody{}))
	paths := map[string]any{}
	for _, rt := range s.routes {
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = g.operation(rt)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Atiende API",
			"version":     "1",
			"description": "The help desk's JSON API. Errors are {\"error\":{\"code\",\"message\"}}. Browser sessions send X-CSRF-Token on every state-changing request; API tokens (Authorization: Bearer) are exempt.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.defs,
			"responses": map[string]any{
				"Error": map[string]any{
					"description": "An error",
					"content":     map[string]any{"application/json": map[string]any{"schema": ref("Error")}},
				},
			},
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
				"token":   map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
	}
}

func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	writeJSON(w, http.StatusOK, s.OpenAPI())
	return nil
}

var pathParamRE = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)\}`)

func (g *schemaGen) operation(rt route) map[string]any {
	op := map[string]any{
		"summary":     rt.Summary,
		"operationId": operationID(rt),
		"tags":        []string{rt.Tag},
	}
	var params []any
	for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, p := range rt.Query {
		sch := map[string]any{"type": p.Type}
		if p.Repeat {
			sch = map[string]any{"type": "array", "items": map[string]any{"type": p.Type}}
		}
		q := map[string]any{"name": p.Name, "in": "query", "required": p.Required, "schema": sch}
		if p.Description != "" {
			q["description"] = p.Description
		}
		params = append(params, q)
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.Body != nil {
		mt := rt.BodyType
		if mt == "" {
			mt = "application/json"
		}
		op["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{mt: map[string]any{"schema": g.schema(reflect.TypeOf(rt.Body))}}}
	}
	ok := map[string]any{"description": http.StatusText(rt.Status)}
	if rt.Resp != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Resp))}}
	}
	errResp := map[string]any{"$ref": "#/components/responses/Error"}
	op["responses"] = map[string]any{itoa(rt.Status): ok, "4XX": errResp, "5XX": errResp}
	if rt.Public {
		op["security"] = []any{}
	} else {
		op["security"] = []any{map[string]any{"session": []string{}}, map[string]any{"token": []string{}}}
		roles := make([]string, len(rt.Roles))
		for i, r := range rt.Roles {
			roles[i] = string(r)
		}
		op["x-roles"] = roles
		op["description"] = "Roles: " + strings.Join(roles, ", ") + "."
	}
	return op
}

func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.FieldsFunc(rt.Path, func(r rune) bool { return r == '/' || r == '.' || r == '{' || r == '}' }) {
		if part == "api" || part == "v1" {
			continue
		}
		b.WriteString(exportName(part))
	}
	return b.String()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// schemaGen reflects Go types into OpenAPI schemas; named structs become
// components.
type schemaGen struct{ defs map[string]any }

var (
	timeType = reflect.TypeOf(time.Time{})
	// enums lists the values of the string types that have a fixed set.
	enums = map[reflect.Type][]string{
		reflect.TypeOf(tickets.State("")):   strs(tickets.States),
		reflect.TypeOf(tickets.Kind("")):    strs(tickets.Kinds),
		reflect.TypeOf(tickets.Role("")):    strs(tickets.Roles),
		reflect.TypeOf(tickets.Level3("")):  {"low", "medium", "high"},
		reflect.TypeOf(tickets.Channel("")): {"phone", "web", "email"},
	}
	// names renames types whose Go name is not the schema name.
	names = map[reflect.Type]string{
		reflect.TypeOf(errorBody{}):   "Error",
		reflect.TypeOf(errorDetail{}): "ErrorDetail",
	}
)

func strs[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = string(x)
	}
	return out
}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		return g.schema(t.Elem())
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if e, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": e}
	}
	if t == reflect.TypeOf(tickets.Priority(0)) {
		return map[string]any{"type": "integer", "minimum": 1, "maximum": 4, "description": "P1 (most urgent) to P4"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		name := names[t]
		if name == "" {
			name = exportName(t.Name())
		}
		if name == "" {
			return g.object(t)
		}
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder: breaks recursion
			g.defs[name] = g.object(t)
		}
		return ref(name)
	}
	return map[string]any{} // any value
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		sch := g.schema(f.Type)
		if f.Type.Kind() == reflect.Pointer {
			if _, isRef := sch["$ref"]; !isRef {
				sch["nullable"] = true
			}
		}
		props[name] = sch
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
			required = append(required, name)
		}
	}
	o := map[string]any{"type": "object", "properties": props}
	if required != nil {
		o["required"] = required
	}
	return o
}

func exportName(s string) string {
	if s == "" {
		return ""
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
