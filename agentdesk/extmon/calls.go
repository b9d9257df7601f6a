package extmon

import (
	"slices"
	"sync"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

var _ ivr.CallActivity = (*Monitor)(nil)

// callBook is the internal calls of each extension, as the engine's router
// reports them. It has its own lock: the router calls in from call
// goroutines and must never wait for the monitor's work.
type callBook struct {
	mu    sync.Mutex
	peers map[string][]string
	since map[string]time.Time
}

// InternalCallStarted records that ext is on a call with peer ("" for a
// queue or the menu).
func (m *Monitor) InternalCallStarted(ext, peer string) {
	b := &m.calls
	b.mu.Lock()
	if b.peers == nil {
		b.peers, b.since = map[string][]string{}, map[string]time.Time{}
	}
	if len(b.peers[ext]) == 0 {
		b.since[ext] = m.now()
	}
	b.peers[ext] = append(b.peers[ext], peer)
	a := b.snapshotLocked(ext)
	b.mu.Unlock()
	m.callsChanged(a)
}

// InternalCallEnded undoes one InternalCallStarted(ext, peer).
func (m *Monitor) InternalCallEnded(ext, peer string) {
	b := &m.calls
	b.mu.Lock()
	i := slices.Index(b.peers[ext], peer)
	if i < 0 {
		b.mu.Unlock()
		return
	}
	b.peers[ext] = slices.Delete(b.peers[ext], i, i+1)
	if len(b.peers[ext]) == 0 {
		delete(b.peers, ext)
		delete(b.since, ext)
	}
	a := b.snapshotLocked(ext)
	b.mu.Unlock()
	m.callsChanged(a)
}

// Calls returns ext's internal calls now.
func (m *Monitor) Calls(ext string) ivr.ExtensionCalls {
	m.calls.mu.Lock()
	defer m.calls.mu.Unlock()
	return m.calls.snapshotLocked(ext)
}

func (b *callBook) snapshotLocked(ext string) ivr.ExtensionCalls {
	return ivr.ExtensionCalls{Extension: ext, Peers: slices.Clone(b.peers[ext]), Since: b.since[ext]}
}

func (m *Monitor) callsChanged(a ivr.ExtensionCalls) {
	if a.Peers == nil {
		a.Peers = []string{}
	}
	if m.d.OnCalls != nil {
		m.d.OnCalls(a)
	}
}

// fill puts x's internal calls in x.
func (b *callBook) fill(x *agentdesk.ExtensionView) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p := b.peers[x.Extension]; len(p) > 0 {
		x.Calls = slices.Clone(p)
		t := b.since[x.Extension]
		x.CallsSince = &t
	}
}
