package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// SIPRegistration is one extension's binding as the SIP engine's registrar
// keeps it (cmd adapts it to sipengine.Registration).
type SIPRegistration struct {
	Extension, Contact, Transport, Source, UserAgent, CallID string
	Expires                                                  time.Time
}

// SaveSIPRegistration stores ext's binding, replacing the one before.
func (db *DB) SaveSIPRegistration(ctx context.Context, r SIPRegistration) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO sip_registrations
		(extension, contact, transport, source, user_agent, call_id, expires_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, now())
		ON CONFLICT (extension) DO UPDATE SET contact = $2, transport = $3, source = $4, user_agent = $5,
			call_id = $6, expires_at = $7, updated_at = now()`,
		r.Extension, r.Contact, r.Transport, r.Source, r.UserAgent, r.CallID, r.Expires)
	if err != nil {
		return dbErr("save registration "+r.Extension, err)
	}
	return nil
}

// DeleteSIPRegistration forgets ext's binding (unregistered or expired).
func (db *DB) DeleteSIPRegistration(ctx context.Context, ext string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sip_registrations WHERE extension = $1`, ext); err != nil {
		return dbErr("delete registration "+ext, err)
	}
	return nil
}

// SIPRegistrations returns the bindings that expire after now, and deletes
// the others.
func (db *DB) SIPRegistrations(ctx context.Context, now time.Time) ([]SIPRegistration, error) {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sip_registrations WHERE expires_at <= $1`, now); err != nil {
		return nil, dbErr("expire registrations", err)
	}
	rows, err := db.pool.Query(ctx, `SELECT extension, contact, transport, source, user_agent, call_id, expires_at
		FROM sip_registrations WHERE expires_at > $1 ORDER BY extension`, now)
	if err != nil {
		return nil, dbErr("registrations", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SIPRegistration, error) {
		var r SIPRegistration
		err := row.Scan(&r.Extension, &r.Contact, &r.Transport, &r.Source, &r.UserAgent, &r.CallID, &r.Expires)
		return r, err
	})
	if err != nil {
		return nil, dbErr("registrations", err)
	}
	return out, nil
}

// AgentPresence is an agent's presence as last set (cmd's presence keeper).
type AgentPresence struct {
	Username, State, Reason, Extension string
	Since                              time.Time
}

// SaveAgentPresence stores an agent's presence. A username that is not a
// user (deleted meanwhile) is ignored.
func (db *DB) SaveAgentPresence(ctx context.Context, p AgentPresence) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO agent_presence (username, state, reason, extension, since)
		SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM users WHERE username = $1)
		ON CONFLICT (username) DO UPDATE SET state = $2, reason = $3, extension = $4, since = $5`,
		p.Username, p.State, p.Reason, p.Extension, p.Since)
	if err != nil {
		return dbErr("save presence "+p.Username, err)
	}
	return nil
}

// AgentPresences returns every stored presence.
func (db *DB) AgentPresences(ctx context.Context) ([]AgentPresence, error) {
	rows, err := db.pool.Query(ctx, `SELECT username, state, reason, extension, since FROM agent_presence ORDER BY username`)
	if err != nil {
		return nil, dbErr("presences", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AgentPresence, error) {
		var p AgentPresence
		err := row.Scan(&p.Username, &p.State, &p.Reason, &p.Extension, &p.Since)
		return p, err
	})
	if err != nil {
		return nil, dbErr("presences", err)
	}
	return out, nil
}
