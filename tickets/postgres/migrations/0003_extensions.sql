-- Phone extensions as the telephony engine reports them (the network page)
-- and the link from an extension's outage to the ticket opened for it.

-- Every status change, in the order the monitor saw it. Rows are never
-- rewritten; they may be deleted by a retention job.
CREATE TABLE extension_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    extension  text NOT NULL CHECK (extension <> ''),
    state      text NOT NULL CHECK (state IN ('registered', 'unregistered', 'unreachable')),
    contact    text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    rtt_us     bigint NOT NULL DEFAULT 0 CHECK (rtt_us >= 0),
    reason     text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL
);
CREATE INDEX extension_events_extension ON extension_events (extension, id DESC);
CREATE TRIGGER extension_events_no_update BEFORE UPDATE ON extension_events
    FOR EACH ROW EXECUTE FUNCTION atiende_forbid_change();

-- The current status of each extension (since: when that status began) and
-- the ticket opened for its last long outage, so that a restart neither
-- opens it twice nor forgets to note the recovery on it.
CREATE TABLE extension_state (
    extension     text PRIMARY KEY CHECK (extension <> ''),
    state         text NOT NULL CHECK (state IN ('registered', 'unregistered', 'unreachable')),
    contact       text NOT NULL DEFAULT '',
    user_agent    text NOT NULL DEFAULT '',
    rtt_us        bigint NOT NULL DEFAULT 0 CHECK (rtt_us >= 0),
    reason        text NOT NULL DEFAULT '',
    since         timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    ticket_number text REFERENCES tickets (number)
);
