-- Queue tuning saved from the admin page: one row per queue that ever had
-- some, over the configuration file's values while not reverted. Rows are
-- never deleted: going back to the file's values sets reverted, and version
-- counts every save and revert (optimistic concurrency). The ranges a
-- supervisor may set are checked in Go (tickets.QueueSettings.Validate);
-- these checks only keep nonsense out.
CREATE TABLE queue_settings (
    queue                text PRIMARY KEY CHECK (queue <> '' AND length(queue) <= 100),
    strategy             text NOT NULL CHECK (strategy IN ('longest_idle', 'ring_all', 'round_robin', 'fewest_calls')),
    ring_timeout_ms      bigint NOT NULL CHECK (ring_timeout_ms > 0),
    wrap_up_ms           bigint NOT NULL CHECK (wrap_up_ms >= 0),
    max_wait_ms          bigint NOT NULL CHECK (max_wait_ms > 0),
    announce_interval_ms bigint NOT NULL CHECK (announce_interval_ms >= 0),
    service_level_ms     bigint NOT NULL CHECK (service_level_ms > 0),
    auto_pause           boolean,
    reverted             boolean NOT NULL DEFAULT false,
    updated_by           text NOT NULL CHECK (updated_by <> ''),
    updated_at           timestamptz NOT NULL,
    version              integer NOT NULL CHECK (version > 0)
);
CREATE TRIGGER queue_settings_no_delete BEFORE DELETE ON queue_settings
    FOR EACH ROW EXECUTE FUNCTION atiende_forbid_change();
CREATE TRIGGER queue_settings_no_truncate BEFORE TRUNCATE ON queue_settings
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_forbid_change();

-- Every version of every queue's settings: who changed what, and when.
CREATE TABLE queue_settings_history (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue                text NOT NULL,
    version              integer NOT NULL,
    strategy             text NOT NULL,
    ring_timeout_ms      bigint NOT NULL,
    wrap_up_ms           bigint NOT NULL,
    max_wait_ms          bigint NOT NULL,
    announce_interval_ms bigint NOT NULL,
    service_level_ms     bigint NOT NULL,
    auto_pause           boolean,
    reverted             boolean NOT NULL,
    updated_by           text NOT NULL,
    updated_at           timestamptz NOT NULL,
    UNIQUE (queue, version)
);
CREATE TRIGGER queue_settings_history_no_change BEFORE UPDATE OR DELETE ON queue_settings_history
    FOR EACH ROW EXECUTE FUNCTION atiende_forbid_change();
CREATE TRIGGER queue_settings_history_no_truncate BEFORE TRUNCATE ON queue_settings_history
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_forbid_change();

CREATE FUNCTION queue_settings_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO queue_settings_history (queue, version, strategy, ring_timeout_ms, wrap_up_ms, max_wait_ms,
        announce_interval_ms, service_level_ms, auto_pause, reverted, updated_by, updated_at)
    VALUES (NEW.queue, NEW.version, NEW.strategy, NEW.ring_timeout_ms, NEW.wrap_up_ms, NEW.max_wait_ms,
        NEW.announce_interval_ms, NEW.service_level_ms, NEW.auto_pause, NEW.reverted, NEW.updated_by, NEW.updated_at);
    RETURN NULL;
END $$;
CREATE TRIGGER queue_settings_history_record AFTER INSERT OR UPDATE ON queue_settings
    FOR EACH ROW EXECUTE FUNCTION queue_settings_record();
