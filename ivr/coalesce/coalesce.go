// Package coalesce writes the latest value of each key behind the caller's
// back: Put never blocks and a key changed several times before its turn is
// written once, with its last value. The SIP registrar keeps its bindings
// with it (ivr/sipengine) and the desk its agents' presence (cmd/atiende):
// both must not wait on the database on a signalling or event path, and
// only the newest state of each extension or agent matters.
//
// It imports only the standard library, so every layer may use it.
package coalesce

import (
	"context"
	"sync"
	"time"
)

// WriteTimeout bounds each write, and the final flush when Run's context
// ends.
const WriteTimeout = 5 * time.Second

// Writer is a write-behind queue keyed by K: one writer goroutine (Run),
// keys written in the order they first changed, each with its latest value.
// A nil *Writer drops every Put.
type Writer[K comparable, V any] struct {
	write  func(ctx context.Context, key K, v V) error
	failed func(key K, v V, err error)

	mu      sync.Mutex
	pending map[K]V
	order   []K
	kick    chan struct{}
}

// New returns a Writer that stores with write and reports with failed (if
// not nil) a write that failed: the value is then dropped, and the next Put
// of its key is written again.
func New[K comparable, V any](write func(ctx context.Context, key K, v V) error, failed func(key K, v V, err error)) *Writer[K, V] {
	return &Writer[K, V]{write: write, failed: failed, pending: map[K]V{}, kick: make(chan struct{}, 1)}
}

// Put queues v as key's latest value; it never blocks.
func (w *Writer[K, V]) Put(key K, v V) {
	if w == nil {
		return
	}
	w.mu.Lock()
	if _, ok := w.pending[key]; !ok {
		w.order = append(w.order, key)
	}
	w.pending[key] = v
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run writes until ctx is done, then writes what is left (at most
// WriteTimeout).
func (w *Writer[K, V]) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), WriteTimeout)
			w.flush(fctx)
			cancel()
			return
		case <-w.kick:
			w.flush(ctx)
		}
	}
}

func (w *Writer[K, V]) flush(ctx context.Context) {
	for {
		w.mu.Lock()
		if len(w.order) == 0 {
			w.mu.Unlock()
			return
		}
		key := w.order[0]
		w.order = w.order[1:]
		v := w.pending[key]
		delete(w.pending, key)
		w.mu.Unlock()
		wctx, cancel := context.WithTimeout(ctx, WriteTimeout)
		err := w.write(wctx, key, v)
		cancel()
		if err != nil && w.failed != nil {
			w.failed(key, v, err)
		}
	}
}
