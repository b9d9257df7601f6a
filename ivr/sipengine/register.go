package sipengine

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/emiago/sipgo/sip"
)

// limited applies the per-address rate limit; false means drop silently.
func (e *Engine) limited(req *sip.Request) bool {
	host, _, err := net.SplitHostPort(req.Source())
	if err != nil {
		host = req.Source()
	}
	ok, banned := e.lim.allow(host)
	if banned {
		e.log.Warn("rate limit exceeded: ignoring source", "source", host, "method", req.Method.String(), "for", e.cfg.RateLimit.Ban)
	}
	return !ok
}

func (e *Engine) handleOptions(req *sip.Request, tx sip.ServerTransaction) {
	if e.limited(req) {
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER"))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp, application/dtmf-relay, application/dtmf"))
	_ = tx.Respond(res)
}

func (e *Engine) handleRegister(req *sip.Request, tx sip.ServerTransaction) {
	if e.limited(req) {
		return
	}
	log := e.log.With("method", "REGISTER", "source", req.Source())
	respond := func(code int, reason string, hdrs ...sip.Header) {
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		for _, h := range hdrs {
			res.AppendHeader(h)
		}
		if err := tx.Respond(res); err != nil {
			log.Debug("respond failed", "error", err)
		}
	}
	to := req.To()
	if to == nil {
		respond(sip.StatusBadRequest, "Bad Request")
		return
	}
	res, user, stale := e.auth.check(req, e.password)
	switch res {
	case authChallenge:
		respond(sip.StatusUnauthorized, "Unauthorized", e.auth.challenge(stale))
		return
	case authDenied, authThrottled:
		// The same answer for an unknown user, a wrong password and a
		// throttled source.
		e.authRefused(log, res, user)
		respond(sip.StatusForbidden, "Forbidden")
		return
	}
	ext := to.Address.User
	if user != ext {
		log.Warn("register refused", "user", user, "aor", ext, "reason", "user does not own this extension")
		respond(sip.StatusForbidden, "Forbidden")
		return
	}

	contact := req.Contact()
	if contact == nil { // a query of current bindings
		b, _ := e.reg.lookup(ext)
		if b.status.Contact == "" {
			respond(sip.StatusOK, "OK")
			return
		}
		left := int(time.Until(b.expires).Seconds())
		respond(sip.StatusOK, "OK", sip.NewHeader("Contact", fmt.Sprintf("<%s>;expires=%d", b.status.Contact, max(left, 0))))
		return
	}
	expiry := requestExpiry(req, e.cfg.RegisterMaxExpiry)
	if contact.Address.Wildcard || expiry == 0 {
		if expiry != 0 {
			respond(sip.StatusBadRequest, "Bad Request")
			return
		}
		e.reg.unbind(ext, "unregistered")
		respond(sip.StatusOK, "OK")
		return
	}
	if expiry < e.cfg.RegisterMinExpiry {
		respond(sip.StatusIntervalToBrief, "Interval Too Brief",
			sip.NewHeader("Min-Expires", strconv.Itoa(int(e.cfg.RegisterMinExpiry.Seconds()))))
		return
	}
	expiry = min(expiry, e.cfg.RegisterMaxExpiry)
	ua := ""
	if h := req.GetHeader("User-Agent"); h != nil {
		ua = ivr.CleanText(h.Value()) // valid UTF-8 (Latin-1 decoded), bounded
	}
	transport := req.Transport()
	if t, ok := contact.Address.UriParams.Get("transport"); ok {
		transport = t
	}
	uri := *contact.Address.Clone()
	e.reg.bind(ext, uri, strings.ToLower(transport), req.Source(), ua, req.CallID().Value(), expiry)
	respond(sip.StatusOK, "OK",
		sip.NewHeader("Contact", fmt.Sprintf("<%s>;expires=%d", uri.String(), int(expiry.Seconds()))),
		sip.NewHeader("Expires", strconv.Itoa(int(expiry.Seconds()))))
}

func (e *Engine) password(user string) (string, bool) {
	pw, ok := e.cfg.Extensions[user]
	return pw, ok
}

// registrarLoop restores the registrations saved before a restart and
// qualifies them at once, then expires bindings every second and qualifies
// contacts every QualifyInterval, and each new binding as it is made,
// until ctx is done. The bindings stay
// saved at shutdown: the phones are still registered when Atiende is back.
func (e *Engine) registrarLoop(ctx context.Context) {
	if p := e.reg.persist; p != nil {
		done := make(chan struct{})
		go func() { defer close(done); p.run(ctx) }()
		defer func() { <-done }()
	}
	e.restore(ctx)
	if restored := e.reg.contacts(); len(restored) > 0 {
		e.waitListener(ctx)
		for ext, b := range restored {
			e.wg.Go(func() { e.qualify(ctx, ext, b) })
		}
	}
	expire := time.NewTicker(time.Second)
	defer expire.Stop()
	var qualify <-chan time.Time
	if e.cfg.QualifyInterval > 0 {
		t := time.NewTicker(e.cfg.QualifyInterval)
		defer t.Stop()
		qualify = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-expire.C:
			e.reg.expire()
		case <-qualify:
			for ext, b := range e.reg.contacts() {
				e.wg.Go(func() { e.qualify(ctx, ext, b) })
			}
		case ext := <-e.reg.fresh:
			if b, ok := e.reg.lookup(ext); ok && qualify != nil && b.status.State != ivr.ExtUnregistered {
				e.wg.Go(func() { e.qualify(ctx, ext, b) })
			}
		}
	}
}

// qualify sends one OPTIONS to an extension's contact.
func (e *Engine) qualify(parent context.Context, ext string, b binding) {
	rtt, err := e.ping(parent, b)
	if parent.Err() != nil {
		return // shutting down
	}
	e.reg.qualified(ext, b.contact, rtt, err)
}

// waitListener waits (at most 2 s) until sipgo serves the UDP listener:
// the client sends from its socket, and an OPTIONS sent before ServeUDP put
// it in the pool would leave from elsewhere and its answer be lost.
func (e *Engine) waitListener(ctx context.Context) {
	tl := e.ua.TransportLayer()
	for range 400 {
		if c, err := tl.GetConnection("udp", e.addr.String()); err == nil && c != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// ping sends one OPTIONS to b's contact and returns the round trip.
func (e *Engine) ping(parent context.Context, b binding) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(parent, e.cfg.QualifyTimeout)
	defer cancel()
	req := sip.NewRequest(sip.OPTIONS, *b.contact.Clone())
	if b.transport != "" {
		req.SetTransport(strings.ToUpper(b.transport))
	}
	start := time.Now()
	res, err := e.client.Do(ctx, req)
	if ctx.Err() != nil && err == nil {
		err = ctx.Err()
	}
	if err == nil && res.StatusCode >= 500 {
		err = fmt.Errorf("qualify: %s", res.StartLine())
	}
	return time.Since(start), err
}
