-- Escalation: durable timers, satisfaction surveys, the escalation directory.

-- One row per effect (escalation, email, call, automatic transition), keyed
-- by escalation.Action.Key. run_at is when the row may next be claimed:
-- greatest(due_at, locked_until). One partial index serves Claim and NextDue.
CREATE TABLE timers (
    key           text PRIMARY KEY CHECK (key <> ''),
    kind          text NOT NULL,
    ticket_number text NOT NULL DEFAULT '',
    level         smallint NOT NULL DEFAULT 0,
    due_at        timestamptz NOT NULL,
    template      text NOT NULL DEFAULT '',
    ref           text NOT NULL DEFAULT '',
    reason        text NOT NULL DEFAULT '',
    actor         text NOT NULL DEFAULT '',
    state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
    run_at        timestamptz NOT NULL,
    locked_until  timestamptz,
    token         text,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    done_at       timestamptz
);
CREATE INDEX timers_pending_run_at ON timers (run_at, key) WHERE state = 'pending';
CREATE INDEX timers_pending_ticket ON timers (ticket_number) WHERE state = 'pending';

-- Satisfaction surveys: the single-use token is kept only as its SHA-256.
CREATE TABLE surveys (
    token_hash    bytea PRIMARY KEY,
    ticket_number text NOT NULL REFERENCES tickets (number),
    agent         text NOT NULL DEFAULT '',
    language      text NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
    created_at    timestamptz NOT NULL,
    answered_at   timestamptz,
    score         smallint CHECK (score BETWEEN 1 AND 5),
    comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    CHECK ((answered_at IS NULL) = (score IS NULL))
);
CREATE INDEX surveys_ticket ON surveys (ticket_number);
CREATE INDEX surveys_agent ON surveys (agent) WHERE answered_at IS NOT NULL;

-- The escalation directory, editable at run time; position orders the
-- contacts of a level (the order phone alerts try them).
CREATE TABLE escalation_contacts (
    level        smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
    position     integer NOT NULL,
    name         text NOT NULL CHECK (name <> ''),
    office_phone text NOT NULL DEFAULT '',
    email        text NOT NULL DEFAULT '',
    mobile       text NOT NULL DEFAULT '',
    extension    text NOT NULL DEFAULT '',
    language     text NOT NULL DEFAULT '' CHECK (language IN ('', 'es', 'en')),
    PRIMARY KEY (level, position)
);
