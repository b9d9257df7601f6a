package asterisk

import (
	"context"
	"regexp"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/atiende/atiende/ivr"
)

// internalArg is the first Stasis argument of a call from one extension to
// another: Stasis(atiende,internal,${EXTEN},${CHANNEL(endpoint)}).
const internalArg = "internal"

// extNumber is what may follow "internal": digits, as the dialplan's _1XXX.
var extNumber = regexp.MustCompile(`^[0-9]{1,15}$`)

// internalStart takes an internal call into the app: the dialled extension
// and the calling endpoint come from the Stasis arguments (the endpoint is
// the PJSIP account that authenticated, unlike a caller ID the phone sets).
// It rings the caller and hands the call to the internal handler.
func (e *Engine) internalStart(sctx context.Context, ch ari.ChannelData, args []string) {
	to, from := "", ""
	if len(args) > 0 {
		to = args[0]
	}
	if len(args) > 1 {
		from = args[1]
	}
	if !extNumber.MatchString(to) {
		e.hangupLater(ch.ID, "rejected", "internal call with a bad extension argument")
		return
	}
	c := e.newCall(ch, to)
	if extNumber.MatchString(from) {
		c.from.Number = from
	}
	h := e.cfg.Internal
	if h == nil {
		h = &ivr.ExtRouter{Dialer: e, RingTimeout: e.cfg.RingTimeout, Log: e.log}
	}
	e.mu.Lock()
	e.calls[ch.ID] = c
	e.handlers.Add(1)
	e.mu.Unlock()
	c.log.Info("internal call in", "from", c.from.Number, "to", to)
	go func() {
		// The caller hears ringing while the extension rings (Asterisk
		// sends 180 on a channel in Stasis told to ring).
		ctx, cancel := context.WithTimeout(sctx, e.cfg.RequestTimeout)
		err := e.rest.do(ctx, "POST", "/channels/"+pathEsc(ch.ID)+"/ring", nil, nil)
		cancel()
		if err != nil {
			c.log.Debug("ring indication failed", "error", err)
		}
		e.runHandler(sctx, h, c)
	}()
}
