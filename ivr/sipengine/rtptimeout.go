package sipengine

import (
	"bufio"
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/emiago/sipgo/sip"
)

// rtpTimeoutBye bounds the BYE sent to a peer that went silent: it has
// most likely vanished, and its dialog must not wait for Timer F.
const rtpTimeoutBye = 2 * time.Second

// watchRTP runs from answer to hang-up when RTPTimeout is set: a call that
// receives no RTP packet at all (audio, comfort noise or DTMF) for
// RTPTimeout is hung up, like Asterisk's rtp_timeout. A phone that lost
// power or its network sends no BYE: without this its call, RTP port and
// goroutines would stay until the IVR or the queue gave up on it. A caller
// who waits in a queue or listens to a prompt still sends RTP (silence is
// encoded as audio frames), so only a peer that is gone is caught.
func (c *call) watchRTP() {
	d := c.e.cfg.RTPTimeout
	if d <= 0 {
		return
	}
	t := time.NewTicker(max(d/4, 10*time.Millisecond))
	defer t.Stop()
	last, since := c.inbound.Load(), time.Now()
	for {
		select {
		case <-c.done:
			return
		case now := <-t.C:
			if n := c.inbound.Load(); n != last {
				last, since = n, now
				continue
			}
			limit := d
			if c.held.Load() {
				// On hold a phone may stop sending (a=inactive); it
				// gets RTPTimeoutHold, or no limit when that is 0.
				if limit = c.e.cfg.RTPTimeoutHold; limit <= 0 {
					since = now
					continue
				}
			}
			if now.Sub(since) < limit {
				continue
			}
			c.e.edge.reaped.Add(1)
			c.e.edge.rtpTimeouts.Add(1)
			c.log.Warn("call ended: no RTP from the peer", "reason", "rtp_timeout", "rtp_timeout", limit, "on_hold", c.held.Load(),
				"silent_for", now.Sub(since).Round(time.Millisecond), "packets", last)
			ctx, cancel := context.WithTimeout(context.Background(), rtpTimeoutBye)
			_ = c.Hangup(ctx, ivr.CauseNormal)
			cancel()
			return
		}
	}
}

// noteHold follows a re-INVITE (seen by screenUDP, before diago answers
// it): an SDP that puts the call on hold (a=inactive, a=sendonly,
// a=recvonly, or c= 0.0.0.0) gives its RTP timeout RTPTimeoutHold, one
// that does not puts it back on RTPTimeout. Only UDP is followed.
func (e *Engine) noteHold(req *sip.Request) {
	if req.Method != sip.INVITE || len(req.Body()) == 0 || req.CallID() == nil {
		return
	}
	if to := req.To(); to == nil || to.Params == nil {
		return
	} else if tag, ok := to.Params.Get("tag"); !ok || tag == "" {
		return // a new call, not a re-INVITE
	}
	v, ok := e.calls.Load(req.CallID().Value())
	if !ok {
		return
	}
	c := v.(*call)
	held := sdpHeld(req.Body())
	if c.held.Swap(held) != held {
		c.log.Info("call hold changed by the peer", "on_hold", held)
	}
}

// sdpHeld reports whether an SDP offer puts the call on hold.
func sdpHeld(sdp []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(sdp))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		switch {
		case l == "a=inactive", l == "a=sendonly", l == "a=recvonly":
			return true
		case strings.HasPrefix(l, "c=IN IP4 0.0.0.0"):
			return true
		}
	}
	return false
}
