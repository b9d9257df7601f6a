package acd

import "github.com/atiende/atiende/ivr"

var _ ivr.CallActivity = (*ACD)(nil)

// InternalCallStarted marks ext as on an internal call (a call between
// extensions, not from a queue): its agent, if any, stays in its state but
// gets no queue offer until the call ends.
func (a *ACD) InternalCallStarted(ext, peer string) {
	if ext == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.internal == nil {
		a.internal = map[string]int{}
	}
	a.internal[ext]++
}

// InternalCallEnded undoes one InternalCallStarted of ext; when ext is on no
// internal call any more, waiting calls may be offered to its agent.
func (a *ACD) InternalCallEnded(ext, peer string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := a.internal[ext]
	switch {
	case n <= 0:
		return
	case n == 1:
		delete(a.internal, ext)
		a.dispatchLocked()
	default:
		a.internal[ext] = n - 1
	}
}

// OnInternalCall reports whether ext is on an internal call.
func (a *ACD) OnInternalCall(ext string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.internal[ext] > 0
}
