package asterisk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/atiende/atiende/ivr"
)

// bridge is a mixing bridge joining two calls.
type bridge struct {
	id       string
	left     chan struct{} // closed when a channel leaves or the bridge goes
	leftOnce sync.Once
}

func (b *bridge) leave() { b.leftOnce.Do(func() { close(b.left) }) }

func (e *Engine) bridgeLeft(bridgeID, channelID string) {
	e.mu.Lock()
	b := e.bridges[bridgeID]
	e.mu.Unlock()
	if b != nil {
		b.leave()
	}
}

// Bridge joins c and other in a mixing bridge until either leaves or hangs
// up, or ctx is done; the bridge is destroyed on return.
func (c *call) Bridge(ctx context.Context, other ivr.Call) error {
	o, ok := other.(*call)
	if !ok || o.e != c.e {
		return errors.New("asterisk: bridge: the other call is not on this engine")
	}
	if c.ended() || o.ended() {
		return ivr.ErrHungUp
	}
	e := c.e
	b := &bridge{id: newID("atiende-br-"), left: make(chan struct{})}
	e.mu.Lock()
	e.bridges[b.id] = b
	e.mu.Unlock()
	defer e.destroyBridge(b)
	q := url.Values{"type": {"mixing"}, "bridgeId": {b.id}, "name": {"atiende-" + c.id}}
	if err := e.rest.do(ctx, "POST", "/bridges", q, nil); err != nil {
		return fmt.Errorf("asterisk: create bridge for %s: %w", c.id, err)
	}
	for _, x := range []*call{c, o} {
		err := e.rest.do(ctx, "POST", "/bridges/"+pathEsc(b.id)+"/addChannel", url.Values{"channel": {x.id}}, nil)
		if err != nil {
			if statusOf(err) == 400 { // "Channel not found" on addChannel
				err = fmt.Errorf("%w: %w", ivr.ErrHungUp, err)
			}
			return fmt.Errorf("asterisk: bridge %s: add %s: %w", b.id, x.id, channelErr(err))
		}
	}
	c.log.Info("bridged", "other", o.id, "bridge", b.id)
	select {
	case <-c.done:
	case <-o.done:
	case <-b.left:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func (e *Engine) destroyBridge(b *bridge) {
	e.mu.Lock()
	delete(e.bridges, b.id)
	e.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.RequestTimeout)
	defer cancel()
	if err := e.rest.do(ctx, "DELETE", "/bridges/"+pathEsc(b.id), nil, nil); err != nil && statusOf(err) != 404 {
		e.log.Warn("destroy bridge", "bridge", b.id, "error", err)
	}
}
