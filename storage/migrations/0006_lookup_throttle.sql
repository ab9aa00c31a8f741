-- Failed lookups by tracking code + national code, per platform account: the throttle
-- counts recent rows, so a guesser is slowed down and a restart forgets nothing.
-- Times are UTC ISO-8601 strings (sortable), as in 0001.

CREATE TABLE lookup_failures (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,              -- telegram | bale
    user_id          INTEGER NOT NULL,              -- the platform's user id
    at               TEXT    NOT NULL
);
CREATE INDEX lookup_failures_user ON lookup_failures (platform, user_id, at);
