-- Reminders: created when their triggering event happens (or derived by reconciliation),
-- fired by the JobQueue into the outbox. Times are UTC ISO-8601 strings, as in 0001.

CREATE TABLE reminders (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL,              -- draft_unfinished | correction_pending | bank_visit | exhibition_tomorrow
    subject          TEXT    NOT NULL,              -- application:12 | exhibition:3:citizen:7
    sequence         TEXT    NOT NULL,              -- 1, 2 for drafts; the status event id; ...
    citizen_id       INTEGER REFERENCES citizens (id),
    chat_id          INTEGER NOT NULL,
    due_at           TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'cancelled', 'dropped')),
    dedupe_key       TEXT    NOT NULL UNIQUE,       -- kind:subject:sequence: never stored twice
    payload_json     TEXT    NOT NULL DEFAULT '{}', -- what the text needs (e.g. exhibition title)
    created_at       TEXT    NOT NULL,
    settled_at       TEXT,
    reason           TEXT                           -- why cancelled or dropped
);
-- Start-up and run_due: pending reminders by due time.
CREATE INDEX reminders_pending_due ON reminders (due_at, id) WHERE status = 'pending';
CREATE INDEX reminders_subject ON reminders (subject, status);
