-- Issue 11: the cost of a call must not grow with the history.
--
-- The open states are written out (they are tickets.State.Open): the
-- statements that use these partial indexes spell them the same way, as
-- literals, so that even a generic plan can prove it may use them.

-- The IVR's open-ticket lookup: the caller's newest open ticket on a
-- service. One index entry read per call, however many tickets the caller
-- ever opened.
CREATE INDEX tickets_open_caller ON tickets (caller_phone, service, created_at DESC, id DESC)
    WHERE state IN ('registered', 'in_progress', 'pending_user', 'on_hold');

-- The open major incidents (the cache every call reads); replaces a count
-- over every ticket of the service on every call.
CREATE INDEX tickets_open_major ON tickets (created_at DESC, id DESC)
    WHERE major_incident AND state IN ('registered', 'in_progress', 'pending_user', 'on_hold');

-- The agent console's pop-up lists a service's open tickets; the ticket
-- list filters by state and service.
CREATE INDEX tickets_open_service ON tickets (service, created_at DESC, id DESC)
    WHERE state IN ('registered', 'in_progress', 'pending_user', 'on_hold');

-- What rarely changes is held in memory by every Atiende process
-- (tickets/postgres Changes): a change made through any of them, or by
-- hand in psql, notifies the channel atiende_changed with the name of what
-- changed, and each process reloads that. NOTIFY is sent at commit.
CREATE FUNCTION atiende_notify_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('atiende_changed', TG_ARGV[0]);
    RETURN NULL;
END $$;

CREATE TRIGGER maintenance_windows_changed AFTER INSERT OR UPDATE ON maintenance_windows
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_notify_changed('maintenance');
CREATE TRIGGER ivr_announcements_changed AFTER INSERT OR UPDATE OR DELETE ON ivr_announcements
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_notify_changed('announcements');
CREATE TRIGGER catalog_versions_changed AFTER INSERT OR UPDATE ON catalog_versions
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_notify_changed('catalog');
CREATE TRIGGER queue_settings_changed AFTER INSERT OR UPDATE OR DELETE ON queue_settings
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_notify_changed('queue_settings');
-- Only a ticket declared or ended a major incident, or a major incident
-- whose state, service or summary changed: every other ticket write pays a
-- WHEN test and nothing more (calls attached to an incident touch its
-- updated_at, many a second in an outage, and must not reload every cache).
CREATE TRIGGER tickets_major_created AFTER INSERT ON tickets
    FOR EACH ROW WHEN (NEW.major_incident) EXECUTE FUNCTION atiende_notify_changed('major_incidents');
CREATE TRIGGER tickets_major_changed AFTER UPDATE ON tickets
    FOR EACH ROW WHEN (OLD.major_incident IS DISTINCT FROM NEW.major_incident
        OR (NEW.major_incident AND (OLD.state, OLD.service, OLD.subject, OLD.number)
            IS DISTINCT FROM (NEW.state, NEW.service, NEW.subject, NEW.number)))
    EXECUTE FUNCTION atiende_notify_changed('major_incidents');
