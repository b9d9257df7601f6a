package aritest

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// ErrDeclined is what a caller gets while no websocket serves the app:
// Asterisk answers the INVITE with 603 Decline.
var ErrDeclined = errors.New("aritest: 603 Decline (Stasis app not active)")

// Inbound places a call from number to exten through Stasis(app) and
// returns its channel id, as the dialplan `exten => 6000,n,Stasis(app)`
// does: StasisStart with args [] and state Ring.
func (s *Server) Inbound(number, name, exten string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner == nil {
		return "", ErrDeclined
	}
	id := s.newID()
	c := &channel{
		id: id, name: "PJSIP/trunk-000000" + id[len(id)-2:], state: "Ring",
		callerNum: number, callerNm: name, context: "from-trunk", exten: exten, priority: 2,
		appName: "Stasis", appData: s.opts.App, created: time.Now(), inStasis: true,
	}
	s.channels[id] = c
	s.emitLocked("StasisStart", map[string]any{"args": []string{}, "channel": c.json()})
	return id, nil
}

// InboundLost puts a caller in Stasis(app) without any event reaching the
// app, as a channel left by a previous Atiende process would be.
func (s *Server) InboundLost(number, exten string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID()
	s.channels[id] = &channel{
		id: id, name: "PJSIP/trunk-lost" + id, state: "Up", callerNum: number, context: "from-trunk",
		exten: exten, priority: 2, appName: "Stasis", appData: s.opts.App, created: time.Now(), inStasis: true,
	}
	return id
}

// Press sends RFC 4733 keys: one ChannelDtmfReceived per key.
func (s *Server) Press(id, keys string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[id]
	if c == nil {
		return
	}
	for _, k := range keys {
		s.emitLocked("ChannelDtmfReceived", map[string]any{"digit": string(k), "duration_ms": 280, "channel": c.json()})
	}
}

// RemoteHangup is the far end's BYE.
func (s *Server) RemoteHangup(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channels[id]; c != nil {
		s.hangupLocked(c, false, 16)
	}
}

// LeaveStasis moves a channel out of the app (as if continued to the
// dialplan, e.g. into app_queue): it stays up but play/answer give 409 and
// addChannel 422.
func (s *Server) LeaveStasis(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channels[id]; c != nil && c.inStasis {
		c.inStasis = false
		s.emitLocked("StasisEnd", map[string]any{"channel": c.json()})
	}
}

// LeaveStasisQuiet takes a channel out of the app without telling the app,
// to provoke the 409/422 of a request racing its StasisEnd.
func (s *Server) LeaveStasisQuiet(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channels[id]; c != nil {
		c.inStasis = false
	}
}

// Vanish removes a channel without any event, as if its hang-up happened
// while no websocket was connected.
func (s *Server) Vanish(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channels, id)
}

// DropWebsocket closes the app's websocket from Asterisk's side.
func (s *Server) DropWebsocket() {
	s.mu.Lock()
	o := s.owner
	s.owner = nil
	s.mu.Unlock()
	if o != nil {
		o.c.Close()
	}
}

// SetDown makes Asterisk unreachable (every connection is dropped) or back.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
	if down {
		s.DropWebsocket()
	}
}

// Connected reports whether some websocket serves the app.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.owner != nil
}

// WebsocketOpens counts the websocket handshakes so far.
func (s *Server) WebsocketOpens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wsOpens
}

// SetAgent scripts how an extension's phone answers and registers it.
func (s *Server) SetAgent(ext string, a Agent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endpointLocked(ext).agent = a
}

func (s *Server) endpointLocked(ext string) *endpoint {
	e := s.endpoints[ext]
	if e == nil {
		e = &endpoint{resource: ext, state: "offline"}
		s.endpoints[ext] = e
	}
	return e
}

func (s *Server) endpointEvLocked(typ string, e *endpoint, extra map[string]any) {
	if !s.subscribed && !s.subscribedEP[e.resource] {
		return // without a subscription to the endpoint the app gets nothing
	}
	f := map[string]any{"endpoint": e.json()}
	for k, v := range extra {
		f[k] = v
	}
	s.emitLocked(typ, f)
}

func contactInfo(e *endpoint, status, rtt string) map[string]any {
	return map[string]any{"contact_info": map[string]any{"uri": e.contact, "contact_status": status, "aor": e.resource, "roundtrip_usec": rtt}}
}

// Register is a successful REGISTER (transcript 04).
func (s *Server) Register(ext string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.endpointLocked(ext)
	e.contact = "sip:" + ext + "@127.0.0.1:25082"
	e.registered = true
	s.endpointEvLocked("ContactStatusChange", e, contactInfo(e, "NonQualified", "0"))
	e.state = "online"
	s.endpointEvLocked("EndpointStateChange", e, nil)
	s.endpointEvLocked("PeerStatusChange", e, map[string]any{"peer": map[string]any{"peer_status": "Reachable"}})
	s.endpointEvLocked("ContactStatusChange", e, contactInfo(e, "Reachable", "3406"))
}

// Unregister is REGISTER Expires: 0.
func (s *Server) Unregister(ext string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.endpointLocked(ext)
	e.state = "offline"
	e.registered = false
	s.endpointEvLocked("EndpointStateChange", e, nil)
	s.endpointEvLocked("PeerStatusChange", e, map[string]any{"peer": map[string]any{"peer_status": "Unreachable"}})
	s.endpointEvLocked("ContactStatusChange", e, contactInfo(e, "Removed", "0"))
}

// QualifyFail is a phone that died without unregistering.
func (s *Server) QualifyFail(ext string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.endpointLocked(ext)
	e.state = "offline"
	s.endpointEvLocked("EndpointStateChange", e, nil)
	s.endpointEvLocked("PeerStatusChange", e, map[string]any{"peer": map[string]any{"peer_status": "Unreachable"}})
	s.endpointEvLocked("ContactStatusChange", e, contactInfo(e, "Unreachable", "0"))
}

// MissingSound makes "sound:<name>" fail (PlaybackFinished failed).
func (s *Server) MissingSound(name string) {
	s.mu.Lock()
	s.missing[name] = true
	s.mu.Unlock()
}

// ChannelState is a snapshot of a channel.
type ChannelState struct {
	Exists, InStasis, MOH bool
	State, Bridge         string
}

// Channel returns a snapshot of channel id.
func (s *Server) Channel(id string) ChannelState {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[id]
	if c == nil {
		return ChannelState{}
	}
	return ChannelState{Exists: true, InStasis: c.inStasis, MOH: c.moh, State: c.state, Bridge: c.bridge}
}

// Channels lists the ids of live channels.
func (s *Server) Channels() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.channels)
}

// Bridges counts live bridges.
func (s *Server) Bridges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bridges)
}

// Requests returns the REST requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Find returns the requests whose "METHOD /path" starts with prefix.
func (s *Server) Find(prefix string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Method+" "+r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// Sent returns the events produced so far as "Type channelId" (also those
// lost because no websocket was connected).
func (s *Server) Sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Violations returns the requests that did not fit the ARI models.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}
