package ivr

import (
	"context"
	"sync/atomic"
)

// CauseCongestion refuses a call because the help desk is at capacity: the
// embedded engine answers 503 Service Unavailable with Retry-After, Asterisk
// hangs the channel up with the congestion cause. Only meaningful before the
// call is answered.
const CauseCongestion HangupCause = "congestion"

// Admission caps the calls the help desk handles at once (IVR, queue,
// agent: from the INVITE until the handler returns). Past the cap a new
// call is refused at once, before it is answered, with CauseCongestion: no
// RTP port, no database query, no prompt. Calls already in progress are
// never touched. The cap is what the machine and its database sustain
// (measured with make bench): beyond it every call would wait on the
// database and fail late, after the caller has listened for seconds.
type Admission struct {
	max    int64
	active atomic.Int64
	shed   atomic.Uint64
}

// NewAdmission admits up to max calls at once; max <= 0 admits every call
// (the counters still count).
func NewAdmission(max int) *Admission { return &Admission{max: int64(max)} }

// Handler wraps h: a call over the cap is hung up with CauseCongestion
// instead of reaching h.
func (a *Admission) Handler(h Handler) Handler {
	return HandlerFunc(func(ctx context.Context, c Call) {
		if !a.take() {
			a.shed.Add(1)
			_ = c.Hangup(ctx, CauseCongestion)
			return
		}
		defer a.active.Add(-1)
		h.HandleCall(ctx, c)
	})
}

func (a *Admission) take() bool {
	for {
		n := a.active.Load()
		if a.max > 0 && n >= a.max {
			return false
		}
		if a.active.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// AdmissionCounts are the admission's figures for metrics.
type AdmissionCounts struct {
	Active int64  // calls being handled now
	Limit  int64  // the cap; 0: none
	Shed   uint64 // calls refused at the cap, since start
}

// Counts returns the current figures.
func (a *Admission) Counts() AdmissionCounts {
	return AdmissionCounts{Active: a.active.Load(), Limit: max(a.max, 0), Shed: a.shed.Load()}
}
