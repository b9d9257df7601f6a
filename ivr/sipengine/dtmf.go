package sipengine

import (
	"bufio"
	"strconv"
	"strings"
	"time"
)

// dtmfDecoder turns RFC 4733 telephone-event payloads into key presses.
//
// A key is reported on the first packet seen for an event, whatever its
// duration (phones and sipp's stock pcaps start with duration 0, which diago's
// reader ignores) and whether or not an end packet ever arrives. Packets of
// one event share an RTP timestamp, so the timestamp deduplicates the
// continuation packets and the three retransmitted end packets.
type dtmfDecoder struct {
	seen     bool
	ssrc     uint32
	ts       uint32
	event    uint8
	ended    bool
	lastSeen time.Time
}

// dtmfReplayGap is how long after an ended event a packet with the same
// timestamp counts as a new press (senders that replay a fixed recording).
const dtmfReplayGap = 250 * time.Millisecond

// feed decodes one payload received at now; it returns the key when a new
// key press starts.
func (d *dtmfDecoder) feed(ssrc, ts uint32, payload []byte, now time.Time) (rune, bool) {
	if len(payload) < 4 {
		return 0, false
	}
	event, end := payload[0], payload[1]&0x80 != 0
	key, ok := dtmfKey(event)
	if !ok {
		return 0, false
	}
	same := d.seen && ssrc == d.ssrc && ts == d.ts && event == d.event
	if same && !(d.ended && !end && now.Sub(d.lastSeen) > dtmfReplayGap) {
		d.ended = d.ended || end
		d.lastSeen = now
		return 0, false
	}
	*d = dtmfDecoder{seen: true, ssrc: ssrc, ts: ts, event: event, ended: end, lastSeen: now}
	return key, true
}

// dtmfKey maps an RFC 4733 event code to its key.
func dtmfKey(event uint8) (rune, bool) {
	switch {
	case event <= 9:
		return rune('0' + event), true
	case event == 10:
		return '*', true
	case event == 11:
		return '#', true
	case event <= 15:
		return rune('A' + event - 12), true
	}
	return 0, false
}

// parseInfoDTMF reads the key of a SIP INFO body: application/dtmf-relay
// ("Signal=5\r\nDuration=160") or application/dtmf ("5").
func parseInfoDTMF(contentType string, body []byte) (rune, bool) {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	switch ct {
	case "application/dtmf-relay":
		sc := bufio.NewScanner(strings.NewReader(string(body)))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "signal") {
				return infoSignal(strings.TrimSpace(v))
			}
		}
	case "application/dtmf":
		return infoSignal(strings.TrimSpace(string(body)))
	}
	return 0, false
}

func infoSignal(v string) (rune, bool) {
	if len(v) == 1 {
		c := rune(v[0])
		switch {
		case c >= '0' && c <= '9', c == '*', c == '#':
			return c, true
		case c >= 'A' && c <= 'D':
			return c, true
		case c >= 'a' && c <= 'd':
			return c - 'a' + 'A', true
		}
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 10 && n <= 15 {
		return dtmfKey(uint8(n))
	}
	return 0, false
}
