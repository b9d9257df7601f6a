package asterisk

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/atiende/atiende/ivr"
)

// dtmfBuffer is how many keys wait for a slow reader before drops.
const dtmfBuffer = 32

// call is one channel in the app: an inbound caller or an answered agent.
type call struct {
	e    *Engine
	id   string // channel id
	from ivr.Party
	to   string
	lang string
	log  *slog.Logger
	dtmf chan rune

	done    chan struct{}
	endOnce sync.Once
	mu      sync.Mutex
	why     string
}

func (e *Engine) newCall(ch ari.ChannelData, to string) *call {
	from := ivr.Party{Address: ch.Name}
	if ch.Caller != nil {
		from.Number, from.DisplayName = ch.Caller.Number, ch.Caller.Name
	}
	// ARI's JSON is UTF-8 already: Asterisk sends "" for a caller name that
	// is not (AST_JSON_UTF8_VALIDATE), so a Latin-1 name is lost upstream.
	// Clean still drops control characters and bounds the texts.
	from = from.Clean()
	lang := ch.Language
	if lang != "es" && lang != "en" {
		lang = "es"
	}
	return &call{
		e:    e,
		id:   ch.ID,
		from: from,
		to:   to,
		lang: lang,
		log:  e.log.With("call_id", ch.ID),
		dtmf: make(chan rune, dtmfBuffer),
		done: make(chan struct{}),
	}
}

func (c *call) ID() string            { return c.id }
func (c *call) From() ivr.Party       { return c.from }
func (c *call) To() string            { return c.to }
func (c *call) DTMF() <-chan rune     { return c.dtmf } // never closed: watch Done
func (c *call) Done() <-chan struct{} { return c.done }

// InboundMedia is unknown: ARI does not tell whether RTP arrives.
func (c *call) InboundMedia() ivr.MediaState { return ivr.MediaUnknown }
func (c *call) ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}
func (c *call) String() string { return "asterisk call " + c.id }

// end marks the call over (idempotent) and forgets it.
func (c *call) end(why string) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		c.why = why
		c.mu.Unlock()
		close(c.done)
		c.e.mu.Lock()
		if c.e.calls[c.id] == c {
			delete(c.e.calls, c.id)
		}
		c.e.mu.Unlock()
		c.log.Info("call ended", "reason", why)
	})
}

func (c *call) key(digit string) {
	if len(digit) != 1 || c.ended() {
		return
	}
	select {
	case c.dtmf <- rune(digit[0]):
	default:
		c.e.dropped.Add(1)
		c.log.Warn("dtmf dropped: reader too slow", "digit", digit)
	}
}

// Answer answers the channel (204; 404 gone, 409 not in Stasis).
func (c *call) Answer(ctx context.Context) error {
	if c.ended() {
		return ivr.ErrHungUp
	}
	if err := c.e.rest.do(ctx, "POST", "/channels/"+pathEsc(c.id)+"/answer", nil, nil); err != nil {
		return fmt.Errorf("asterisk: answer %s: %w", c.id, c.fail(err))
	}
	return nil
}

// fail maps an error of a request on the channel; a channel Asterisk no
// longer has (its events were lost) ends the call.
func (c *call) fail(err error) error {
	if statusOf(err) == 404 {
		c.end("channel not found")
	}
	return channelErr(err)
}

// Hangup hangs up the channel; a channel already gone is not an error.
func (c *call) Hangup(ctx context.Context, cause ivr.HangupCause) error {
	if c.ended() {
		return nil
	}
	err := c.e.rest.do(ctx, "DELETE", "/channels/"+pathEsc(c.id), reasonQuery(hangupReason(cause)), nil)
	if err != nil && statusOf(err) != 404 {
		return fmt.Errorf("asterisk: hang up %s: %w", c.id, err)
	}
	c.end("hung up by atiende: " + string(cause))
	return nil
}

// hangupReason maps a cause to the values DELETE /channels/{id} allows.
func hangupReason(cause ivr.HangupCause) string {
	switch cause {
	case ivr.CauseBusy:
		return "busy"
	case ivr.CauseNoAnswer:
		return "no_answer"
	case ivr.CauseRejected:
		return "rejected"
	case ivr.CauseUnavailable, ivr.CauseCongestion:
		return "congestion"
	}
	return "normal"
}

func reasonQuery(reason string) url.Values { return url.Values{"reason": {reason}} }
