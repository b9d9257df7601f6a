package ivrtest

import (
	"context"
	"sort"

	"github.com/atiende/atiende/ivr"
)

// watchBuffer is each watcher's buffer; changes beyond it are dropped and
// counted, so a slow reader never blocks the engine.
const watchBuffer = 64

// SetExtension records st as the current status of st.Extension and delivers
// it to every watcher.
func (e *Engine) SetExtension(st ivr.ExtensionStatus) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.exts[st.Extension] = st
	for w := range e.watchers {
		select {
		case w <- st:
		default:
			e.drops++
		}
	}
}

// WatchDrops counts statuses dropped because a watcher was not reading.
func (e *Engine) WatchDrops() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.drops
}

// Extensions returns every known extension, sorted by extension.
func (e *Engine) Extensions(ctx context.Context) ([]ivr.ExtensionStatus, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]ivr.ExtensionStatus, 0, len(e.exts))
	for _, st := range e.exts {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Extension < out[j].Extension })
	return out, nil
}

// WatchExtensions delivers every SetExtension until ctx is done, then closes
// the channel.
func (e *Engine) WatchExtensions(ctx context.Context) <-chan ivr.ExtensionStatus {
	w := make(chan ivr.ExtensionStatus, watchBuffer)
	e.mu.Lock()
	e.watchers[w] = struct{}{}
	e.mu.Unlock()
	go func() {
		<-ctx.Done()
		e.mu.Lock()
		delete(e.watchers, w)
		close(w)
		e.mu.Unlock()
	}()
	return w
}
