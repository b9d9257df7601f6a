package postgres

import "context"

// Listen returns a channel signalled whenever actions are scheduled (by this
// process or another): give it to escalation.Worker as Wake. It hears
// TimersChannel on the DB's one listening connection (listen.go), and
// signals once after every (re)connect, since notifications may have been
// missed meanwhile. The channel is never closed; it is not signalled after
// ctx ends.
func (s *Timers) Listen(ctx context.Context) <-chan struct{} {
	wake := make(chan struct{}, 1)
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	s.db.listen.subscribe(ctx, &subscription{channel: TimersChannel, notified: func(string) { signal() },
		connected: func(bool) { signal() }})
	return wake
}
