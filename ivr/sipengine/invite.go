package sipengine

import (
	"context"
	"log/slog"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"
)

// handleInvite routes a new inbound call: help-desk numbers go to h,
// extensions are rung for an authenticated extension, anything else is
// refused. It returns when the call is over (diago then tidies the dialog).
func (e *Engine) handleInvite(srvCtx context.Context, h ivr.Handler, d *diago.DialogServerSession) {
	e.handlers.Add(1)
	defer e.handlers.Add(-1)
	req := d.InviteRequest
	callID := req.CallID().Value()
	to, from := dialled(req), d.FromUser()
	log := e.log.With("call_id", callID, "from", from, "to", to, "source", req.Source())
	respond := func(code int, reason string, hdrs ...sip.Header) {
		if err := d.Respond(code, reason, nil, hdrs...); err != nil {
			log.Debug("respond failed", "error", err)
		}
	}
	if !e.up.Load() {
		respond(sip.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	switch {
	case e.cfg.isHelpDesk(to):
		host := sourceHost(req)
		if !e.takeSlot(host) {
			e.edge.refused.Add(1)
			log.Warn("call refused", "reason", "too many calls from this source", "max", e.cfg.MaxCallsPerSource)
			respond(sip.StatusBusyHere, "Busy Here")
			return
		}
		defer e.freeSlot(host)
		e.serveHelpDesk(srvCtx, h, d, log)
	default:
		// Every other number is challenged alike, an extension or not
		// (alwaysauthreject): what exists is told only after authentication.
		res, user, stale := e.auth.check(req, e.password)
		switch {
		case res == authChallenge:
			respond(sip.StatusUnauthorized, "Unauthorized", e.auth.challenge(stale))
		case res != authOK:
			e.authRefused(log, res, user)
			respond(sip.StatusForbidden, "Forbidden")
		case user != from:
			log.Warn("call refused", "reason", "caller not authenticated as an extension", "user", user)
			respond(sip.StatusForbidden, "Forbidden")
		case !e.isExtension(to):
			log.Warn("call refused", "reason", "number is not ours")
			respond(sip.StatusNotFound, "Not Found")
		default:
			e.routeExtension(srvCtx, d, log)
		}
	}
}

func (e *Engine) isExtension(n string) bool {
	_, ok := e.cfg.Extensions[n]
	return ok
}

// inboundCall wraps d as an ivr.Call. The caller's texts are made valid
// UTF-8 here, at the edge (Latin-1 display names are common), so that
// nothing downstream stores bytes PostgreSQL refuses.
func (e *Engine) inboundCall(d *diago.DialogServerSession) *call {
	req := d.InviteRequest
	p := ivr.Party{Number: d.FromUser(), Address: req.Source()}
	if f := req.From(); f != nil {
		p.DisplayName = f.DisplayName
	}
	if ua := req.GetHeader("User-Agent"); ua != nil {
		p.UserAgent = ua.Value()
	}
	return newCall(e, req.CallID().Value(), p.Clean(), dialled(req), d, d)
}

// serveHelpDesk runs h for the call; the handler's ctx ends with the call
// or the engine.
func (e *Engine) serveHelpDesk(srvCtx context.Context, h ivr.Handler, d *diago.DialogServerSession, log *slog.Logger) {
	_ = d.Trying()
	c := e.inboundCall(d)
	ctx, cancel := context.WithCancel(srvCtx)
	defer cancel()
	// The handler's ctx ends after the call is marked done (finish runs
	// when the dialog ends), never before: a handler that sees its ctx end
	// can tell the caller's hang-up (Done closed) from a shutdown.
	stop := context.AfterFunc(c.ended, cancel)
	defer stop()
	log.Info("help-desk call")
	func() {
		defer func() {
			if r := recover(); r != nil {
				c.log.Error("handler panicked", "panic", r)
			}
		}()
		h.HandleCall(ctx, c)
	}()
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer hcancel()
	if err := c.Hangup(hctx, ivr.CauseNormal); err != nil {
		c.log.Debug("hangup after handler", "error", err)
	}
}

// routeExtension hands an authenticated extension's call to another
// extension to the internal handler, which rings and bridges (and applies
// the extension's rule); the caller hears ringing meanwhile.
func (e *Engine) routeExtension(srvCtx context.Context, d *diago.DialogServerSession, log *slog.Logger) {
	caller := e.inboundCall(d)
	ctx, cancel := context.WithCancel(srvCtx)
	defer cancel()
	stop := context.AfterFunc(d.Context(), cancel)
	defer stop()
	go func() {
		select {
		case <-caller.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	_ = d.Ringing()
	h := e.cfg.Internal
	if h == nil {
		h = &ivr.ExtRouter{Dialer: e, RingTimeout: e.cfg.RingTimeout, Log: e.log}
	}
	log.Info("extension call")
	func() {
		defer func() {
			if r := recover(); r != nil {
				log.Error("internal handler panicked", "panic", r)
			}
		}()
		h.HandleCall(ctx, caller)
	}()
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer hcancel()
	_ = caller.Hangup(hctx, ivr.CauseNormal)
}

// handleInfo takes SIP INFO DTMF for a call in progress.
func (e *Engine) handleInfo(req *sip.Request, tx sip.ServerTransaction) {
	respond := func(code int, reason string) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
	}
	id := req.CallID()
	if id == nil {
		respond(sip.StatusBadRequest, "Missing Call-ID")
		return
	}
	v, ok := e.calls.Load(id.Value())
	if !ok {
		respond(sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	k, ok := parseInfoDTMF(ct, req.Body())
	if !ok {
		respond(sip.StatusUnsupportedMediaType, "Unsupported Media Type")
		return
	}
	v.(*call).pushDTMF(k, "info")
	respond(sip.StatusOK, "OK")
}
