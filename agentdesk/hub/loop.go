package hub

import (
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/gorilla/websocket"
)

// snapshotReuse: clients registering within this time of the last snapshot,
// with no event since, share it (a restart makes every page reconnect).
const snapshotReuse = time.Second

func (h *Hub) loop() {
	defer close(h.done)
	var tick <-chan time.Time
	if h.cfg.RefreshInterval > 0 {
		t := time.NewTicker(h.cfg.RefreshInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-h.quit:
			for c := range h.clients {
				c.stop(false)
				delete(h.clients, c)
				h.addClients(-1)
			}
			return
		case in := <-h.in:
			h.handle(in)
		case r := <-h.reg:
			h.register(r)
		case c := <-h.unreg:
			h.remove(c)
		case k := <-h.kick:
			h.closeUser(k)
		case <-tick:
			if h.dirty {
				h.refresh()
			}
		}
		if h.resync {
			h.resync = false
			h.resyncAll()
		}
	}
}

func (h *Hub) handle(in input) {
	if in.pop != nil {
		if at, ok := h.offered[in.pop.popKey]; ok {
			delete(h.offered, in.pop.popKey)
			if h.d.ScreenPop != nil {
				h.d.ScreenPop(max(in.pop.at.Sub(at), 0))
			}
		}
		return
	}
	if in.ext != nil || in.act != nil {
		m := Message{Type: TypeExtension, Extension: in.ext}
		if in.act != nil {
			m = Message{Type: TypeExtensionCalls, Calls: in.act}
		}
		pm := prepare(m)
		for c := range h.clients {
			if c.view.extensions() {
				h.send(c, pm)
			}
		}
		return
	}
	e := *in.ev
	h.track(e)
	h.dirty = true
	var full, red *websocket.PreparedMessage
	for c := range h.clients {
		switch eventFor(c.view, c.p, &e) {
		case 1:
			if full == nil {
				full = prepare(Message{Type: TypeEvent, Event: &e})
			}
			h.send(c, full)
		case 2:
			if red == nil {
				r := redact(e)
				red = prepare(Message{Type: TypeEvent, Event: &r})
			}
			h.send(c, red)
		}
	}
}

// track keeps the ring, the last Seq and the calls each agent has now.
// A gap or a Seq going back (the ACD restarted) empties the ring and
// schedules a snapshot for everyone.
func (h *Hub) track(e agentdesk.Event) {
	if e.Seq != 0 {
		if h.lastSeq != 0 && e.Seq != h.lastSeq+1 {
			if e.Seq <= h.lastSeq {
				clear(h.active)
			}
			h.ring.reset()
			h.resync = true
			h.log.Warn("hub: event sequence gap; clients resync", "last_seq", h.lastSeq, "seq", e.Seq)
		}
		h.lastSeq = e.Seq
		h.stats.lastSeq.Store(e.Seq)
		h.ring.add(e)
	}
	switch e.Kind {
	case agentdesk.CallOffered, agentdesk.CallAnswered:
		if e.Agent != "" {
			h.active[e.Agent] = e
		}
		if e.Kind == agentdesk.CallOffered && e.Agent != "" && e.CallID != "" {
			if len(h.offered) >= maxPendingPops {
				clear(h.offered) // consoles that never acknowledge: forget, stay bounded
			}
			h.offered[popKey{e.Agent, e.CallID}] = e.At
		}
	case agentdesk.CallOfferEnded, agentdesk.CallEnded, agentdesk.CallAbandoned, agentdesk.CallTransferred:
		if e.Kind != agentdesk.CallOfferEnded {
			for k := range h.offered {
				if k.callID == e.CallID {
					delete(h.offered, k)
				}
			}
		}
		for a, o := range h.active {
			if o.CallID == e.CallID && (e.Agent == "" || e.Agent == a || e.Kind != agentdesk.CallOfferEnded) {
				delete(h.active, a)
			}
		}
	}
}

// send queues pm for c, or drops c when its queue is full: one slow page
// must not hold up the others.
func (h *Hub) send(c *client, pm *websocket.PreparedMessage) {
	select {
	case c.send <- pm:
		h.stats.delivered.Add(1)
	default:
		h.stats.slowDropped.Add(1)
		h.log.Info("hub: dropping slow client", "username", c.p.Username, "role", c.p.Role)
		h.remove(c)
		c.stop(true)
	}
}

func (h *Hub) remove(c *client) {
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		h.addClients(-1)
	}
}

// revokedMemory is how long a revocation is remembered to refuse a socket
// authenticated before it but registered after.
const revokedMemory = time.Minute

// closeUser ends the sockets of k.username (or all), and remembers when, so
// that a socket authenticated earlier but registering later is refused.
func (h *Hub) closeUser(k kick) {
	for u, at := range h.revoked {
		if k.at.Sub(at) > revokedMemory {
			delete(h.revoked, u)
		}
	}
	key := k.username
	if k.all {
		key = "" // "" stands for everyone
	}
	h.revoked[key] = k.at
	n := 0
	for c := range h.clients {
		if k.all || c.p.Username == k.username {
			h.remove(c)
			c.end(CloseSessionEnded, "session ended")
			n++
		}
	}
	if n > 0 {
		h.log.Info("hub: closed websockets of ended sessions", "username", k.username, "all", k.all, "sockets", n)
	}
}

func (h *Hub) register(r *registration) {
	c := r.c
	defer func() { r.ok <- true }() // after the first messages are queued
	for _, key := range []string{c.p.Username, ""} {
		if at, ok := h.revoked[key]; ok && !r.authAt.After(at) {
			c.end(CloseSessionEnded, "session ended")
			return
		}
	}
	add := func() {
		h.clients[c] = struct{}{}
		h.addClients(1)
	}
	if !c.view.events() {
		add()
		return
	}
	if r.since > 0 {
		if evs, ok := h.ring.after(r.since); ok && len(evs) <= h.cfg.SendBuffer/2 {
			add()
			h.stats.resumes.Add(1)
			for i := range evs {
				switch eventFor(c.view, c.p, &evs[i]) {
				case 1:
					h.send(c, prepare(Message{Type: TypeEvent, Event: &evs[i]}))
				case 2:
					rd := redact(evs[i])
					h.send(c, prepare(Message{Type: TypeEvent, Event: &rd}))
				}
			}
			return
		}
	}
	// The snapshot first: events it drains from the input are already in it.
	s := h.snapshot()
	add()
	h.sendSnapshot(c, s)
}

func (h *Hub) sendSnapshot(c *client, s agentdesk.Snapshot) {
	sv := snapshotFor(c.view, c.p, s)
	h.stats.snapshots.Add(1)
	h.send(c, prepare(Message{Type: TypeSnapshot, Snapshot: &sv, Offers: offersFor(c.view, c.p, h.offers(s))}))
}

// snapshot takes the desk's snapshot, then handles the events published
// before it that still wait in the input, so that the offers sent with it
// are those of the same moment.
func (h *Hub) snapshot() agentdesk.Snapshot {
	sc := &h.snapCache
	if sc.ok && sc.s.Seq == h.lastSeq && time.Since(sc.at) < snapshotReuse {
		return sc.s
	}
	s := h.d.Snapshot()
	for h.lastSeq < s.Seq {
		select {
		case in := <-h.in:
			h.handle(in)
			continue
		default:
		}
		break
	}
	sc.s, sc.at, sc.ok = s, time.Now(), true
	return s
}

// offers are the active calls, completed from the snapshot: a call ringing
// an agent whose offer event the hub never saw (it was dropped) still pops.
func (h *Hub) offers(s agentdesk.Snapshot) map[string]agentdesk.Event {
	out := make(map[string]agentdesk.Event, len(h.active))
	for a, e := range h.active {
		out[a] = e
	}
	for _, q := range s.Queues {
		for _, wc := range q.Calls {
			for _, a := range wc.Ringing {
				if o, ok := out[a]; ok && o.CallID == wc.CallID {
					continue
				}
				out[a] = agentdesk.Event{Seq: s.Seq, Kind: agentdesk.CallOffered, At: s.At, CallID: wc.CallID,
					Queue: wc.Queue, TicketNumber: wc.TicketNumber, CallerNumber: wc.CallerNumber,
					CallerName: wc.CallerName, IVRPath: wc.IVRPath, Lang: wc.Lang, Priority: wc.Priority,
					Callback: wc.Callback, Agent: a, EnteredQueueAt: wc.EnteredQueueAt}
			}
		}
	}
	return out
}

// refresh sends supervisors a fresh snapshot, so that counters computed by
// the ACD (service level, ASA) stay exact without polling.
func (h *Hub) refresh() {
	h.dirty = false
	var pm *websocket.PreparedMessage
	for c := range h.clients {
		if c.view != viewAll {
			continue
		}
		if pm == nil {
			s := h.snapshot()
			h.stats.snapshots.Add(1)
			pm = prepare(Message{Type: TypeSnapshot, Snapshot: &s, Offers: offersFor(viewAll, Principal{}, h.offers(s))})
		}
		h.send(c, pm)
	}
}

func (h *Hub) resyncAll() {
	h.snapCache.ok = false
	s := h.snapshot()
	for c := range h.clients {
		if c.view.events() {
			h.sendSnapshot(c, s)
		}
	}
}

func prepare(m Message) *websocket.PreparedMessage {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, encode(m))
	if err != nil {
		panic("hub: prepare message: " + err.Error())
	}
	return pm
}

// addClients counts connections opened (+1) or closed (-1).
func (h *Hub) addClients(d int64) {
	n := h.nclients.Add(d)
	if h.d.ClientsChanged != nil {
		h.d.ClientsChanged(int(n))
	}
}

// maxPendingPops bounds the offers waiting for their pop's acknowledgement.
const maxPendingPops = 4096
