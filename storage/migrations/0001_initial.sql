-- The foundation: citizens, their applications and documents, the status timeline,
-- the audit log, processed updates and the conversation persistence.
-- Money is stored in whole rials; times are UTC ISO-8601 strings.

CREATE TABLE citizens (
    id              INTEGER PRIMARY KEY,
    platform        TEXT    NOT NULL,              -- telegram | bale
    user_id         INTEGER NOT NULL,              -- the platform's user id
    chat_id         INTEGER NOT NULL,              -- private chat to notify
    phone           TEXT,                          -- canonical +989XXXXXXXXX
    full_name       TEXT,
    national_code   TEXT,                          -- 10 digits, validated
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (platform, user_id)
);
CREATE INDEX citizens_national_code ON citizens (national_code);
CREATE INDEX citizens_phone ON citizens (phone);

CREATE TABLE applications (
    id                INTEGER PRIMARY KEY,
    citizen_id        INTEGER NOT NULL REFERENCES citizens (id),
    tracking_code     TEXT    UNIQUE,              -- given on submission
    plan_type         TEXT    NOT NULL,            -- independent | supporting
    status            TEXT    NOT NULL DEFAULT 'draft',
    step              TEXT,                        -- where the citizen stopped in the draft
    answers_json      TEXT    NOT NULL DEFAULT '{}',-- the form so far (pydantic model dump)
    full_name         TEXT,
    national_code     TEXT,
    phone             TEXT,
    birth_date        TEXT,                        -- ISO Gregorian date
    county            TEXT,
    activity_code     TEXT,
    requested_rials   INTEGER,
    bank              TEXT,
    bank_branch       TEXT,
    paid_rials        INTEGER,
    paid_on           TEXT,
    permit_number     TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    submitted_at      TEXT
);
CREATE INDEX applications_citizen ON applications (citizen_id);
CREATE INDEX applications_status ON applications (status);
CREATE INDEX applications_national_code ON applications (national_code);
-- One open application per citizen and plan type (closed = rejected or paid).
CREATE UNIQUE INDEX applications_one_open
    ON applications (citizen_id, plan_type)
    WHERE status NOT IN ('rejected', 'paid');

CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    kind            TEXT    NOT NULL,              -- requirement code, e.g. national_card
    status          TEXT    NOT NULL DEFAULT 'received', -- received | accepted | needs_correction | replaced
    stored_name     TEXT    NOT NULL,              -- generated, relative to DATA_DIR/files
    sha256          TEXT    NOT NULL,
    mime_type       TEXT    NOT NULL,
    size_bytes      INTEGER NOT NULL,
    platform_file_id TEXT,
    reason          TEXT,                          -- why a correction is needed
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX documents_application ON documents (application_id, kind);

CREATE TABLE status_events (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    from_status     TEXT,
    to_status       TEXT    NOT NULL,
    actor           TEXT    NOT NULL,              -- citizen:<id> | officer:<user id> | system | import:<file>
    reason          TEXT,
    details_json    TEXT    NOT NULL DEFAULT '{}', -- e.g. documents to correct, bank, amount
    created_at      TEXT    NOT NULL
);
CREATE INDEX status_events_application ON status_events (application_id, id);

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    actor           TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    subject         TEXT,                          -- e.g. application:<id>
    before_json     TEXT,
    after_json      TEXT,
    created_at      TEXT    NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, id);

-- Update ids are per bot, so one database serving Telegram and Bale keys them by platform.
CREATE TABLE processed_updates (
    platform        TEXT    NOT NULL,
    update_id       INTEGER NOT NULL,
    processed_at    TEXT    NOT NULL,
    PRIMARY KEY (platform, update_id)
);
CREATE INDEX processed_updates_time ON processed_updates (processed_at);

-- Conversation persistence (python-telegram-bot BasePersistence), one set per platform
-- because Telegram and Bale user/chat ids are separate spaces.
CREATE TABLE persistence_conversations (
    platform        TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    conv_key        TEXT    NOT NULL,              -- JSON array of the key's parts
    state           TEXT    NOT NULL,              -- JSON of the state
    PRIMARY KEY (platform, name, conv_key)
);
CREATE TABLE persistence_user_data (
    platform        TEXT    NOT NULL,
    user_id         INTEGER NOT NULL,
    data            TEXT    NOT NULL,
    PRIMARY KEY (platform, user_id)
);
CREATE TABLE persistence_chat_data (
    platform        TEXT    NOT NULL,
    chat_id         INTEGER NOT NULL,
    data            TEXT    NOT NULL,
    PRIMARY KEY (platform, chat_id)
);
CREATE TABLE persistence_singletons (
    platform        TEXT    NOT NULL,
    name            TEXT    NOT NULL,              -- bot_data | callback_data
    data            TEXT    NOT NULL,
    PRIMARY KEY (platform, name)
);
