package ivr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"
)

var _ Handler = (*ExtRouter)(nil)

// Dialer rings a target; every Engine is one.
type Dialer interface {
	Dial(ctx context.Context, target string, opts DialOptions) (Call, error)
}

// CallActivity hears when an extension starts and ends an internal call
// (extension to extension, or an extension the router sent to a queue or
// the menu). peer is the other extension, or "" when there is none. An
// extension can be on several calls at once: every Started has its Ended.
// Implementations must return at once.
type CallActivity interface {
	InternalCallStarted(ext, peer string)
	InternalCallEnded(ext, peer string)
}

// CallActivities fans activity out to several listeners.
type CallActivities []CallActivity

func (cs CallActivities) InternalCallStarted(ext, peer string) {
	for _, c := range cs {
		c.InternalCallStarted(ext, peer)
	}
}

func (cs CallActivities) InternalCallEnded(ext, peer string) {
	for _, c := range cs {
		c.InternalCallEnded(ext, peer)
	}
}

// ExtRule is what happens to a call for an extension that is busy, not
// registered (or not reachable) or does not answer in its ring timeout. At
// most one of Forward, Queue and Menu is set; none: the caller gets busy or
// unavailable.
type ExtRule struct {
	RingTimeout time.Duration // 0: the router's default
	Forward     string        // ring this other extension instead (once: its own rule is not followed)
	Queue       string        // queue the call, as a help-desk call
	Menu        bool          // the help-desk menu (IVR)
}

// Check reports a rule that cannot work, naming ext.
func (r ExtRule) Check(ext string) error {
	n := 0
	if r.Forward != "" {
		n++
	}
	if r.Queue != "" {
		n++
	}
	if r.Menu {
		n++
	}
	switch {
	case n > 1:
		return fmt.Errorf("extension %s: choose one of forward, queue and menu, not %d", ext, n)
	case r.Forward == ext:
		return fmt.Errorf("extension %s: forward to itself", ext)
	case r.RingTimeout < 0:
		return fmt.Errorf("extension %s: ring_timeout %s is negative", ext, r.RingTimeout)
	case r.RingTimeout > 0 && r.RingTimeout < time.Second:
		return fmt.Errorf("extension %s: ring_timeout %s is under 1s", ext, r.RingTimeout)
	case r.RingTimeout > 5*time.Minute:
		return fmt.Errorf("extension %s: ring_timeout %s is over 5m", ext, r.RingTimeout)
	}
	return nil
}

// ExtRouter routes internal calls, the same way on every engine: it rings
// the dialled extension and bridges the caller to it; when the extension is
// busy, not registered or does not answer, it applies the extension's rule.
// It is the Handler an engine gives its internal calls; the call's To is the
// dialled extension and From().Number the calling extension. Set its fields
// before the engine serves.
type ExtRouter struct {
	Dialer      Dialer
	RingTimeout time.Duration      // default 20 s
	Rules       map[string]ExtRule // by extension
	// Queue puts an answered call into a queue and returns when it is over
	// for the queue; nil: a queue rule gives the caller "unavailable".
	Queue func(ctx context.Context, c Call, queue string) error
	// Menu is the help-desk handler (the IVR); nil: as Queue.
	Menu     Handler
	Activity CallActivity // nil: nobody is told
	Log      *slog.Logger
}

// CheckRules reports the first bad rule, in extension order. known, if not
// nil, says whether an extension exists; queue whether a queue does.
func CheckRules(rules map[string]ExtRule, known, queue func(string) bool) error {
	exts := make([]string, 0, len(rules))
	for x := range rules {
		exts = append(exts, x)
	}
	sort.Strings(exts)
	for _, x := range exts {
		r := rules[x]
		if err := r.Check(x); err != nil {
			return err
		}
		if known != nil && !known(x) {
			return fmt.Errorf("extension %s: no such extension", x)
		}
		if r.Forward != "" && known != nil && !known(r.Forward) {
			return fmt.Errorf("extension %s: forward to %s, which is not an extension", x, r.Forward)
		}
		if r.Queue != "" && queue != nil && !queue(r.Queue) {
			return fmt.Errorf("extension %s: queue %q does not exist", x, r.Queue)
		}
	}
	return nil
}

// HandleCall routes c and returns when the call is over for Atiende. It
// hangs c up with the cause the caller should hear when nothing answers.
func (r *ExtRouter) HandleCall(ctx context.Context, c Call) {
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	from, to := c.From().Number, c.To()
	log = log.With("call_id", c.ID(), "from", from, "to", to)
	r.started(from, to)
	peer := to
	defer func() { r.ended(from, peer) }()
	log.Info("internal call")

	err := r.ringAndBridge(ctx, c, to, log)
	if err == nil || !routable(err) {
		r.fail(c, err, log)
		return
	}
	rule := r.Rules[to]
	switch {
	case rule.Forward != "":
		log.Info("internal call forwarded", "reason", reasonOf(err), "forward", rule.Forward)
		r.switchPeer(from, &peer, rule.Forward)
		r.fail(c, r.ringAndBridge(ctx, c, rule.Forward, log), log)
	case rule.Queue != "" && r.Queue != nil:
		log.Info("internal call queued", "reason", reasonOf(err), "queue", rule.Queue)
		r.switchPeer(from, &peer, "")
		if err := c.Answer(ctx); err != nil {
			log.Warn("internal call: answer caller failed", "error", err)
			return
		}
		if err := r.Queue(ctx, c, rule.Queue); err != nil && ctx.Err() == nil {
			log.Warn("internal call: queue failed", "queue", rule.Queue, "error", err)
			r.fail(c, ErrUnreachable, log)
		}
	case rule.Menu && r.Menu != nil:
		log.Info("internal call sent to the help-desk menu", "reason", reasonOf(err))
		r.switchPeer(from, &peer, "")
		r.Menu.HandleCall(ctx, c)
	default:
		r.fail(c, err, log)
	}
}

// ringAndBridge rings ext; when it answers, it answers c, bridges both and
// returns nil when the call is over.
func (r *ExtRouter) ringAndBridge(ctx context.Context, c Call, ext string, log *slog.Logger) error {
	timeout := r.RingTimeout
	if t := r.Rules[ext].RingTimeout; t > 0 {
		timeout = t
	}
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	from := c.From()
	callee, err := r.Dialer.Dial(ctx, ext, DialOptions{Timeout: timeout, CallerID: from.Number, CallerName: from.DisplayName})
	if err != nil {
		return err
	}
	r.started(ext, from.Number)
	defer r.ended(ext, from.Number)
	defer func() {
		// 5 s from the end of the call, not from its answer: the hang-up
		// of a call longer than that would fail and leave the callee up.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := callee.Hangup(hctx, CauseNormal); err != nil {
			log.Warn("internal call: hang up the called extension failed", "by", ext, "error", err)
		}
	}()
	if err := c.Answer(ctx); err != nil {
		log.Warn("internal call: answer caller failed", "error", err)
		return nil // the caller is gone: nothing to route
	}
	log.Info("internal call answered", "by", ext)
	_ = c.Bridge(ctx, callee)
	return nil
}

func (r *ExtRouter) switchPeer(from string, peer *string, to string) {
	r.ended(from, *peer)
	*peer = to
	r.started(from, to)
}

// fail hangs c up with the cause err maps to (nil: normally).
func (r *ExtRouter) fail(c Call, err error, log *slog.Logger) {
	cause := CauseNormal
	if err != nil {
		cause = DialCause(err)
		log.Info("internal call not connected", "reason", reasonOf(err), "error", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.Hangup(ctx, cause)
}

func (r *ExtRouter) started(ext, peer string) {
	if r.Activity != nil && ext != "" {
		r.Activity.InternalCallStarted(ext, peer)
	}
}

func (r *ExtRouter) ended(ext, peer string) {
	if r.Activity != nil && ext != "" {
		r.Activity.InternalCallEnded(ext, peer)
	}
}

// routable tells the failures an extension rule applies to.
func routable(err error) bool {
	return errors.Is(err, ErrBusy) || errors.Is(err, ErrNoAnswer) || errors.Is(err, ErrUnreachable) ||
		errors.Is(err, ErrDeclined)
}

// reasonOf names a Dial failure for the log.
func reasonOf(err error) string {
	switch {
	case errors.Is(err, ErrBusy):
		return "busy"
	case errors.Is(err, ErrNoAnswer):
		return "no_answer"
	case errors.Is(err, ErrUnreachable):
		return "unreachable"
	case errors.Is(err, ErrDeclined):
		return "declined"
	case errors.Is(err, context.Canceled):
		return "caller left"
	}
	return err.Error()
}

// DialCause is the cause a caller hears when a Dial fails with err.
func DialCause(err error) HangupCause {
	switch {
	case errors.Is(err, ErrBusy):
		return CauseBusy
	case errors.Is(err, ErrNoAnswer):
		return CauseNoAnswer
	case errors.Is(err, ErrDeclined):
		return CauseRejected
	}
	return CauseUnavailable
}

// ExtensionCalls is an extension's internal call activity at a moment.
type ExtensionCalls struct {
	Extension string `json:"extension"`
	// Peers has one entry per call the extension is on: the other
	// extension, or "" for a queue or the help-desk menu. Empty: idle.
	Peers []string `json:"peers"`
	// Since is when the oldest of those calls began.
	Since time.Time `json:"since,omitzero"`
}
