package asterisk

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/atiende/atiende/ivr"
)

// dialArg is the first Stasis argument of the legs Atiende originates.
const dialArg = "dial"

// dialAttempt is an originated channel that has not entered Stasis yet.
type dialAttempt struct {
	target   string
	events   chan ari.Event
	answered chan *call // the dispatcher hands over the call at StasisStart
}

// Dial originates target (an extension: PJSIP/<target>; or tech/resource)
// into the app. The channel id is chosen before the request because its
// events can arrive before the response.
func (e *Engine) Dial(ctx context.Context, target string, opts ivr.DialOptions) (ivr.Call, error) {
	if !e.Up() {
		return nil, fmt.Errorf("asterisk: dial %s: %w", target, ivr.ErrEngineDown)
	}
	endpoint := target
	if !strings.Contains(target, "/") {
		endpoint = "PJSIP/" + target
	}
	ring := opts.Timeout
	if ring <= 0 {
		ring = e.cfg.RingTimeout
	}
	id := newID("atiende-")
	d := &dialAttempt{target: target, events: make(chan ari.Event, 64), answered: make(chan *call, 1)}
	e.mu.Lock()
	e.dials[id] = d
	e.mu.Unlock()
	defer e.endDial(id, d)

	q := url.Values{
		"endpoint":  {endpoint},
		"app":       {e.cfg.App},
		"appArgs":   {dialArg},
		"channelId": {id},
		"timeout":   {strconv.Itoa(int((ring + time.Second - 1) / time.Second))},
	}
	if cid := callerID(opts); cid != "" {
		q.Set("callerId", cid)
	}
	log := e.log.With("call_id", id, "target", endpoint)
	if err := e.rest.do(ctx, "POST", "/channels", q, nil); err != nil {
		if statusOf(err) == 0 { // no answer: the channel may exist
			e.hangupLater(id, "normal", "originate request failed")
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if statusOf(err) == 500 { // {"error":"Allocation failed"}: unknown or not registered
			return nil, fmt.Errorf("asterisk: dial %s: %w: %w", endpoint, ivr.ErrUnreachable, err)
		}
		return nil, fmt.Errorf("asterisk: dial %s: %w", endpoint, err)
	}
	log.Info("ringing agent")
	// Nothing waits forever: Asterisk ends the ring at the timeout; this
	// covers events lost while the websocket was down.
	guard := time.NewTimer(ring + e.cfg.RequestTimeout + 2*time.Second)
	defer guard.Stop()
	rang := false
	ringing := func() {
		if !rang && opts.OnRinging != nil {
			opts.OnRinging()
		}
		rang = true
	}
	for {
		select {
		case c := <-d.answered:
			drainRinging(d, ringing)
			if ctx.Err() != nil {
				_ = c.Hangup(context.WithoutCancel(ctx), ivr.CauseNormal)
				return nil, ctx.Err()
			}
			log.Info("agent answered")
			return c, nil
		case ev := <-d.events:
			if err := dialOutcome(ev, ringing); err != nil {
				log.Info("dial failed", "error", err)
				return nil, fmt.Errorf("asterisk: dial %s: %w", endpoint, err)
			}
		case <-ctx.Done():
			e.hangupLater(id, "normal", "dial cancelled")
			return nil, ctx.Err()
		case <-guard.C:
			e.hangupLater(id, "no_answer", "no outcome within the ring timeout")
			return nil, fmt.Errorf("asterisk: dial %s: %w (no events)", endpoint, ivr.ErrNoAnswer)
		}
	}
}

// drainRinging applies the events that came before the answer (they are
// all queued by then: the dispatcher hands events over in order).
func drainRinging(d *dialAttempt, ringing func()) {
	for {
		select {
		case ev := <-d.events:
			_ = dialOutcome(ev, ringing)
		default:
			return
		}
	}
}

// dialOutcome maps an event of a ringing leg to the port's errors; nil
// means keep waiting. Asterisk 22 sends no final Dial event on a ring
// timeout: only ChannelDestroyed cause 19.
func dialOutcome(ev ari.Event, ringing func()) error {
	switch ev := ev.(type) {
	case *ari.Dial:
		switch ev.Dialstatus {
		case "RINGING", "PROGRESS":
			ringing()
		case "BUSY":
			return ivr.ErrBusy
		case "NOANSWER", "CANCEL":
			return ivr.ErrNoAnswer
		case "CHANUNAVAIL", "CONGESTION":
			return ivr.ErrUnreachable
		}
	case *ari.ChannelStateChange:
		if ev.Channel.State == "Ringing" {
			ringing()
		}
	case *ari.ChannelDestroyed:
		return causeErr(ev.Cause)
	}
	return nil
}

// causeErr maps a Q.850 cause of an unanswered leg.
func causeErr(cause int) error {
	switch cause {
	case 17: // user busy (486)
		return ivr.ErrBusy
	case 18, 19: // no user responding, no answer (480/408)
		return ivr.ErrNoAnswer
	case 21: // call rejected (603)
		return ivr.ErrDeclined
	}
	return fmt.Errorf("%w (cause %d)", ivr.ErrUnreachable, cause)
}

func (e *Engine) endDial(id string, d *dialAttempt) {
	e.mu.Lock()
	if e.dials[id] == d {
		delete(e.dials, id)
	}
	e.mu.Unlock()
	select {
	case c := <-d.answered: // answered just as we gave up
		c.log.Info("hanging up a leg answered after its dial ended")
		ctx, cancel := context.WithTimeout(context.Background(), e.cfg.RequestTimeout)
		defer cancel()
		_ = c.Hangup(ctx, ivr.CauseNormal)
	default:
	}
}

func callerID(o ivr.DialOptions) string {
	name := strings.NewReplacer(`"`, "", "<", "", ">", "").Replace(o.CallerName)
	switch {
	case o.CallerID == "" && name == "":
		return ""
	case name == "":
		return "<" + o.CallerID + ">"
	}
	return `"` + name + `" <` + o.CallerID + ">"
}
