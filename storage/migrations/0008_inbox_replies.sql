-- Exactly-once handling: updates are stored as they arrive (before they are acknowledged to
-- the platform) and handled from here; an update's replies are written in the same
-- transaction as its effects and sent after the commit.

-- One row per update received. A re-delivery repeats the same update id *and* the same
-- content (digest); an update id seen again with other content is a new update (Telegram
-- may restart its ids after a quiet week; an emulator restarts them at 1).
CREATE TABLE inbox_updates (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,    -- arrival order
    platform        TEXT    NOT NULL,
    bot_id          INTEGER NOT NULL,                     -- update ids are per bot
    update_id       INTEGER NOT NULL,
    digest          TEXT    NOT NULL,                     -- SHA-256 of the canonical JSON
    chat_key        INTEGER NOT NULL,                     -- the lane: chat id, else user id, else 0
    payload         TEXT    NOT NULL,                     -- the update as JSON
    received_at     TEXT    NOT NULL,
    handled_at      TEXT,                                 -- committed with the update's effects
    outcome         TEXT                                  -- handled | failed
);
CREATE INDEX inbox_updates_identity ON inbox_updates (platform, bot_id, update_id);
CREATE INDEX inbox_updates_pending ON inbox_updates (platform, bot_id, seq) WHERE handled_at IS NULL;
CREATE INDEX inbox_updates_handled ON inbox_updates (handled_at) WHERE handled_at IS NOT NULL;

-- Bot API calls a handler made (sendMessage, editMessageText, answerCallbackQuery, …),
-- written in the update's transaction and sent, in order per lane, once it committed.
-- The handler saw message id -id for a message sent here; message_id maps it to the real one.
CREATE TABLE reply_queue (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    platform        TEXT    NOT NULL,
    bot_id          INTEGER NOT NULL,
    chat_key        INTEGER NOT NULL,
    update_seq      INTEGER NOT NULL REFERENCES inbox_updates (seq) ON DELETE CASCADE,
    method          TEXT    NOT NULL,
    params          TEXT    NOT NULL,                     -- JSON object of the call's values
    file_param      TEXT,                                 -- a file upload, if any
    file_name       TEXT,
    file_data       BLOB,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,                                 -- sent, or given up (see outcome)
    message_id      INTEGER,                              -- the platform's id of the message
    outcome         TEXT                                  -- sent | dropped: <why>
);
CREATE INDEX reply_queue_unsent ON reply_queue (platform, bot_id, chat_key, id) WHERE sent_at IS NULL;

-- The inbox replaces the processed-id list (it kept ids forever, per platform, not per bot).
DROP TABLE processed_updates;
