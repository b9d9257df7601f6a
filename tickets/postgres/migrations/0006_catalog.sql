-- The service catalog as admins edit it from the admin page: every saved
-- version, whole, never rewritten or deleted. The newest one is in force;
-- while there is none, the catalog_file (or the built-in default) is, as
-- version 0, which is only the seed and is not stored here.
CREATE TABLE catalog_versions (
    version   integer PRIMARY KEY CHECK (version > 0),
    catalog   jsonb NOT NULL CHECK (jsonb_typeof(catalog) = 'object'),
    edited_by text NOT NULL CHECK (edited_by <> ''),
    edited_at timestamptz NOT NULL,
    comment   text NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    -- codes of the services this version added or edited
    changed   text[] NOT NULL DEFAULT '{}'
);

CREATE TRIGGER catalog_versions_no_change BEFORE UPDATE OR DELETE ON catalog_versions
    FOR EACH ROW EXECUTE FUNCTION atiende_forbid_change();
CREATE TRIGGER catalog_versions_no_truncate BEFORE TRUNCATE ON catalog_versions
    FOR EACH STATEMENT EXECUTE FUNCTION atiende_forbid_change();
