package hub

import "github.com/atiende/atiende/agentdesk"

// ring keeps the last events, in Seq order, for clients that resume.
type ring struct {
	buf   []agentdesk.Event
	start int // index of the oldest
	n     int
}

func newRing(size int) *ring { return &ring{buf: make([]agentdesk.Event, size)} }

func (r *ring) reset() { r.start, r.n = 0, 0 }

func (r *ring) add(e agentdesk.Event) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = e
		r.n++
		return
	}
	r.buf[r.start] = e
	r.start = (r.start + 1) % len(r.buf)
}

func (r *ring) at(i int) agentdesk.Event { return r.buf[(r.start+i)%len(r.buf)] }

// after returns the events with Seq > since, and false when the ring cannot
// prove it holds all of them (since older than its oldest event, or newer
// than its newest: the source restarted).
func (r *ring) after(since uint64) ([]agentdesk.Event, bool) {
	if r.n == 0 {
		return nil, false
	}
	first, last := r.at(0).Seq, r.at(r.n-1).Seq
	if since+1 < first || since > last {
		return nil, false
	}
	var out []agentdesk.Event
	for i := 0; i < r.n; i++ {
		if e := r.at(i); e.Seq > since {
			out = append(out, e)
		}
	}
	return out, true
}
