-- Tickets: a citizen's conversation with the officers, in the bot's private chats (Bale has no
-- supergroups or forum topics). A citizen has at most one open ticket; its messages (the
-- citizen's, officers' replies and internal notes), the applications linked for context, and
-- files the outbox sends by the platform's file id. Message texts are never logged.
-- Times are UTC ISO-8601 strings (sortable), as in 0001.

CREATE TABLE tickets (
    id                  INTEGER PRIMARY KEY,       -- the number the citizen sees
    citizen_id          INTEGER NOT NULL REFERENCES citizens (id),
    chat_id             INTEGER NOT NULL,          -- where replies go
    citizen_name        TEXT,                      -- the account's name when it opened
    status              TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    source              TEXT    NOT NULL DEFAULT 'contact' CHECK (source IN ('contact', 'faq')),
    assignee            INTEGER,                   -- the officer's user id
    opened_at           TEXT    NOT NULL,
    waiting_since       TEXT,                      -- the first citizen message not answered yet
    waiting_message_id  INTEGER,                   -- that message (service levels key on it)
    first_reply_at      TEXT,
    last_activity_at    TEXT    NOT NULL,
    closed_at           TEXT,
    rating              INTEGER CHECK (rating BETWEEN 1 AND 5),
    rated_at            TEXT
);
-- One open ticket per citizen: whatever they write joins it.
CREATE UNIQUE INDEX tickets_one_open ON tickets (citizen_id) WHERE status = 'open';
CREATE INDEX tickets_status ON tickets (status, waiting_since);
CREATE INDEX tickets_opened ON tickets (opened_at);

CREATE TABLE ticket_messages (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    author          TEXT    NOT NULL CHECK (author IN ('citizen', 'officer')),
    officer_id      INTEGER,                       -- replies and notes: the officer's user id
    officer_name    TEXT,                          -- shown to officers only
    internal        INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)), -- a note
    text            TEXT,
    file_kind       TEXT CHECK (file_kind IN ('photo', 'document')),
    file_id         TEXT,                          -- the platform's, to send it on
    stored_name     TEXT,                          -- under DATA_DIR/files, checked like documents
    sha256          TEXT,
    mime_type       TEXT,
    size_bytes      INTEGER,
    canned_code     TEXT,                          -- data/canned_replies.yaml
    created_at      TEXT    NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

-- The citizen's applications when the ticket opened, so the officer sees the context.
CREATE TABLE ticket_applications (
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    PRIMARY KEY (ticket_id, application_id)
);

-- A file the outbox sends with its text as the caption: {"kind": "photo"|"document", "file_id"}.
ALTER TABLE outbox ADD COLUMN attachment_json TEXT;
