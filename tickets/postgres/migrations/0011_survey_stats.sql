-- Survey results on the wallboard and in the weekly report: each answer
-- knows how it was given (the keypad after the call, or the emailed page),
-- and the follow-up ticket a low score opened. One partial index on the
-- answer time serves every period aggregate and the latest comments.
ALTER TABLE surveys ADD COLUMN channel text NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'keypad'));
UPDATE surveys SET channel = 'keypad' WHERE substring(token_hash FROM 1 FOR 7) = 'keypad:'::bytea;
ALTER TABLE surveys ADD COLUMN follow_up text REFERENCES tickets (number);
CREATE INDEX surveys_answered_at ON surveys (answered_at) INCLUDE (score, agent, ticket_number)
    WHERE answered_at IS NOT NULL;
