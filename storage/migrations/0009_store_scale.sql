-- The office's commands at the scale of a national programme (issue 14): every officer search,
-- the year's statistics and the export's pages are served by indexes; bank imports get a record
-- that lets a half-applied import resume after a crash.
-- Times are UTC ISO-8601 strings (sortable), as in 0001.

-- --- officer searches ----------------------------------------------------------------------

-- Phones are stored in one canonical form, +989XXXXXXXXX (domain.persian.normalize_mobile);
-- rows written in another common form before that rule are brought to it here.
UPDATE applications SET phone = '+98' || substr(phone, 2)
    WHERE phone GLOB '09[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
UPDATE applications SET phone = '+' || phone
    WHERE phone GLOB '989[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
UPDATE applications SET phone = '+' || substr(phone, 3)
    WHERE phone GLOB '00989[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
UPDATE applications SET phone = '+98' || phone
    WHERE phone GLOB '9[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
UPDATE citizens SET phone = '+98' || substr(phone, 2)
    WHERE phone GLOB '09[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
UPDATE citizens SET phone = '+' || phone
    WHERE phone GLOB '989[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
UPDATE citizens SET phone = '+' || substr(phone, 3)
    WHERE phone GLOB '00989[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
UPDATE citizens SET phone = '+98' || phone
    WHERE phone GLOB '9[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
CREATE INDEX applications_phone ON applications (phone);

-- Name search: one key per rotation of the name's words, in search form (letters folded, no
-- spaces or ZWNJ; storage.applications.name_keys). «مریم احمدی» is stored as «مریماحمدی» and
-- «احمدیمریم», so a typed prefix that starts at any word, in either order, is an index range.
-- The repository rewrites an application's keys whenever it writes full_name.
CREATE TABLE application_names (
    name_key        TEXT    NOT NULL,
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    PRIMARY KEY (name_key, application_id)
) WITHOUT ROWID;
CREATE INDEX application_names_application ON application_names (application_id);

-- The keys of the names already stored (which the bot stored through normalize_input): the
-- same folds as domain.persian.normalize_for_search, then every rotation of the words.
WITH RECURSIVE
folded (id, name) AS (
    SELECT id, trim(lower(
        replace(replace(replace(replace(replace(replace(replace(replace(
        replace(replace(replace(replace(replace(replace(replace(full_name,
            char(8204), ''), char(9), ' '), char(10), ' '), '  ', ' '), '  ', ' '),
            'ي', 'ی'), 'ى', 'ی'), 'ك', 'ک'), 'ة', 'ه'),
            'أ', 'ا'), 'إ', 'ا'), 'ٱ', 'ا'), 'ؤ', 'و'), 'ۀ', 'ه'), 'ئ', 'ی')))
    FROM applications
    WHERE full_name IS NOT NULL
),
starts (id, name, start) AS (
    SELECT id, name, 1 FROM folded WHERE name != ''
    UNION ALL
    SELECT id, name, start + instr(substr(name, start), ' ')
    FROM starts
    WHERE instr(substr(name, start), ' ') > 0
)
INSERT OR IGNORE INTO application_names (name_key, application_id)
SELECT replace(substr(name, start) || substr(name, 1, start - 1), ' ', ''), id
FROM starts;

-- --- statistics ------------------------------------------------------------------------------

-- When an application counts as filed: its submission, or its creation for a draft. A stored
-- column (kept by the triggers below) so that the year's figures are one range of one index.
ALTER TABLE applications ADD COLUMN filed_at TEXT;
UPDATE applications SET filed_at = COALESCE(submitted_at, created_at);
CREATE TRIGGER applications_filed_at_insert AFTER INSERT ON applications
WHEN NEW.filed_at IS NOT COALESCE(NEW.submitted_at, NEW.created_at)
BEGIN
    UPDATE applications SET filed_at = COALESCE(NEW.submitted_at, NEW.created_at)
    WHERE id = NEW.id;
END;
CREATE TRIGGER applications_filed_at_update
AFTER UPDATE OF submitted_at, created_at, filed_at ON applications
WHEN NEW.filed_at IS NOT COALESCE(NEW.submitted_at, NEW.created_at)
BEGIN
    UPDATE applications SET filed_at = COALESCE(NEW.submitted_at, NEW.created_at)
    WHERE id = NEW.id;
END;

-- The year's counts by status, county, activity and plan type: a covering range.
CREATE INDEX applications_filed
    ON applications (filed_at, status, county, activity_code, plan_type);
-- Unfinished drafts of the year.
CREATE INDEX applications_drafts ON applications (created_at) WHERE status = 'draft';
-- Loans paid in the year, with their amounts.
CREATE INDEX applications_paid
    ON applications (paid_on, plan_type, paid_rials) WHERE status = 'paid';
-- The plan type and requested amount of an application by id, without reading its row (the
-- rows carry the answers and are ten times larger).
CREATE INDEX applications_loan ON applications (id, plan_type, requested_rials);
-- Introductions to a bank in the year (a permit event keeps the status: not a move).
CREATE INDEX status_events_introduced ON status_events (created_at, application_id)
    WHERE to_status = 'introduced_to_bank' AND (from_status IS NULL OR from_status != to_status);
-- Permits issued in the year.
CREATE INDEX status_events_permits ON status_events (created_at, application_id)
    WHERE json_extract(details_json, '$.event') = 'permit_issued';

-- --- export pages (and the web desk's lists) --------------------------------------------------

-- Keyset pages (id > last) of one county's applications.
CREATE INDEX applications_county ON applications (county);

-- --- bank imports ------------------------------------------------------------------------------

-- One checked bank report being applied in short transactions (storage/bank_imports.py).
-- applying: its rows are being applied, chunk by chunk; notifying: every row is applied, the
-- citizens' notifications are being written; done. rolling_back: an application changed under
-- the import, the applied rows are being put back; rolled_back. An import a crash left applying,
-- rolling_back or notifying is finished by the next import run.
CREATE TABLE bank_imports (
    id               INTEGER PRIMARY KEY,
    file_name        TEXT    NOT NULL,
    file_sha256      TEXT    NOT NULL,
    actor            TEXT    NOT NULL,              -- import:<file name>
    status           TEXT    NOT NULL DEFAULT 'applying'
        CHECK (status IN ('applying', 'rolling_back', 'notifying', 'done', 'rolled_back')),
    rows_total       INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    finished_at      TEXT
);
CREATE INDEX bank_imports_open ON bank_imports (status)
    WHERE status IN ('applying', 'rolling_back', 'notifying');

-- One planned payment per checked row, keyed by the import and the spreadsheet's row number, so
-- a chunk applied twice changes nothing: a row is applied once (applied_at), notified once
-- (the outbox's dedupe key is its status event).
CREATE TABLE bank_import_rows (
    import_id        INTEGER NOT NULL REFERENCES bank_imports (id),
    row              INTEGER NOT NULL,
    application_id   INTEGER NOT NULL REFERENCES applications (id),
    amount_rials     INTEGER NOT NULL,
    paid_on          TEXT    NOT NULL,              -- ISO Gregorian date
    before_json      TEXT    NOT NULL,              -- the checked state; once applied, what it replaced
    applied_at       TEXT,
    status_event_id  INTEGER REFERENCES status_events (id),
    audit_id         INTEGER REFERENCES audit_log (id),
    notify_text      TEXT,                          -- the citizen's notification, rendered
    PRIMARY KEY (import_id, row)
) WITHOUT ROWID;
