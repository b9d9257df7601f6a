package sipengine

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo/sip"
)

// leg is what a call needs from diago's server or client dialog.
type leg interface {
	Media() *diago.DialogMedia
	Context() context.Context
	Hangup(ctx context.Context) error
	Close() error
}

// call is an ivr.Call over one diago dialog (inbound or outbound leg).
type call struct {
	e      *Engine
	id     string // SIP Call-ID
	from   ivr.Party
	to     string
	log    *slog.Logger
	leg    leg
	server *diago.DialogServerSession // nil for outbound legs

	answered   atomic.Bool
	hungUp     atomic.Bool
	hangMu     sync.Mutex // held through Hangup: a second caller waits for the first
	done       chan struct{}
	ended      context.Context // done when done is closed, for context.AfterFunc
	end        context.CancelFunc
	finishOnce sync.Once

	dtmfMu     sync.Mutex
	dtmf       chan rune
	dtmfClosed bool

	peer    atomic.Pointer[call] // bridged call receiving our audio
	relayed atomic.Uint64        // audio packets forwarded to a peer
	inbound atomic.Uint64        // RTP packets received, any payload
	held    atomic.Bool          // the peer put the call on hold (rtptimeout.go)
	m       mediaInfo            // set before answered is true
}

func newCall(e *Engine, id string, from ivr.Party, to string, l leg, server *diago.DialogServerSession) *call {
	c := &call{
		e: e, id: id, from: from, to: to, leg: l, server: server,
		log:  e.log.With("call_id", id),
		done: make(chan struct{}),
		dtmf: make(chan rune, 32),
	}
	c.ended, c.end = context.WithCancel(context.Background())
	e.calls.Store(id, c)
	// The dialog's context ends on BYE, CANCEL or a final failure; a call
	// ended here (a hang-up the far end never confirmed) finishes at once.
	// No goroutine waits for either: context.AfterFunc runs finish then.
	e.wg.Add(1)                              // Done in finish
	context.AfterFunc(l.Context(), c.finish) // a no-op once finished
	return c
}

// finish releases the call's media and marks it done.
func (c *call) finish() {
	c.finishOnce.Do(func() {
		defer c.e.wg.Done()
		c.hungUp.Store(true)
		_ = c.leg.Close() // closes RTP: ends the media reader
		c.e.calls.Delete(c.id)
		close(c.done)
		c.end()
		c.log.Debug("call ended")
	})
}

func (c *call) ID() string            { return c.id }
func (c *call) From() ivr.Party       { return c.from }
func (c *call) To() string            { return c.to }
func (c *call) Done() <-chan struct{} { return c.done }
func (c *call) DTMF() <-chan rune     { return c.dtmf }

// InboundMedia tells whether any RTP packet arrived since the answer.
func (c *call) InboundMedia() ivr.MediaState {
	if c.inbound.Load() > 0 {
		return ivr.MediaSeen
	}
	return ivr.MediaNone
}

// Answer answers an inbound call (200 OK with SDP) and starts reading its
// media; an outbound call is already answered.
func (c *call) Answer(ctx context.Context) error {
	if c.answered.Load() {
		return nil
	}
	if isClosed(c.done) {
		return ivr.ErrHungUp
	}
	if err := c.answerWatch(func() error { return c.server.AnswerOptions(diago.AnswerOptions{}) }); err != nil {
		if isClosed(c.done) || c.leg.Context().Err() != nil {
			return ivr.ErrHungUp
		}
		return fmt.Errorf("sipengine: answer %s: %w", c.id, err)
	}
	c.startMedia(c.server.InviteRequest.Body())
	return nil
}

// startMedia records the negotiated codecs and starts the reader that
// feeds DTMF and bridged audio for the whole call.
func (c *call) startMedia(remoteSDP []byte) {
	d := c.leg.Media()
	c.m = mediaInfo{
		codec:  media.CodecAudioFromSession(d.MediaSession()),
		tePT:   telephoneEventPT(remoteSDP),
		reader: d.RTPPacketReader,
		writer: d.RTPPacketWriter,
	}
	c.answered.Store(true)
	c.e.wg.Go(c.readMedia)
	c.e.wg.Go(c.watchRTP) // rtptimeout.go
	c.log.Info("call answered", "codec", c.m.codec.Name, "dtmf_pt", c.m.tePT)
}

// pushDTMF delivers a key without blocking; keys are dropped if nobody reads.
func (c *call) pushDTMF(k rune, via string) {
	c.dtmfMu.Lock()
	defer c.dtmfMu.Unlock()
	if c.dtmfClosed {
		return
	}
	select {
	case c.dtmf <- k:
		c.log.Debug("dtmf", "key", string(k), "via", via)
	default:
		c.log.Warn("dtmf dropped: nobody reading", "key", string(k))
	}
}

func (c *call) closeDTMF() {
	c.dtmfMu.Lock()
	defer c.dtmfMu.Unlock()
	if !c.dtmfClosed {
		c.dtmfClosed = true
		close(c.dtmf)
	}
}

// Hangup ends the call: BYE when answered, a final response (or CANCEL for
// an outbound leg) before that.
//
// A Hangup that finds another one in progress (the shutdown's and the
// handler's) waits for it: the handler must not hand the dialog back to
// diago, which answers it too, while a response is being written.
func (c *call) Hangup(ctx context.Context, cause ivr.HangupCause) error {
	c.hangMu.Lock()
	defer c.hangMu.Unlock()
	if c.hungUp.Swap(true) {
		return nil
	}
	defer c.finish()
	c.log.Info("hangup", "cause", string(cause))
	if c.server != nil && c.server.LoadState() == sip.DialogStateEstablished && !c.answered.Load() {
		// 200 OK sent, no ACK yet: no final response may follow, and a BYE
		// would wait for the ACK. End the dialog here.
		c.endUnacked()
		return nil
	}
	if c.server != nil && c.server.LoadState() < sip.DialogStateConfirmed && !c.answered.Load() {
		code, reason := causeResponse(cause)
		var hdrs []sip.Header
		if cause == ivr.CauseCongestion {
			hdrs = append(hdrs, sip.NewHeader("Retry-After", strconv.Itoa(retryAfterSeconds(c.e.cfg.CongestionRetryAfter))))
		}
		err := c.server.Respond(code, reason, nil, hdrs...)
		if err != nil && c.leg.Context().Err() == nil {
			return fmt.Errorf("sipengine: hangup %s: %w", c.id, err)
		}
		return nil
	}
	if err := c.leg.Hangup(ctx); err != nil && c.leg.Context().Err() == nil {
		return fmt.Errorf("sipengine: hangup %s: %w", c.id, err)
	}
	return nil
}

// causeResponse is the final response refusing an unanswered call.
func causeResponse(cause ivr.HangupCause) (int, string) {
	switch cause {
	case ivr.CauseBusy:
		return sip.StatusBusyHere, "Busy Here"
	case ivr.CauseRejected:
		return sip.StatusGlobalDecline, "Decline"
	case ivr.CauseNoAnswer:
		return sip.StatusTemporarilyUnavailable, "No Answer"
	case ivr.CauseCongestion:
		return sip.StatusServiceUnavailable, "Service Unavailable"
	default:
		return sip.StatusTemporarilyUnavailable, "Temporarily Unavailable"
	}
}

// retryAfterSeconds is a 503's Retry-After in whole seconds (at least 1).
func retryAfterSeconds(d time.Duration) int {
	if d <= 0 {
		d = 10 * time.Second
	}
	return max(int((d+time.Second-1)/time.Second), 1)
}

// Bridge relays audio both ways until either call ends or ctx is done.
func (c *call) Bridge(ctx context.Context, other ivr.Call) error {
	o, ok := other.(*call)
	if !ok || o.e != c.e {
		return fmt.Errorf("sipengine: bridge %s: other call is not from this engine", c.id)
	}
	if !c.answered.Load() || !o.answered.Load() {
		return fmt.Errorf("sipengine: bridge %s with %s: both calls must be answered", c.id, o.id)
	}
	c.peer.Store(o)
	o.peer.Store(c)
	defer func() {
		c.peer.CompareAndSwap(o, nil)
		o.peer.CompareAndSwap(c, nil)
	}()
	c.log.Info("bridged", "with", o.id)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
	case <-o.done:
	}
	return nil
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
