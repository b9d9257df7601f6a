package postgres

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// ChangesChannel is the NOTIFY channel of the things every process keeps in
// memory; the payload is a Topic. Migration 0011's triggers send it, at
// commit, whatever made the change (this process, another, psql).
const ChangesChannel = "atiende_changed"

// Topics: what changed.
const (
	TopicMajorIncidents = "major_incidents"
	TopicMaintenance    = "maintenance"
	TopicCatalog        = "catalog"
	TopicQueueSettings  = "queue_settings"
	TopicAnnouncements  = "announcements"
)

// Changes hears ChangesChannel (on the DB's one listening connection,
// listen.go) and runs the reloads watching each topic. After every (re)connect each reload runs once, since
// notifications may have been missed meanwhile.
type Changes struct {
	db *DB

	mu       sync.Mutex
	watchers map[string][]*watcher
	started  bool
}

// NewChanges returns the listener of db's changes; Start starts it.
func NewChanges(db *DB) *Changes {
	return &Changes{db: db, watchers: map[string][]*watcher{}}
}

// watcher runs one reload, one at a time, coalescing the notifications that
// come meanwhile, and retrying with backoff until it succeeds.
type watcher struct {
	name   string
	reload func(context.Context) error
	kick   chan struct{}
}

func (w *watcher) signal() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *watcher) run(ctx context.Context, c *Changes) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		}
		for backoff := 100 * time.Millisecond; ; backoff = min(backoff*2, 30*time.Second) {
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := w.reload(rctx)
			cancel()
			if err == nil || ctx.Err() != nil {
				break
			}
			c.db.log.Warn("cache reload failed; keeping the last copy", "topic", w.name, "error", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
		}
	}
}

// Watch runs reload (in its own goroutine, never two at once) whenever
// topic is notified, until ctx ends. The caller loads its first copy
// itself before or after; Watch only keeps it fresh.
func (c *Changes) Watch(ctx context.Context, topic string, reload func(context.Context) error) {
	w := &watcher{name: topic, reload: reload, kick: make(chan struct{}, 1)}
	c.mu.Lock()
	c.watchers[topic] = append(c.watchers[topic], w)
	c.mu.Unlock()
	go w.run(ctx, c)
}

func (c *Changes) notify(topic string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.watchers[topic] {
		w.signal()
	}
}

func (c *Changes) notifyAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ws := range c.watchers {
		for _, w := range ws {
			w.signal()
		}
	}
}

// Start listens until ctx ends, on the DB's one listening connection. It
// returns once LISTEN is in place (or after 5 s, or when ctx ends), so that
// a change committed after it returns is heard.
func (c *Changes) Start(ctx context.Context) {
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return
	}
	c.started = true
	c.mu.Unlock()
	// Every (re)connect reloads everything: changes made while nobody
	// listened (before the start, or while the connection was lost) are
	// not lost.
	ready := c.db.listen.subscribe(ctx, &subscription{channel: ChangesChannel, notified: c.notify,
		connected: func(bool) { c.notifyAll() }})
	c.db.listen.waitReady(ctx, ready, "changes")
}

// Cache holds a copy of what load returns, reloaded when its topic is
// notified: Get never waits on the database.
type Cache[T any] struct {
	mu sync.Mutex // one load at a time: the copy stored last is the newest read
	v  atomic.Pointer[T]
}

// NewCache loads the first copy (an error stops here: a process should not
// start with nothing) and keeps it fresh through c until ctx ends.
func NewCache[T any](ctx context.Context, c *Changes, topic string, load func(context.Context) (T, error)) (*Cache[T], error) {
	k := &Cache[T]{}
	reload := func(ctx context.Context) error {
		k.mu.Lock()
		defer k.mu.Unlock()
		v, err := load(ctx)
		if err != nil {
			return err
		}
		k.v.Store(&v)
		return nil
	}
	c.Watch(ctx, topic, reload) // first: a change made during the first load is heard
	if err := reload(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// Get returns the latest copy.
func (k *Cache[T]) Get() T { return *k.v.Load() }
