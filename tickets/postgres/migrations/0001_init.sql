-- Atiende schema, version 1. Nothing on tickets, their history or their notes
-- is ever deleted: triggers below refuse it.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (it reads its dictionary through search_path);
-- naming the dictionary explicitly makes this wrapper safe to mark IMMUTABLE
-- so it can be used in indexes.
CREATE FUNCTION atiende_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- Spanish stemming after removing accents: "conexión" and "conexion" give
-- the same lexeme, and so do "correo" and "correos".
CREATE TEXT SEARCH CONFIGURATION atiende_es (COPY = pg_catalog.spanish);
ALTER TEXT SEARCH CONFIGURATION atiende_es
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, spanish_stem;

-- Unstemmed words, so English terms and product names match as typed.
CREATE TEXT SEARCH CONFIGURATION atiende_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION atiende_simple
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, simple;

CREATE FUNCTION atiende_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: records are never deleted or rewritten', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TABLE contacts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL DEFAULT '',
    department  text NOT NULL DEFAULT '',
    area        text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    phones      text[] NOT NULL DEFAULT '{}',
    extensions  text[] NOT NULL DEFAULT '{}',
    language    text NOT NULL DEFAULT 'es',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX contacts_phones ON contacts USING gin (phones);
CREATE INDEX contacts_extensions ON contacts USING gin (extensions);

CREATE TABLE tickets (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number            text NOT NULL UNIQUE CHECK (number ~ '^[0-9]{6,}$'),
    kind              text NOT NULL CHECK (kind IN ('complaint', 'incident', 'information_request', 'change_request', 'observation')),
    service           text NOT NULL CHECK (service <> ''),
    impact            text NOT NULL DEFAULT '' CHECK (impact IN ('', 'low', 'medium', 'high')),
    urgency           text NOT NULL DEFAULT '' CHECK (urgency IN ('', 'low', 'medium', 'high')),
    priority          smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
    level             smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
    state             text NOT NULL CHECK (state IN ('registered', 'in_progress', 'pending_user', 'on_hold', 'resolved', 'closed', 'rejected')),
    channel           text NOT NULL CHECK (channel IN ('phone', 'web', 'email')),
    caller_contact_id bigint,
    caller_name       text NOT NULL DEFAULT '',
    caller_department text NOT NULL DEFAULT '',
    caller_email      text NOT NULL DEFAULT '',
    caller_phone      text NOT NULL DEFAULT '',
    caller_extension  text NOT NULL DEFAULT '',
    subject           text NOT NULL DEFAULT '' CHECK (length(subject) <= 300),
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    assignee          text NOT NULL DEFAULT '',
    queue             text NOT NULL DEFAULT '',
    parent_number     text REFERENCES tickets (number),
    major_incident    boolean NOT NULL DEFAULT false,
    ivr_path          text[] NOT NULL DEFAULT '{}',
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    response_due      timestamptz,
    resolution_due    timestamptz,
    search            tsvector GENERATED ALWAYS AS (
        to_tsvector('atiende_es'::regconfig, subject || ' ' || description || ' ' || caller_name) ||
        to_tsvector('atiende_simple'::regconfig, subject || ' ' || description || ' ' || caller_name)
    ) STORED,
    CHECK (parent_number IS DISTINCT FROM number)
);
CREATE INDEX tickets_search ON tickets USING gin (search);
CREATE INDEX tickets_created ON tickets (created_at DESC, id DESC);
CREATE INDEX tickets_state ON tickets (state);
CREATE INDEX tickets_assignee ON tickets (assignee) WHERE assignee <> '';
CREATE INDEX tickets_caller_phone ON tickets (caller_phone) WHERE caller_phone <> '';
CREATE INDEX tickets_caller_extension ON tickets (caller_extension) WHERE caller_extension <> '';
CREATE INDEX tickets_parent ON tickets (parent_number) WHERE parent_number IS NOT NULL;
CREATE TRIGGER tickets_no_delete BEFORE DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION atiende_forbid_change();
CREATE TRIGGER tickets_no_truncate BEFORE TRUNCATE ON tickets
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_forbid_change();

CREATE TABLE ticket_history (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint NOT NULL REFERENCES tickets (id),
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    field      text NOT NULL,
    from_value text NOT NULL DEFAULT '',
    to_value   text NOT NULL DEFAULT '',
    reason     text NOT NULL DEFAULT ''
);
CREATE INDEX ticket_history_ticket ON ticket_history (ticket_id, id);
CREATE TRIGGER ticket_history_append_only BEFORE UPDATE OR DELETE ON ticket_history
    FOR EACH ROW EXECUTE FUNCTION atiende_forbid_change();
CREATE TRIGGER ticket_history_no_truncate BEFORE TRUNCATE ON ticket_history
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_forbid_change();

CREATE TABLE ticket_notes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint NOT NULL REFERENCES tickets (id),
    author     text NOT NULL,
    body       text NOT NULL CHECK (body <> ''),
    internal   boolean NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ticket_notes_ticket ON ticket_notes (ticket_id, id);
CREATE TRIGGER ticket_notes_append_only BEFORE UPDATE OR DELETE ON ticket_notes
    FOR EACH ROW EXECUTE FUNCTION atiende_forbid_change();
CREATE TRIGGER ticket_notes_no_truncate BEFORE TRUNCATE ON ticket_notes
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_forbid_change();

CREATE TABLE ticket_calls (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES tickets (id),
    call_id     text NOT NULL UNIQUE CHECK (call_id <> ''),
    queue       text NOT NULL DEFAULT '',
    agent       text NOT NULL DEFAULT '',
    caller_id   text NOT NULL DEFAULT '',
    started_at  timestamptz NOT NULL,
    queued_at   timestamptz,
    answered_at timestamptz,
    ended_at    timestamptz,
    outcome     text NOT NULL DEFAULT ''
);
CREATE INDEX ticket_calls_ticket ON ticket_calls (ticket_id, started_at);

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username <> ''),
    name          text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('agent', 'technician', 'supervisor', 'network', 'admin')),
    language      text NOT NULL DEFAULT 'es',
    extension     text NOT NULL DEFAULT '',
    skills        text[] NOT NULL DEFAULT '{}',
    level         smallint NOT NULL DEFAULT 1 CHECK (level BETWEEN 0 AND 4),
    disabled      boolean NOT NULL DEFAULT false,
    password_hash text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL
);

CREATE TABLE sessions (
    hash       bytea PRIMARY KEY,
    username   text NOT NULL REFERENCES users (username),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    hash       bytea PRIMARY KEY,
    username   text NOT NULL REFERENCES users (username),
    name       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz
);
