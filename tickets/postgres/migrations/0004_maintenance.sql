-- Planned maintenance windows (seed 004). Never deleted: a window called off
-- is cancelled, and its notice then sends nothing.
CREATE TABLE maintenance_windows (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    services     text[] NOT NULL CHECK (cardinality(services) > 0),
    areas        text[] NOT NULL DEFAULT '{}',
    start_at     timestamptz NOT NULL,
    end_at       timestamptz NOT NULL,
    summary_es   text NOT NULL DEFAULT '' CHECK (length(summary_es) <= 2000),
    summary_en   text NOT NULL DEFAULT '' CHECK (length(summary_en) <= 2000),
    created_by   text NOT NULL CHECK (created_by <> ''),
    created_at   timestamptz NOT NULL,
    notified_at  timestamptz,
    cancelled    boolean NOT NULL DEFAULT false,
    cancelled_at timestamptz,
    cancelled_by text NOT NULL DEFAULT '',
    CHECK (end_at > start_at),
    CHECK (cancelled = (cancelled_at IS NOT NULL))
);
-- Active and upcoming windows: the IVR asks on every call with a service.
CREATE INDEX maintenance_windows_live ON maintenance_windows (end_at, start_at) WHERE NOT cancelled;

CREATE TRIGGER maintenance_windows_no_delete BEFORE DELETE ON maintenance_windows
    FOR EACH ROW EXECUTE FUNCTION atiende_forbid_change();
CREATE TRIGGER maintenance_windows_no_truncate BEFORE TRUNCATE ON maintenance_windows
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_forbid_change();

-- The affected contacts of a window: who opened tickets on its services lately.
CREATE INDEX tickets_service_contact ON tickets (service, created_at)
    WHERE caller_contact_id IS NOT NULL;
