-- A call that ends in the IVR without a ticket (the caller left before
-- choosing anything or reaching an agent, or never sent any audio) is kept
-- as a call record with no ticket: outcome 'abandoned_ivr'. The day
-- history reads records with queued_at only, so these never count as
-- queue calls.
ALTER TABLE ticket_calls ALTER COLUMN ticket_id DROP NOT NULL;
CREATE INDEX ticket_calls_unticketed ON ticket_calls (started_at) WHERE ticket_id IS NULL;
