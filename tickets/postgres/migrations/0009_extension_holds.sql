-- Which agent is logged in at which phone extension (issue 16): one agent
-- per extension at any moment, and one extension per agent. A row exists
-- while its agent is logged in (any presence but logged_out); logging out
-- deletes it, so a logged-out owner holds nothing and the extension may be
-- taken. The primary key is what refuses a second agent, even when two
-- processes race.
CREATE TABLE extension_holds (
    extension text PRIMARY KEY CHECK (extension <> ''),
    username  text NOT NULL UNIQUE REFERENCES users (username) ON DELETE CASCADE,
    since     timestamptz NOT NULL
);
