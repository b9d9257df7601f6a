package sipengine

import (
	"net"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Stats are the engine's counters of calls and requests it refused or
// ended on its own. They only grow.
type Stats struct {
	// CallsRefused counts unauthenticated calls refused because their
	// source already had MaxCallsPerSource calls.
	CallsRefused uint64
	// CallsReaped counts calls the engine tore down on its own: answered
	// and never ACKed (after Timer H, AckTimeout, or at shutdown), or
	// silent for RTPTimeout.
	CallsReaped uint64
	// CallsRTPTimeout counts the calls of CallsReaped hung up because the
	// peer sent no RTP for RTPTimeout (rtptimeout.go).
	CallsRTPTimeout uint64
	// AuthThrottled counts authenticated requests refused by the digest
	// throttle without checking the password.
	AuthThrottled uint64
}

// Stats returns the counters.
func (e *Engine) Stats() Stats {
	return Stats{CallsRefused: e.edge.refused.Load(), CallsReaped: e.edge.reaped.Load(),
		CallsRTPTimeout: e.edge.rtpTimeouts.Load(), AuthThrottled: e.edge.throttled.Load()}
}

// takeSlot reserves one of host's unauthenticated call slots; false means
// host has MaxCallsPerSource calls up already.
func (e *Engine) takeSlot(host string) bool {
	e.edge.mu.Lock()
	defer e.edge.mu.Unlock()
	if e.edge.calls == nil {
		e.edge.calls = map[string]int{}
	}
	if e.edge.calls[host] >= e.cfg.MaxCallsPerSource {
		return false
	}
	e.edge.calls[host]++
	return true
}

func (e *Engine) freeSlot(host string) {
	e.edge.mu.Lock()
	defer e.edge.mu.Unlock()
	if e.edge.calls[host]--; e.edge.calls[host] <= 0 {
		delete(e.edge.calls, host)
	}
}

// sourceHost is the IP of a request's source address.
func sourceHost(req *sip.Request) string {
	host, _, err := net.SplitHostPort(req.Source())
	if err != nil {
		return req.Source()
	}
	return host
}

// answerWatch runs f (which sends 200 OK and waits for the ACK) and ends
// the dialog if no ACK came within Timer H: diago's wait retransmits for
// ever (sipgo dialog_server.go), holding the RTP port and the handler.
func (c *call) answerWatch(f func() error) error {
	t := time.AfterFunc(c.e.cfg.AckTimeout, func() {
		if c.server.LoadState() < sip.DialogStateConfirmed && c.endUnacked() {
			c.log.Warn("call not acknowledged: ended", "reason", "no ACK within Timer H", "timer_h", c.e.cfg.AckTimeout)
		}
	})
	defer t.Stop()
	return f()
}

// endUnacked ends an inbound dialog whose 2xx was never ACKed (or that
// shutdown cuts before its ACK), without sending anything: the dialog
// ends as if the caller had sent BYE, which releases diago's wait for the
// ACK, the media and the call's goroutines. It reports whether it ended
// the dialog.
func (c *call) endUnacked() bool {
	if c.server == nil || c.server.LoadState() >= sip.DialogStateConfirmed {
		return false
	}
	bye := c.server.InviteRequest.Clone()
	bye.Method = sip.BYE
	if err := c.server.DialogServerSession.ReadBye(bye, localTx{}); err != nil {
		c.log.Debug("end unacknowledged call", "error", err)
		return false
	}
	c.e.edge.reaped.Add(1)
	c.finish()
	return true
}

// localTx is the server transaction of a BYE the engine makes up to end a
// dialog locally: its response goes nowhere.
type localTx struct{}

func (localTx) Terminate()                         {}
func (localTx) OnTerminate(sip.FnTxTerminate) bool { return false }
func (localTx) Done() <-chan struct{}              { return closedCh }
func (localTx) Err() error                         { return nil }
func (localTx) Respond(*sip.Response) error        { return nil }
func (localTx) Acks() <-chan *sip.Request          { return nil }
func (localTx) OnCancel(sip.FnTxCancel) bool       { return false }

var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// stop ends every call and waits for the engine's goroutines, for at most
// StopTimeout: calls are hung up (BYE, or a final response), calls never
// ACKed are ended locally, and what still runs at the deadline is logged
// and left behind rather than holding the process.
func (e *Engine) stop(pc net.PacketConn, ln net.Listener) {
	deadline := time.Now().Add(e.cfg.StopTimeout)
	part := e.cfg.StopTimeout / 3
	within(part, e.hangupAll)
	e.calls.Range(func(_, v any) bool {
		v.(*call).endUnacked()
		return true
	})
	e.waitHandlers(part)
	pc.Close()
	ln.Close()
	if !within(time.Until(deadline), e.wg.Wait) {
		n := 0
		e.calls.Range(func(_, v any) bool {
			n++
			v.(*call).finish()
			return true
		})
		e.log.Warn("stop timeout: calls and goroutines left behind", "timeout", e.cfg.StopTimeout, "calls", n, "handlers", e.handlers.Load())
	}
}

// within runs f and waits for it at most d; it reports whether f returned.
func within(d time.Duration, f func()) bool {
	done := make(chan struct{})
	go func() { f(); close(done) }()
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
