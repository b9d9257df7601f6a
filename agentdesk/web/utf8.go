package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// checkUTF8 refuses a request whose path values or query parameters are not
// valid UTF-8, naming the parameter. PostgreSQL refuses such text (SQLSTATE
// 22021), so without this check it surfaced as a 500. It runs for every
// route, before the handler reads anything.
func checkUTF8(rt route, r *http.Request) error {
	for _, name := range pathParams(rt.Path) {
		if !utf8.ValidString(r.PathValue(name)) {
			return badRequest("path parameter %s is not valid UTF-8", name)
		}
	}
	if r.URL.RawQuery == "" {
		return nil
	}
	// Pairs ParseQuery cannot decode are dropped by r.URL.Query() too, so
	// only what a handler could read is checked.
	q, _ := url.ParseQuery(r.URL.RawQuery)
	for name, vs := range q {
		if !utf8.ValidString(name) {
			return badRequest("a query parameter name is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return badRequest("query parameter %s is not valid UTF-8", name)
			}
		}
	}
	return nil
}

// pathParams lists the {wildcards} of a route pattern path.
func pathParams(p string) []string {
	var out []string
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(strings.TrimSuffix(seg[1:len(seg)-1], "..."), "$"))
		}
	}
	return out
}
