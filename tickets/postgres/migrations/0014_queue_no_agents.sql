-- What a caller gets when nobody is logged in to the queue (issue 17):
-- a callback that keeps their place, waiting anyway, or another queue.
-- '' keeps the configuration file's choice (rows saved before this column).
ALTER TABLE queue_settings
    ADD COLUMN no_agents text NOT NULL DEFAULT '' CHECK (no_agents IN ('', 'callback', 'wait', 'overflow')),
    ADD COLUMN overflow  text NOT NULL DEFAULT '' CHECK (length(overflow) <= 100
        AND (overflow <> '') = (no_agents = 'overflow') AND overflow <> queue);
ALTER TABLE queue_settings_history
    ADD COLUMN no_agents text NOT NULL DEFAULT '',
    ADD COLUMN overflow  text NOT NULL DEFAULT '';

CREATE OR REPLACE FUNCTION queue_settings_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO queue_settings_history (queue, version, strategy, ring_timeout_ms, wrap_up_ms, max_wait_ms,
        announce_interval_ms, service_level_ms, auto_pause, no_agents, overflow, reverted, updated_by, updated_at)
    VALUES (NEW.queue, NEW.version, NEW.strategy, NEW.ring_timeout_ms, NEW.wrap_up_ms, NEW.max_wait_ms,
        NEW.announce_interval_ms, NEW.service_level_ms, NEW.auto_pause, NEW.no_agents, NEW.overflow, NEW.reverted,
        NEW.updated_by, NEW.updated_at);
    RETURN NULL;
END $$;
