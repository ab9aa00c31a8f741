-- Exhibitions and booth requests, announcement subscriptions, and broadcasts.
-- Dates of an exhibition are ISO Gregorian dates (shown in Jalali); times are UTC ISO-8601.

CREATE TABLE exhibitions (
    id               INTEGER PRIMARY KEY,
    title            TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('seasonal', 'permanent', 'virtual')),
    county           TEXT,                          -- catalogue county code; NULL: virtual
    venue            TEXT    NOT NULL DEFAULT '',
    starts_on        TEXT    NOT NULL,
    ends_on          TEXT    NOT NULL,
    booth_deadline   TEXT,                          -- last day to ask; NULL: the start day
    description      TEXT    NOT NULL DEFAULT '',
    poster_file_id   TEXT,                          -- platform file id of the poster
    status           TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    created_by       TEXT    NOT NULL,              -- officer:<user id> | import:<file>
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
-- Citizens' list: active exhibitions that have not ended yet.
CREATE INDEX exhibitions_upcoming ON exhibitions (status, ends_on);
-- The same exhibition is not imported twice.
CREATE UNIQUE INDEX exhibitions_identity ON exhibitions (title, starts_on, IFNULL(county, ''));

CREATE TABLE booth_requests (
    id               INTEGER PRIMARY KEY,
    exhibition_id    INTEGER NOT NULL REFERENCES exhibitions (id),
    citizen_id       INTEGER NOT NULL REFERENCES citizens (id),
    status           TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'declined')),
    decided_by       TEXT,
    decided_at       TEXT,
    created_at       TEXT    NOT NULL,
    UNIQUE (exhibition_id, citizen_id)              -- one request per exhibition
);
CREATE INDEX booth_requests_status ON booth_requests (status, id);
CREATE INDEX booth_requests_citizen ON booth_requests (citizen_id);

-- One row per citizen who ever opened the settings; no county / group rows means «all».
CREATE TABLE subscriptions (
    citizen_id       INTEGER PRIMARY KEY REFERENCES citizens (id),
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX subscriptions_active ON subscriptions (active, citizen_id);
CREATE TABLE subscription_counties (
    citizen_id       INTEGER NOT NULL REFERENCES citizens (id),
    county           TEXT    NOT NULL,
    PRIMARY KEY (citizen_id, county)
) WITHOUT ROWID;
CREATE TABLE subscription_groups (
    citizen_id       INTEGER NOT NULL REFERENCES citizens (id),
    group_code       TEXT    NOT NULL,
    PRIMARY KEY (citizen_id, group_code)
) WITHOUT ROWID;

CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    officer             TEXT    NOT NULL,           -- officer:<user id>
    text                TEXT    NOT NULL,           -- final text every recipient gets
    filter_json         TEXT    NOT NULL,           -- {"county": ..., "group": ...}; null = all
    exhibition_id       INTEGER REFERENCES exhibitions (id),
    status              TEXT    NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
    enqueued_upto       INTEGER NOT NULL DEFAULT 0, -- last citizen id enqueued (resume point)
    enqueue_done        INTEGER NOT NULL DEFAULT 0 CHECK (enqueue_done IN (0, 1)),
    total               INTEGER,                    -- recipients, once enqueuing is done
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    created_at          TEXT    NOT NULL,
    finished_at         TEXT
);
CREATE INDEX broadcasts_running ON broadcasts (status) WHERE status = 'running';

-- Progress of a broadcast is counted over its outbox rows by status (a covering index).
ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER REFERENCES broadcasts (id);
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, status) WHERE broadcast_id IS NOT NULL;
