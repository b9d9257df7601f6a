package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// RevokedChannel is the NOTIFY channel EndSessions signals on; the payload
// is the username whose sessions ended.
const RevokedChannel = "atiende_session_revoked"

// EndSessions deletes every session of username (and every API token when
// tokens is true) and notifies RevokedChannel in the same transaction, so
// listeners hear of it exactly when the rows are gone.
func (db *DB) EndSessions(ctx context.Context, username string, tokens bool) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE username = $1", username); err != nil {
			return err
		}
		if tokens {
			if _, err := tx.Exec(ctx, "DELETE FROM api_tokens WHERE username = $1", username); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", RevokedChannel, username)
		return err
	})
	if err != nil {
		return dbErr("end sessions of "+username, err)
	}
	return nil
}

// ListenRevoked calls revoked with the username of every EndSessions, by
// this process or another on the same database, until ctx ends. It holds
// one dedicated connection outside the pool, LISTENing on RevokedChannel,
// and reconnects with backoff when it drops; after a reconnect it calls
// resync (if not nil), since notifications may have been missed meanwhile.
// It returns once the first LISTEN is in place (or ctx ends), so that no
// revocation made after it returns goes unheard.
func (db *DB) ListenRevoked(ctx context.Context, revoked func(username string), resync func()) {
	ready := make(chan struct{})
	var once bool
	connected := func() {
		if !once {
			once = true
			close(ready)
		} else if resync != nil {
			resync()
		}
	}
	go func() {
		backoff := 100 * time.Millisecond
		for ctx.Err() == nil {
			err := db.listenRevoked(ctx, revoked, func() { backoff = 100 * time.Millisecond; connected() })
			if ctx.Err() != nil {
				return
			}
			db.log.Warn("session revocations: listen connection lost", "error", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 30*time.Second)
		}
	}()
	select {
	case <-ready:
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		db.log.Warn("session revocations: not listening yet; retrying in the background")
	}
}

func (db *DB) listenRevoked(ctx context.Context, revoked func(string), connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{RevokedChannel}.Sanitize()); err != nil {
		return err
	}
	connected()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		revoked(n.Payload)
	}
}
