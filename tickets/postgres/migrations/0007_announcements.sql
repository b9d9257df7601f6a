-- IVR announcements (the admin page): recordings that replace one of the
-- flow's prompts in one language, and notices (prompt 'notice') played after
-- the welcome. The audio is the WAV file as the IVR plays it (8 kHz mono
-- 16-bit PCM, checked before it is stored); a supervisor may delete one.
CREATE TABLE ivr_announcements (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    language    text NOT NULL CHECK (language IN ('es', 'en')),
    prompt      text NOT NULL CHECK (prompt ~ '^[a-z0-9_-]{1,64}$'),
    title       text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    start_at    timestamptz,
    end_at      timestamptz,
    enabled     boolean NOT NULL DEFAULT true,
    audio       bytea NOT NULL CHECK (octet_length(audio) BETWEEN 44 AND 5242880),
    duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
    created_by  text NOT NULL CHECK (created_by <> ''),
    created_at  timestamptz NOT NULL,
    updated_by  text NOT NULL CHECK (updated_by <> ''),
    updated_at  timestamptz NOT NULL,
    CHECK (start_at IS NULL OR end_at IS NULL OR end_at > start_at)
);
-- PCM does not compress: store it out of line without trying.
ALTER TABLE ivr_announcements ALTER COLUMN audio SET STORAGE EXTERNAL;
-- What the IVR's cache loads: the enabled ones not yet over.
CREATE INDEX ivr_announcements_live ON ivr_announcements (end_at) WHERE enabled;
