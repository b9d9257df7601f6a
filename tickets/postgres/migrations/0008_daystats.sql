-- The wallboard's day history (tickets/daystats.go) reads the call records
-- with a figure in one day: every figure of a record (queue entry, answer,
-- abandon, callback request) lies between the earliest and the latest of
-- queued_at, answered_at and ended_at, so the records of a day are those
-- whose span overlaps it. LEAST and GREATEST skip NULLs and keep the range
-- valid even if a clock stepped back between two of the times.
CREATE INDEX ticket_calls_span ON ticket_calls USING gist (
    tstzrange(LEAST(queued_at, answered_at, ended_at), GREATEST(queued_at, answered_at, ended_at), '[]'))
    WHERE queued_at IS NOT NULL;
