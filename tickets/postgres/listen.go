package postgres

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// listenChannels are the NOTIFY channels of this package; the listener
// LISTENs on all of them in one statement on one connection.
var listenChannels = []string{ChangesChannel, RevokedChannel, TimersChannel}

// listener is a DB's one LISTEN connection, held outside the pool while
// anyone subscribes. It hands each notification to the subscribers of its
// channel, and reconnects with backoff when the connection drops; after
// every (re)connect each subscriber hears connected, since notifications
// may have been missed meanwhile.
type listener struct {
	db *DB

	mu        sync.Mutex
	subs      map[*subscription]struct{}
	connected bool               // LISTEN is in place now
	gen       int                // the running loop's; a stopped loop changes nothing
	stop      context.CancelFunc // stops the loop (nil: none runs)
}

// subscription is one subscriber's interest in one channel. Its callbacks
// run one at a time, from the listener's goroutine or (the first
// connected, when the connection is already up) from subscribe; they must
// not block.
type subscription struct {
	channel   string
	notified  func(payload string)
	connected func(first bool) // first: the subscription's first connect
	ready     chan struct{}    // closed at the first connect
	started   bool
}

func newListener(db *DB) *listener {
	return &listener{db: db, subs: map[*subscription]struct{}{}}
}

// subscribe adds s until ctx ends, starting the connection if it is the
// only subscriber; the returned channel is closed once LISTEN is in place
// for it.
func (l *listener) subscribe(ctx context.Context, s *subscription) <-chan struct{} {
	s.ready = make(chan struct{})
	l.mu.Lock()
	l.subs[s] = struct{}{}
	now := l.connected
	if now {
		s.started = true
		close(s.ready)
	}
	if l.stop == nil {
		lctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		l.gen++
		l.stop = stop
		go l.run(lctx, l.gen)
	}
	l.mu.Unlock()
	if now {
		s.connected(true)
	}
	context.AfterFunc(ctx, func() { l.unsubscribe(s) })
	return s.ready
}

// unsubscribe drops s; the last one out closes the connection.
func (l *listener) unsubscribe(s *subscription) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.subs, s)
	if len(l.subs) == 0 && l.stop != nil {
		l.stop()
		l.stop, l.connected = nil, false
	}
}

func (l *listener) run(ctx context.Context, gen int) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := l.listen(ctx, gen, func() { backoff = 100 * time.Millisecond })
		l.mu.Lock()
		if l.gen == gen {
			l.connected = false
		}
		l.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		l.db.log.Warn("listen connection lost; caches may be stale, session revocations and timers unheard until it is back",
			"error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

func (l *listener) listen(ctx context.Context, gen int, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, l.db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	stmts := make([]string, len(listenChannels))
	for i, ch := range listenChannels {
		stmts[i] = "LISTEN " + pgx.Identifier{ch}.Sanitize()
	}
	if _, err := conn.Exec(ctx, strings.Join(stmts, "; ")); err != nil {
		return err
	}
	connected()
	type call struct {
		s     *subscription
		first bool
	}
	var calls []call
	l.mu.Lock()
	if l.gen == gen {
		l.connected = true
		for s := range l.subs {
			calls = append(calls, call{s, !s.started})
			if !s.started {
				s.started = true
				close(s.ready)
			}
		}
	}
	l.mu.Unlock()
	for _, c := range calls {
		c.s.connected(c.first)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		l.mu.Lock()
		var to []*subscription
		for s := range l.subs {
			if s.channel == n.Channel {
				to = append(to, s)
			}
		}
		l.mu.Unlock()
		for _, s := range to {
			s.notified(n.Payload)
		}
	}
}

// waitReady waits for ready at most 5 s (or until ctx ends), warning when
// the listener is not yet in place.
func (l *listener) waitReady(ctx context.Context, ready <-chan struct{}, what string) {
	select {
	case <-ready:
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		l.db.log.Warn(what + ": not listening yet; retrying in the background")
	}
}
