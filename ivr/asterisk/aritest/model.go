package aritest

import (
	"fmt"
	"slices"
	"time"
)

type channel struct {
	id, name, state     string
	callerNum, callerNm string
	context, exten      string
	appName, appData    string
	priority            int
	created             time.Time
	inStasis            bool
	originated          bool // POST /channels with app=: ChannelDestroyed reaches the app
	bridge              string
	moh                 bool
	ringing             *time.Timer
}

func (c *channel) json() map[string]any {
	return map[string]any{
		"id":          c.id,
		"name":        c.name,
		"state":       c.state,
		"protocol_id": "proto-" + c.id,
		"caller":      map[string]any{"name": c.callerNm, "number": c.callerNum},
		"connected":   map[string]any{"name": "", "number": ""},
		"accountcode": "",
		"dialplan": map[string]any{
			"context": c.context, "exten": c.exten, "priority": c.priority,
			"app_name": c.appName, "app_data": c.appData,
		},
		"creationtime": c.created.UTC().Format("2006-01-02T15:04:05.000-0700"),
		"language":     "es",
	}
}

type bridge struct {
	id, name, typ string
	channels      []string
	created       time.Time
}

func (b *bridge) json() map[string]any {
	return map[string]any{
		"id": b.id, "technology": "simple_bridge", "bridge_type": b.typ, "bridge_class": "stasis",
		"creator": "Stasis", "name": b.name, "channels": slices.Clone(b.channels),
		"creationtime": b.created.UTC().Format("2006-01-02T15:04:05.000-0700"), "video_mode": "talker",
	}
}

type playback struct {
	id, channel string
	media       []string
	item        int
	state       string
	stop        chan struct{} // closed by DELETE or hang-up
	finished    bool
}

func (p *playback) json() map[string]any {
	j := map[string]any{
		"id": p.id, "media_uri": p.media[p.item], "target_uri": "channel:" + p.channel,
		"language": "es", "state": p.state,
	}
	if p.item+1 < len(p.media) {
		j["next_media_uri"] = p.media[p.item+1]
	}
	return j
}

type endpoint struct {
	resource string
	state    string // online, offline
	contact  string
	// registered: the registrar holds the contact (until unregister, also
	// while qualify fails).
	registered bool
	agent      Agent
}

func (e *endpoint) json() map[string]any {
	return map[string]any{"technology": "PJSIP", "resource": e.resource, "state": e.state, "channel_ids": []string{}}
}

// Agent is how an agent's phone answers an originate.
type Agent struct {
	Answer bool          // answer after Delay
	Busy   bool          // 486 Busy Here
	Delay  time.Duration // ringing before the answer
	// EventsFirst sends the first events (and, with Answer and no Delay,
	// the StasisStart) before the originate response, as Asterisk may.
	EventsFirst bool
}

func (s *Server) newID() string {
	s.seq++
	return fmt.Sprintf("1795453%03d.%d", s.seq, s.seq+30)
}
