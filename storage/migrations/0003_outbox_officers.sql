-- The notification outbox (written in the same transaction as the change it announces),
-- every delivery attempt, and the officers stored in the database.
-- Times are UTC ISO-8601 strings (sortable), as in 0001.

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL,
    citizen_id       INTEGER REFERENCES citizens (id),
    kind             TEXT    NOT NULL,              -- status_change | reminder | broadcast | ...
    text             TEXT    NOT NULL,              -- final Persian text, rendered at write time
    reply_markup_json TEXT,                         -- InlineKeyboardMarkup.to_dict() as JSON
    urgent           INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)), -- ignores quiet hours
    dedupe_key       TEXT    NOT NULL UNIQUE,       -- e.g. status_event:<id>: never enqueued twice
    not_before       TEXT    NOT NULL,              -- quiet hours and retry backoff
    status           TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'undeliverable', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    sent_message_id  INTEGER,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    sent_at          TEXT
);
-- The sender's query: pending rows that are due, oldest first.
CREATE INDEX outbox_pending_due ON outbox (not_before, id) WHERE status = 'pending';
-- Per-chat ordering checks (is an earlier row of this chat still open?).
CREATE INDEX outbox_chat_open ON outbox (chat_id, id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_citizen ON outbox (citizen_id);

CREATE TABLE outbox_attempts (
    id               INTEGER PRIMARY KEY,
    outbox_id        INTEGER NOT NULL REFERENCES outbox (id),
    at               TEXT    NOT NULL,
    outcome          TEXT    NOT NULL,              -- sent | retry | rate_limited | undeliverable | failed
    error_code       TEXT,                          -- HTTP status or exception name
    error            TEXT,
    retry_after      REAL                           -- seconds the platform asked us to wait
);
CREATE INDEX outbox_attempts_outbox ON outbox_attempts (outbox_id, id);

CREATE TABLE officers (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL,
    platform         TEXT    NOT NULL,              -- telegram | bale
    name             TEXT,
    is_admin         INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    added_by         TEXT    NOT NULL,              -- officer:<user id> | cli | settings
    added_at         TEXT    NOT NULL,
    removed_at       TEXT
);
-- One active row per officer; removed rows stay for the audit trail.
CREATE UNIQUE INDEX officers_active ON officers (platform, user_id) WHERE removed_at IS NULL;
