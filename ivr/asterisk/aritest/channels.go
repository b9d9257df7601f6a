package aritest

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func (s *Server) routeChannels(w http.ResponseWriter, method string, seg []string, q url.Values) {
	if len(seg) == 1 {
		if method == "GET" {
			list := []any{}
			for _, id := range sortedKeys(s.channels) {
				list = append(list, s.channels[id].json())
			}
			writeJSON(w, 200, list)
			return
		}
		s.originateLocked(w, q)
		return
	}
	c := s.channels[seg[1]]
	if c == nil {
		writeJSON(w, 404, msg("Channel not found"))
		return
	}
	op := ""
	if len(seg) > 2 {
		op = seg[2]
	}
	switch {
	case op == "" && method == "GET":
		writeJSON(w, 200, c.json())
	case op == "" && method == "DELETE":
		s.hangupLocked(c, true, 16)
		writeJSON(w, 204, nil)
	case !c.inStasis:
		writeJSON(w, 409, msg("Channel not in Stasis application"))
	case op == "answer":
		if c.state != "Up" {
			c.state = "Up"
			s.emitLocked("ChannelStateChange", map[string]any{"channel": c.json()})
		}
		writeJSON(w, 204, nil)
	case op == "moh":
		c.moh = method == "POST"
		writeJSON(w, 204, nil)
	case op == "play":
		id := q.Get("playbackId")
		if len(seg) == 4 {
			id = seg[3]
		}
		if id == "" {
			id = "pb-" + s.newID()
		}
		s.playLocked(w, c, id, q.Get("media"))
	case op == "continue":
		c.inStasis = false
		s.emitLocked("StasisEnd", map[string]any{"channel": c.json()})
		writeJSON(w, 204, nil)
	default:
		s.violations = append(s.violations, method+" /channels/.../"+op+": not implemented by aritest")
		writeJSON(w, 501, msg("Not implemented by aritest"))
	}
}

// playLocked starts a playlist: PlaybackStarted, PlaybackContinuing between
// items, PlaybackFinished done; a missing sound fails; an unknown media
// scheme starts and never finishes (as in transcript 07).
func (s *Server) playLocked(w http.ResponseWriter, c *channel, id, media string) {
	p := &playback{id: id, channel: c.id, media: strings.Split(media, ","), state: "queued", stop: make(chan struct{})}
	s.playbacks[id] = p
	w.Header().Set("Location", "/ari/playbacks/"+id)
	writeJSON(w, 201, p.json())
	go s.runPlayback(p)
}

func knownScheme(m string) bool {
	for _, sch := range []string{"sound:", "digits:", "number:", "characters:", "tone:", "recording:"} {
		if strings.HasPrefix(m, sch) {
			return true
		}
	}
	return false
}

func (s *Server) runPlayback(p *playback) {
	for i := range p.media {
		s.mu.Lock()
		if p.finished {
			s.mu.Unlock()
			return
		}
		p.item, p.state = i, "playing"
		s.emitLocked("PlaybackStarted", map[string]any{"playback": p.json()})
		m := p.media[i]
		if !knownScheme(m) {
			s.mu.Unlock()
			return // never finishes: only DELETE or hang-up ends it
		}
		if s.missing[strings.TrimPrefix(m, "sound:")] {
			s.finishPlaybackLocked(p, "failed")
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		select {
		case <-p.stop:
			return
		case <-time.After(s.opts.PlayItem):
		}
		s.mu.Lock()
		if !p.finished && i+1 < len(p.media) {
			p.state = "continuing"
			s.emitLocked("PlaybackContinuing", map[string]any{"playback": p.json()})
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	s.finishPlaybackLocked(p, "done")
	s.mu.Unlock()
}

func (s *Server) finishPlaybackLocked(p *playback, state string) {
	if p.finished {
		return
	}
	p.finished, p.state = true, state
	close(p.stop)
	delete(s.playbacks, p.id)
	s.emitLocked("PlaybackFinished", map[string]any{"playback": p.json()})
}

// hangupLocked ends a channel: QoS varset, ChannelHangupRequest (cause 32
// soft from ARI, no cause from a BYE), failed playbacks, ChannelLeftBridge,
// StasisEnd, and ChannelDestroyed only for originated channels.
func (s *Server) hangupLocked(c *channel, byARI bool, cause int) {
	if c.ringing != nil {
		c.ringing.Stop()
	}
	s.emitLocked("ChannelVarset", map[string]any{"variable": "RTPAUDIOQOS", "value": "ssrc=1;rxcount=30", "channel": c.json()})
	req := map[string]any{"channel": c.json()}
	if byARI {
		req["cause"], req["soft"] = 32, true
	}
	s.emitLocked("ChannelHangupRequest", req)
	for _, id := range sortedKeys(s.playbacks) {
		if p := s.playbacks[id]; p.channel == c.id {
			s.finishPlaybackLocked(p, "failed")
		}
	}
	if c.bridge != "" {
		s.leaveBridgeLocked(c)
	}
	if c.inStasis {
		c.inStasis = false
		s.emitLocked("StasisEnd", map[string]any{"channel": c.json()})
	}
	if c.originated {
		s.emitLocked("ChannelDestroyed", map[string]any{"cause": cause, "cause_txt": causeText(cause), "channel": c.json()})
	}
	delete(s.channels, c.id)
}

func causeText(c int) string {
	switch c {
	case 16:
		return "Normal Clearing"
	case 17:
		return "User busy"
	case 19:
		return "User alerting, no answer"
	case 21:
		return "Call Rejected"
	}
	return "Unknown"
}

// originateLocked is POST /channels with app=: 500 Allocation failed (no
// events) for an unknown or unregistered endpoint, else the agent's script.
func (s *Server) originateLocked(w http.ResponseWriter, q url.Values) {
	ep := q.Get("endpoint")
	if ep == "" {
		writeJSON(w, 400, msg("Endpoint must be specified"))
		return
	}
	if q.Get("app") == "" && q.Get("extension") == "" {
		writeJSON(w, 400, msg("Application or extension must be specified"))
		return
	}
	tech, res, _ := strings.Cut(ep, "/")
	e := s.endpoints[res]
	if tech != "PJSIP" || e == nil || e.state != "online" {
		writeJSON(w, 500, map[string]string{"error": "Allocation failed"})
		return
	}
	id := q.Get("channelId")
	if id == "" {
		id = s.newID()
	}
	timeout, err := strconv.Atoi(q.Get("timeout"))
	if err != nil {
		timeout = 30
	}
	c := &channel{
		id: id, name: "PJSIP/" + res + "-0000" + strconv.Itoa(s.seq), state: "Down",
		callerNum: res, callerNm: "Agent " + res, context: "agents", exten: "s", priority: 1,
		appName: "AppDial2", appData: "(Outgoing Line)", created: time.Now(), originated: true,
	}
	s.channels[id] = c
	var args []string
	if a := q.Get("appArgs"); a != "" {
		args = strings.Split(a, ",")
	}
	a := e.agent
	if a.EventsFirst {
		s.agentStartLocked(c, res, a, args, timeout)
		writeJSON(w, 200, c.json())
		return
	}
	writeJSON(w, 200, c.json())
	go func() {
		time.Sleep(5 * time.Millisecond)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.channels[id] == c {
			s.agentStartLocked(c, res, a, args, timeout)
		}
	}()
}

func (s *Server) dialEvLocked(c *channel, res, status string) {
	s.emitLocked("Dial", map[string]any{"dialstatus": status, "forward": "", "dialstring": res, "peer": c.json()})
}

// agentStartLocked plays the agent's script with the event order of the
// recordings: 02 (answer), 06 d (ring timeout), 06 e (486 busy).
func (s *Server) agentStartLocked(c *channel, res string, a Agent, args []string, timeout int) {
	ringing := func() {
		c.state = "Ringing"
		s.emitLocked("ChannelStateChange", map[string]any{"channel": c.json()})
	}
	switch {
	case a.Busy:
		s.dialEvLocked(c, res, "")
		s.emitLocked("ChannelHangupRequest", map[string]any{"cause": 17, "tech_cause": 486, "channel": c.json()})
		s.dialEvLocked(c, res, "BUSY")
		s.emitLocked("ChannelDestroyed", map[string]any{"cause": 17, "cause_txt": causeText(17), "tech_cause": 486, "channel": c.json()})
		delete(s.channels, c.id)
		return
	case a.Answer:
		ringing()
		s.dialEvLocked(c, res, "")
		s.dialEvLocked(c, res, "RINGING")
	default:
		s.dialEvLocked(c, res, "")
		s.dialEvLocked(c, res, "RINGING")
		ringing()
	}
	answer := func() {
		c.state = "Up"
		s.emitLocked("ChannelStateChange", map[string]any{"channel": c.json()})
		s.dialEvLocked(c, res, "ANSWER")
		s.emitLocked("ChannelVarset", map[string]any{"variable": "STASISSTATUS", "value": "", "channel": c.json()})
		c.inStasis = true
		s.emitLocked("StasisStart", map[string]any{"args": argsJSON(args), "channel": c.json()})
	}
	if a.Answer && a.Delay == 0 && a.EventsFirst {
		answer()
		return
	}
	after, fn := time.Duration(timeout)*time.Second, func() {
		// Ring timeout: no final Dial event, only ChannelDestroyed 19.
		s.emitLocked("ChannelDestroyed", map[string]any{"cause": 19, "cause_txt": causeText(19), "tech_cause": 480, "channel": c.json()})
		delete(s.channels, c.id)
	}
	if a.Answer && (timeout <= 0 || a.Delay < after) {
		after, fn = a.Delay, answer
	}
	id := c.id
	c.ringing = time.AfterFunc(after, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.channels[id] == c && c.state == "Ringing" {
			fn()
		}
	})
}

func argsJSON(a []string) []string {
	if a == nil {
		return []string{}
	}
	return a
}
