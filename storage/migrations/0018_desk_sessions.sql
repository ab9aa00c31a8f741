-- The officers' web desk: single-use sign-in links and sessions. Only SHA-256 hashes of the
-- secrets are stored (a copy of the database signs no one in). Times are UTC ISO-8601 text.

CREATE TABLE desk_links (
    token_hash  TEXT    PRIMARY KEY,        -- sha256 of the link's token
    platform    TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,           -- the officer it was given to
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_at     TEXT                        -- set once: a link opens one session
);

CREATE TABLE desk_sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT    NOT NULL UNIQUE,  -- sha256 of the cookie's token
    platform      TEXT    NOT NULL,
    user_id       INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL,
    ended_at      TEXT,
    end_reason    TEXT                      -- signed_out | idle | not_an_officer
);
CREATE INDEX desk_sessions_open ON desk_sessions (platform, user_id) WHERE ended_at IS NULL;
