package postgres

import (
	"context"

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
// this process or another on the same database, until ctx ends. It hears
// RevokedChannel on the DB's one listening connection (listen.go); after
// that connection is lost and back it calls resync (if not nil), since
// notifications may have been missed meanwhile. It returns once LISTEN is
// in place (or ctx ends), so that no revocation made after it returns goes
// unheard.
func (db *DB) ListenRevoked(ctx context.Context, revoked func(username string), resync func()) {
	ready := db.listen.subscribe(ctx, &subscription{channel: RevokedChannel, notified: revoked,
		connected: func(first bool) {
			if !first && resync != nil {
				resync()
			}
		}})
	db.listen.waitReady(ctx, ready, "session revocations")
}
