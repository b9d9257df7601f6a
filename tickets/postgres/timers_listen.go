package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen returns a channel signalled whenever actions are scheduled (by this
// process or another): give it to escalation.Worker as Wake. It holds one
// dedicated connection outside the pool, LISTENing on TimersChannel, and
// reconnects with backoff if it drops; after every (re)connect it signals
// once, since notifications may have been missed meanwhile. The channel is
// never closed; the listener stops when ctx ends.
func (s *Timers) Listen(ctx context.Context) <-chan struct{} {
	wake := make(chan struct{}, 1)
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	go func() {
		backoff := 100 * time.Millisecond
		for ctx.Err() == nil {
			err := s.listen(ctx, signal, func() { backoff = 100 * time.Millisecond })
			if ctx.Err() != nil {
				return
			}
			s.db.log.Warn("escalation timers: listen connection lost", "error", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 30*time.Second)
		}
	}()
	return wake
}

func (s *Timers) listen(ctx context.Context, signal, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{TimersChannel}.Sanitize()); err != nil {
		return err
	}
	connected()
	signal()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		signal()
	}
}
