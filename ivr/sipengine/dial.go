package sipengine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

var errRingTimeout = errors.New("ring timeout")

// Dial rings a registered extension and returns the answered call.
func (e *Engine) Dial(ctx context.Context, target string, opts ivr.DialOptions) (ivr.Call, error) {
	if !e.up.Load() {
		return nil, ivr.ErrEngineDown
	}
	b, ok := e.reg.lookup(target)
	if !ok {
		return nil, fmt.Errorf("sipengine: dial %s: not an extension: %w", target, ivr.ErrUnreachable)
	}
	if b.status.State != ivr.ExtRegistered {
		return nil, fmt.Errorf("sipengine: dial %s: %s: %w", target, b.status.State, ivr.ErrUnreachable)
	}
	log := e.log.With("extension", target, "contact", b.status.Contact)
	d, err := e.dg.NewDialog(*b.contact.Clone(), diago.NewDialogOptions{Transport: b.transport})
	if err != nil {
		return nil, fmt.Errorf("sipengine: dial %s: %w", target, err)
	}

	timeout := cmp.Or(opts.Timeout, e.cfg.RingTimeout)
	noResponse := min(timeout, cmp.Or(e.cfg.QualifyTimeout, 5*time.Second))
	ictx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var responded, ringing atomic.Bool
	giveUp := func(ringTimeout bool) func() {
		return func() {
			if responded.Load() && ringTimeout {
				cancel(errRingTimeout) // CANCEL, then wait for the 487
			} else if !responded.Load() {
				// Nothing to CANCEL: stop waiting at once.
				cancel(sipgo.WaitAnswerForceCancelErr)
			}
		}
	}
	t1 := time.AfterFunc(noResponse, giveUp(false))
	t2 := time.AfterFunc(timeout, giveUp(true))
	defer t1.Stop()
	defer t2.Stop()

	iopts := diago.InviteClientOptions{
		OnResponse: func(res *sip.Response) error {
			responded.Store(true)
			if (res.StatusCode == 180 || res.StatusCode == 183) && !ringing.Swap(true) && opts.OnRinging != nil {
				opts.OnRinging()
			}
			return nil
		},
	}
	if opts.CallerID != "" {
		iopts.WithCaller(opts.CallerName, opts.CallerID, cmp.Or(e.cfg.ExternalHost, e.addr.IP.String()))
	}
	log.Info("dialing")
	if err := d.Invite(ictx, iopts); err != nil {
		_ = d.Close()
		err = dialError(ctx, ictx, err, responded.Load())
		log.Info("dial failed", "reason", err.Error())
		return nil, fmt.Errorf("sipengine: dial %s: %w", target, err)
	}
	callID := d.InviteRequest.CallID().Value()
	if err := d.Ack(ctx); err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("sipengine: dial %s: ack: %w", target, err)
	}
	c := newCall(e, callID, ivr.Party{Number: target, UserAgent: b.status.UserAgent, Address: b.status.Contact}, target, d, nil)
	c.startMedia(d.InviteResponse.Body())
	return c, nil
}

// dialError maps an INVITE failure to the port's errors.
func dialError(ctx, ictx context.Context, err error, responded bool) error {
	switch cause := context.Cause(ictx); {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(cause, errRingTimeout):
		return ivr.ErrNoAnswer
	case errors.Is(cause, sipgo.WaitAnswerForceCancelErr) && responded:
		return ivr.ErrNoAnswer
	case errors.Is(cause, sipgo.WaitAnswerForceCancelErr):
		return fmt.Errorf("no response: %w", ivr.ErrUnreachable)
	}
	var de *sipgo.ErrDialogResponse
	if errors.As(err, &de) {
		code := de.Res.StatusCode
		switch code {
		case sip.StatusBusyHere, 600:
			return fmt.Errorf("%d: %w", code, ivr.ErrBusy)
		case sip.StatusGlobalDecline:
			return fmt.Errorf("%d: %w", code, ivr.ErrDeclined)
		case sip.StatusRequestTimeout, sip.StatusRequestTerminated:
			return fmt.Errorf("%d: %w", code, ivr.ErrNoAnswer)
		}
		return fmt.Errorf("%d: %w", code, ivr.ErrUnreachable)
	}
	return errors.Join(ivr.ErrUnreachable, err)
}
