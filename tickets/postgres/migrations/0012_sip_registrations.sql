-- Telephony that survives a restart (ivr/sipengine's RegistrationStore and
-- the desk's presence): a phone registered before a restart stays
-- registered until its expiry, and an agent who was available stays so.
CREATE TABLE sip_registrations (
    extension  text PRIMARY KEY CHECK (extension <> ''),
    contact    text NOT NULL CHECK (contact <> ''),
    transport  text NOT NULL DEFAULT '',
    source     text NOT NULL DEFAULT '',  -- host:port the REGISTER came from
    user_agent text NOT NULL DEFAULT '',
    call_id    text NOT NULL DEFAULT '',
    expires_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- An agent's presence as last set: logged_out, available or paused (with
-- its reason), and the extension picked at login for the day.
CREATE TABLE agent_presence (
    username  text PRIMARY KEY REFERENCES users (username) ON DELETE CASCADE,
    state     text NOT NULL CHECK (state IN ('logged_out', 'available', 'paused')),
    reason    text NOT NULL DEFAULT '',
    extension text NOT NULL DEFAULT '',
    since     timestamptz NOT NULL
);
