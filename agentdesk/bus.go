package agentdesk

import "sync"

var _ Publisher = (*Bus)(nil)

// Bus fans events out to subscribers without ever blocking the publisher:
// an event that does not fit in a subscriber's buffer is dropped for that
// subscriber and counted. Subscribers detect the loss by a gap in Seq.
type Bus struct {
	mu        sync.Mutex
	subs      map[*subscriber]struct{}
	published uint64
	dropped   uint64 // all subscribers, including cancelled ones
}

type subscriber struct {
	ch    chan Event
	drops uint64
}

// BusStats is the bus's counters.
type BusStats struct {
	Published   uint64   `json:"published"`
	Dropped     uint64   `json:"dropped"`
	Subscribers int      `json:"subscribers"`
	Drops       []uint64 `json:"drops"` // per live subscriber, in no order
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[*subscriber]struct{}{}} }

// Publish delivers e to every subscriber with room for it.
func (b *Bus) Publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.published++
	for s := range b.subs {
		select {
		case s.ch <- e:
		default:
			s.drops++
			b.dropped++
		}
	}
}

// Subscribe returns a channel of the events published from now on, buffered
// by buffer (at least 1), and a cancel func that closes the channel; cancel
// may be called more than once.
func (b *Bus) Subscribe(buffer int) (<-chan Event, func()) {
	s := &subscriber{ch: make(chan Event, max(buffer, 1))}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			close(s.ch)
			b.mu.Unlock()
		})
	}
}

// Stats returns the bus's counters.
func (b *Bus) Stats() BusStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := BusStats{Published: b.published, Dropped: b.dropped, Subscribers: len(b.subs)}
	for s := range b.subs {
		st.Drops = append(st.Drops, s.drops)
	}
	return st
}
