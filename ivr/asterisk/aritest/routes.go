package aritest

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// route answers a REST request as Asterisk 22 does (see the status and
// body table in ../shared/asterisk/README.md).
func (s *Server) route(w http.ResponseWriter, method, path string, q url.Values) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(seg)
	switch {
	case seg[0] == "asterisk" && n == 2 && seg[1] == "ping":
		writeJSON(w, 200, map[string]any{"ping": "pong", "timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000-0700"), "asterisk_id": AsteriskID})
	case seg[0] == "asterisk" && n == 2 && seg[1] == "info":
		writeJSON(w, 200, map[string]any{"system": map[string]any{"version": "22.10.1", "entity_id": AsteriskID}})
	case seg[0] == "asterisk" && n == 6 && seg[1] == "config" && seg[2] == "dynamic" && seg[3] == "res_pjsip" && method == "GET":
		s.routeSorcery(w, seg[4], seg[5])
	case seg[0] == "channels":
		s.routeChannels(w, method, seg, q)
	case seg[0] == "bridges":
		s.routeBridges(w, method, seg, q)
	case seg[0] == "playbacks" && n == 2:
		p := s.playbacks[seg[1]]
		switch {
		case p == nil:
			writeJSON(w, 404, msg("Playback not found"))
		case method == "GET":
			writeJSON(w, 200, p.json())
		case method == "DELETE":
			s.finishPlaybackLocked(p, "done")
			writeJSON(w, 204, nil)
		}
	case seg[0] == "endpoints":
		s.routeEndpoints(w, seg)
	case seg[0] == "applications":
		s.routeApplications(w, method, seg, q)
	default:
		if s.api.Known(path) {
			s.violations = append(s.violations, method+" "+path+": not implemented by aritest")
			writeJSON(w, 501, msg("Not implemented by aritest"))
			return
		}
		writeJSON(w, 404, msg("Resource not found"))
	}
}

func (s *Server) routeEndpoints(w http.ResponseWriter, seg []string) {
	switch {
	case len(seg) >= 2 && seg[1] != "PJSIP":
		writeJSON(w, 404, msg("No Endpoints found - invalid tech "+seg[1]))
	case len(seg) == 3:
		ep := s.endpoints[seg[2]]
		if ep == nil {
			writeJSON(w, 404, msg("Endpoint not found"))
			return
		}
		writeJSON(w, 200, ep.json())
	default:
		list := []map[string]any{}
		for _, r := range sortedKeys(s.endpoints) {
			list = append(list, s.endpoints[r].json())
		}
		writeJSON(w, 200, list)
	}
}

func (s *Server) appJSON() map[string]any {
	chans, bridges := []string{}, []string{}
	for _, id := range sortedKeys(s.channels) {
		if c := s.channels[id]; c.inStasis || c.originated {
			chans = append(chans, id)
		}
	}
	for _, id := range sortedKeys(s.bridges) {
		bridges = append(bridges, id)
	}
	eps := []string{}
	if s.subscribed {
		eps = append(eps, "PJSIP")
	}
	for _, r := range sortedKeys(s.subscribedEP) {
		eps = append(eps, "PJSIP/"+r)
	}
	return map[string]any{"name": s.opts.App, "channel_ids": chans, "bridge_ids": bridges, "endpoint_ids": eps,
		"device_names": []string{}, "events_allowed": typeList(s.allowed), "events_disallowed": typeList(s.disallowed)}
}

func typeList(types []string) []any {
	l := []any{}
	for _, t := range types {
		l = append(l, map[string]any{"type": t})
	}
	return l
}

func (s *Server) routeApplications(w http.ResponseWriter, method string, seg []string, q url.Values) {
	if len(seg) == 1 {
		writeJSON(w, 200, []any{s.appJSON()})
		return
	}
	if seg[1] != s.opts.App {
		writeJSON(w, 404, msg("Application not found"))
		return
	}
	if len(seg) == 2 {
		writeJSON(w, 200, s.appJSON())
		return
	}
	src := q.Get("eventSource")
	if src == "" {
		writeJSON(w, 400, msg("Missing parameter eventSource"))
		return
	}
	// Several sources, comma-separated, as Asterisk takes them: all are
	// checked before any is applied.
	srcs := strings.Split(src, ",")
	for _, src := range srcs {
		switch {
		case src == "endpoint:PJSIP":
		case strings.HasPrefix(src, "endpoint:PJSIP/"):
			if s.endpoints[strings.TrimPrefix(src, "endpoint:PJSIP/")] == nil {
				writeJSON(w, 422, msg("Event source does not exist"))
				return
			}
		case strings.HasPrefix(src, "channel:"), strings.HasPrefix(src, "bridge:"), strings.HasPrefix(src, "endpoint:"), strings.HasPrefix(src, "deviceState:"):
			writeJSON(w, 422, msg("Event source does not exist"))
			return
		default:
			writeJSON(w, 400, msg("Invalid event source URI scheme"))
			return
		}
	}
	for _, src := range srcs {
		if src == "endpoint:PJSIP" {
			s.subscribed = method == "POST"
			continue
		}
		if s.subscribedEP == nil {
			s.subscribedEP = map[string]bool{}
		}
		r := strings.TrimPrefix(src, "endpoint:PJSIP/")
		if method == "POST" {
			s.subscribedEP[r] = true
		} else {
			delete(s.subscribedEP, r)
		}
	}
	writeJSON(w, 200, s.appJSON())
}

func (s *Server) routeBridges(w http.ResponseWriter, method string, seg []string, q url.Values) {
	if len(seg) == 1 {
		if method == "GET" {
			list := []any{}
			for _, id := range sortedKeys(s.bridges) {
				list = append(list, s.bridges[id].json())
			}
			writeJSON(w, 200, list)
			return
		}
		id := q.Get("bridgeId")
		if id == "" {
			id = "br-" + s.newID()
		}
		typ := q.Get("type")
		if typ == "" {
			typ = "mixing"
		}
		b := &bridge{id: id, name: q.Get("name"), typ: typ, created: time.Now()}
		s.bridges[id] = b
		writeJSON(w, 200, b.json())
		return
	}
	b := s.bridges[seg[1]]
	if b == nil {
		writeJSON(w, 404, msg("Bridge not found"))
		return
	}
	switch {
	case len(seg) == 2 && method == "GET":
		writeJSON(w, 200, b.json())
	case len(seg) == 2 && method == "DELETE":
		for _, id := range b.channels {
			if c := s.channels[id]; c != nil {
				s.leaveBridgeLocked(c)
			}
		}
		delete(s.bridges, b.id)
		s.emitLocked("BridgeDestroyed", map[string]any{"bridge": b.json()})
		writeJSON(w, 204, nil)
	case seg[2] == "addChannel":
		ids := strings.Split(q.Get("channel"), ",")
		for _, id := range ids {
			c := s.channels[id]
			if c == nil {
				writeJSON(w, 400, msg("Channel not found"))
				return
			}
			if !c.inStasis {
				writeJSON(w, 422, msg("Channel not in Stasis application"))
				return
			}
		}
		for _, id := range ids {
			c := s.channels[id]
			if c.bridge != "" {
				s.leaveBridgeLocked(c)
			}
			c.bridge = b.id
			b.channels = append(b.channels, id)
			s.emitLocked("ChannelEnteredBridge", map[string]any{"bridge": b.json(), "channel": c.json()})
		}
		writeJSON(w, 204, nil)
	case seg[2] == "moh":
		writeJSON(w, 204, nil)
	default:
		s.violations = append(s.violations, method+" /bridges/.../"+seg[2]+": not implemented by aritest")
		writeJSON(w, 501, msg("Not implemented by aritest"))
	}
}

func (s *Server) leaveBridgeLocked(c *channel) {
	b := s.bridges[c.bridge]
	c.bridge = ""
	if b == nil {
		return
	}
	for i, id := range b.channels {
		if id == c.id {
			b.channels = append(b.channels[:i], b.channels[i+1:]...)
			break
		}
	}
	s.emitLocked("ChannelLeftBridge", map[string]any{"bridge": b.json(), "channel": c.json()})
}

// routeSorcery answers GET /asterisk/config/dynamic/res_pjsip/{aor,contact}/{id}
// as Asterisk does for the registrar's objects: a list of attribute/value
// tuples. A contact's id is "<aor>;@<md5 of its URI>".
func (s *Server) routeSorcery(w http.ResponseWriter, typ, id string) {
	notFound := func() { writeJSON(w, 404, msg("Object with id '"+id+"' not found")) }
	tuple := func(a, v string) map[string]string { return map[string]string{"attribute": a, "value": v} }
	switch typ {
	case "aor":
		e := s.endpoints[id]
		if e == nil {
			notFound()
			return
		}
		contact := ""
		if e.registered {
			contact = e.contact
		}
		writeJSON(w, 200, []any{tuple("max_contacts", "1"), tuple("contact", contact), tuple("qualify_frequency", "15")})
	case "contact":
		ext, hash, _ := strings.Cut(id, ";@")
		e := s.endpoints[ext]
		if e == nil || !e.registered {
			notFound()
			return
		}
		sum := md5.Sum([]byte(e.contact))
		if hex.EncodeToString(sum[:]) != hash {
			notFound()
			return
		}
		writeJSON(w, 200, []any{tuple("uri", e.contact), tuple("endpoint", ext), tuple("user_agent", UserAgent), tuple("via_addr", "127.0.0.1")})
	default:
		writeJSON(w, 404, msg("objectType '"+typ+"' not found"))
	}
}

// UserAgent is the User-Agent of every phone that registers to the fake.
const UserAgent = "aritest-phone/1.0"

// eventFilter is PUT /applications/{app}/eventFilter: the body is
// {"allowed":[{"type":...}],"disallowed":[...]}; a list left out is kept,
// an empty body clears both (res/stasis/app.c app_event_filter_set).
func (s *Server) eventFilter(w http.ResponseWriter, r *http.Request, path string) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Status: 200})
	if len(seg) != 3 || seg[0] != "applications" || seg[1] != s.opts.App {
		writeJSON(w, 404, msg("Application not found"))
		return
	}
	var body map[string][]struct{ Type string }
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil && err != io.EOF {
		writeJSON(w, 400, msg("Invalid event filter"))
		return
	}
	types := func(l []struct{ Type string }) []string {
		out := make([]string, 0, len(l))
		for _, t := range l {
			out = append(out, t.Type)
		}
		return out
	}
	if len(body) == 0 {
		s.allowed, s.disallowed = nil, nil
	}
	if l, ok := body["allowed"]; ok {
		s.allowed = types(l)
	}
	if l, ok := body["disallowed"]; ok {
		s.disallowed = types(l)
	}
	writeJSON(w, 200, s.appJSON())
}
