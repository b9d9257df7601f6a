package web

import (
	"net/http"
	"net/http/pprof"
)

// Go's profiler (net/http/pprof) for admins: GET /debug/pprof/ lists the
// profiles, /debug/pprof/{name} serves one (heap, goroutine, allocs, block,
// mutex, threadcreate; profile?seconds=N for CPU, trace?seconds=N, cmdline,
// symbol). Off unless Config.Profiling: the routes do not exist then (404).
// A profile shows the process's internals, never a caller's data, but a
// CPU profile or trace also costs a little while it runs: admins only.

func (s *Server) pprofRoutes() []route {
	if !s.cfg.Profiling {
		return nil
	}
	return []route{
		{Method: "GET", Path: "/debug/pprof/", Roles: adminRoles, Tag: "debug",
			Summary: "List the Go runtime profiles", Status: 200, Handle: servePprof},
		{Method: "GET", Path: "/debug/pprof/{name}", Roles: adminRoles, Tag: "debug",
			Summary: "Get a Go runtime profile (pprof format)", Status: 200, Handle: servePprof},
	}
}

func servePprof(w http.ResponseWriter, r *http.Request, _ *caller) error {
	switch r.PathValue("name") {
	case "cmdline":
		pprof.Cmdline(w, r)
	case "profile":
		pprof.Profile(w, r)
	case "symbol":
		pprof.Symbol(w, r)
	case "trace":
		pprof.Trace(w, r)
	default: // the index, and the named profiles
		pprof.Index(w, r)
	}
	return nil
}
