package aritest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// API is Asterisk's own ARI model (the Swagger 1.1 api-docs of the version
// the transcripts were recorded on), used to check every request.
type API struct {
	ops []operation
}

type operation struct {
	path   []string // "/channels/{channelId}/play" split on '/'
	method string
	name   string
	params []param
}

type param struct {
	Name            string `json:"name"`
	ParamType       string `json:"paramType"`
	Required        bool   `json:"required"`
	AllowMultiple   bool   `json:"allowMultiple"`
	DataType        string `json:"dataType"`
	AllowableValues *struct {
		ValueType string   `json:"valueType"`
		Values    []string `json:"values"`
		Min       *float64 `json:"min"`
		Max       *float64 `json:"max"`
	} `json:"allowableValues"`
}

// LoadAPI reads every resource file of dir (resources.json is the listing).
func LoadAPI(dir string) (*API, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("aritest: no api-docs in %s", dir)
	}
	a := &API{}
	for _, f := range files {
		if filepath.Base(f) == "resources.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var doc struct {
			APIs []struct {
				Path       string `json:"path"`
				Operations []struct {
					HTTPMethod string  `json:"httpMethod"`
					Nickname   string  `json:"nickname"`
					Parameters []param `json:"parameters"`
				} `json:"operations"`
			} `json:"apis"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("aritest: %s: %w", f, err)
		}
		for _, ap := range doc.APIs {
			for _, op := range ap.Operations {
				a.ops = append(a.ops, operation{
					path:   strings.Split(ap.Path, "/"),
					method: op.HTTPMethod,
					name:   op.Nickname,
					params: op.Parameters,
				})
			}
		}
	}
	return a, nil
}

// Known reports whether some operation has this path (any method).
func (a *API) Known(path string) bool {
	segs := strings.Split(path, "/")
	return slices.ContainsFunc(a.ops, func(o operation) bool { return matchPath(o.path, segs) })
}

// Check returns what is wrong with a request (path without the /ari prefix).
func (a *API) Check(method, path string, q url.Values) []string {
	segs := strings.Split(path, "/")
	var op *operation
	for i := range a.ops {
		if a.ops[i].method == method && matchPath(a.ops[i].path, segs) {
			op = &a.ops[i]
			break
		}
	}
	if op == nil {
		return []string{fmt.Sprintf("%s %s: no such operation in the ARI models", method, path)}
	}
	var bad []string
	add := func(f string, args ...any) {
		bad = append(bad, fmt.Sprintf("%s %s (%s): ", method, path, op.name)+fmt.Sprintf(f, args...))
	}
	known := map[string]param{}
	for _, p := range op.params {
		if p.ParamType != "query" {
			continue
		}
		known[p.Name] = p
		if p.Required && q.Get(p.Name) == "" {
			add("required query parameter %q missing", p.Name)
		}
	}
	for name, vals := range q {
		p, ok := known[name]
		if !ok {
			add("unknown query parameter %q", name)
			continue
		}
		if len(vals) > 1 {
			add("query parameter %q repeated %d times: ARI uses only the last one (send one comma-separated value)", name, len(vals))
		}
		for _, v := range vals {
			items := []string{v}
			if p.AllowMultiple {
				items = strings.Split(v, ",")
			}
			for _, it := range items {
				if msg := checkValue(p, it); msg != "" {
					add("parameter %q=%q: %s", name, it, msg)
				}
			}
		}
	}
	return bad
}

func checkValue(p param, v string) string {
	switch p.DataType {
	case "int", "long":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "not an integer"
		}
		if av := p.AllowableValues; av != nil && av.ValueType == "RANGE" {
			if (av.Min != nil && float64(n) < *av.Min) || (av.Max != nil && float64(n) > *av.Max) {
				return "out of range"
			}
		}
	case "double":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "not a number"
		}
	case "boolean":
		if v != "true" && v != "false" {
			return "not a boolean"
		}
	}
	if av := p.AllowableValues; av != nil && av.ValueType == "LIST" && !slices.Contains(av.Values, v) {
		return fmt.Sprintf("not one of %v", av.Values)
	}
	return ""
}

func matchPath(tmpl, segs []string) bool {
	if len(tmpl) != len(segs) {
		return false
	}
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if t != segs[i] {
			return false
		}
	}
	return true
}
