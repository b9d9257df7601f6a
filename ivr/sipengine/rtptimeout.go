package sipengine

import (
	"context"
	"time"

	"github.com/atiende/atiende/ivr"
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
			if now.Sub(since) < d {
				continue
			}
			c.e.edge.reaped.Add(1)
			c.e.edge.rtpTimeouts.Add(1)
			c.log.Warn("call ended: no RTP from the peer", "reason", "rtp_timeout", "rtp_timeout", d,
				"silent_for", now.Sub(since).Round(time.Millisecond), "packets", last)
			ctx, cancel := context.WithTimeout(context.Background(), rtpTimeoutBye)
			_ = c.Hangup(ctx, ivr.CauseNormal)
			cancel()
			return
		}
	}
}
