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
-- column (kept by the triggers below), so a date range is one range of one index.
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

-- Filed in a date range (the export's and the web desk's date filters).
CREATE INDEX applications_filed ON applications (filed_at);

-- The Jalali years: the UTC instant each begins (Tehran midnight of 1 Farvardin), as
-- storage.reports computes a year's bounds (a test compares every row). A year's figures come
-- from the tallies below only while its row and the next one agree with that computation.
CREATE TABLE jalali_years (
    year            INTEGER PRIMARY KEY,
    starts_at       TEXT    NOT NULL UNIQUE
);
INSERT INTO jalali_years (year, starts_at) VALUES
    (1350, '1971-03-20T20:30:00.000000+00:00'), (1351, '1972-03-20T20:30:00.000000+00:00'),
    (1352, '1973-03-20T20:30:00.000000+00:00'), (1353, '1974-03-20T20:30:00.000000+00:00'),
    (1354, '1975-03-20T20:30:00.000000+00:00'), (1355, '1976-03-20T20:30:00.000000+00:00'),
    (1356, '1977-03-20T20:30:00.000000+00:00'), (1357, '1978-03-20T20:00:00.000000+00:00'),
    (1358, '1979-03-20T20:30:00.000000+00:00'), (1359, '1980-03-20T20:30:00.000000+00:00'),
    (1360, '1981-03-20T20:30:00.000000+00:00'), (1361, '1982-03-20T20:30:00.000000+00:00'),
    (1362, '1983-03-20T20:30:00.000000+00:00'), (1363, '1984-03-20T20:30:00.000000+00:00'),
    (1364, '1985-03-20T20:30:00.000000+00:00'), (1365, '1986-03-20T20:30:00.000000+00:00'),
    (1366, '1987-03-20T20:30:00.000000+00:00'), (1367, '1988-03-20T20:30:00.000000+00:00'),
    (1368, '1989-03-20T20:30:00.000000+00:00'), (1369, '1990-03-20T20:30:00.000000+00:00'),
    (1370, '1991-03-20T20:30:00.000000+00:00'), (1371, '1992-03-20T20:30:00.000000+00:00'),
    (1372, '1993-03-20T20:30:00.000000+00:00'), (1373, '1994-03-20T20:30:00.000000+00:00'),
    (1374, '1995-03-20T20:30:00.000000+00:00'), (1375, '1996-03-19T20:30:00.000000+00:00'),
    (1376, '1997-03-20T20:30:00.000000+00:00'), (1377, '1998-03-20T20:30:00.000000+00:00'),
    (1378, '1999-03-20T20:30:00.000000+00:00'), (1379, '2000-03-19T20:30:00.000000+00:00'),
    (1380, '2001-03-20T20:30:00.000000+00:00'), (1381, '2002-03-20T20:30:00.000000+00:00'),
    (1382, '2003-03-20T20:30:00.000000+00:00'), (1383, '2004-03-19T20:30:00.000000+00:00'),
    (1384, '2005-03-20T20:30:00.000000+00:00'), (1385, '2006-03-20T20:30:00.000000+00:00'),
    (1386, '2007-03-20T20:30:00.000000+00:00'), (1387, '2008-03-19T20:30:00.000000+00:00'),
    (1388, '2009-03-20T20:30:00.000000+00:00'), (1389, '2010-03-20T20:30:00.000000+00:00'),
    (1390, '2011-03-20T20:30:00.000000+00:00'), (1391, '2012-03-19T20:30:00.000000+00:00'),
    (1392, '2013-03-20T20:30:00.000000+00:00'), (1393, '2014-03-20T20:30:00.000000+00:00'),
    (1394, '2015-03-20T20:30:00.000000+00:00'), (1395, '2016-03-19T20:30:00.000000+00:00'),
    (1396, '2017-03-20T20:30:00.000000+00:00'), (1397, '2018-03-20T20:30:00.000000+00:00'),
    (1398, '2019-03-20T20:30:00.000000+00:00'), (1399, '2020-03-19T20:30:00.000000+00:00'),
    (1400, '2021-03-20T20:30:00.000000+00:00'), (1401, '2022-03-20T20:30:00.000000+00:00'),
    (1402, '2023-03-20T20:30:00.000000+00:00'), (1403, '2024-03-19T20:30:00.000000+00:00'),
    (1404, '2025-03-20T20:30:00.000000+00:00'), (1405, '2026-03-20T20:30:00.000000+00:00'),
    (1406, '2027-03-20T20:30:00.000000+00:00'), (1407, '2028-03-19T20:30:00.000000+00:00'),
    (1408, '2029-03-19T20:30:00.000000+00:00'), (1409, '2030-03-20T20:30:00.000000+00:00'),
    (1410, '2031-03-20T20:30:00.000000+00:00'), (1411, '2032-03-19T20:30:00.000000+00:00'),
    (1412, '2033-03-19T20:30:00.000000+00:00'), (1413, '2034-03-20T20:30:00.000000+00:00'),
    (1414, '2035-03-20T20:30:00.000000+00:00'), (1415, '2036-03-19T20:30:00.000000+00:00'),
    (1416, '2037-03-19T20:30:00.000000+00:00'), (1417, '2038-03-20T20:30:00.000000+00:00'),
    (1418, '2039-03-20T20:30:00.000000+00:00'), (1419, '2040-03-19T20:30:00.000000+00:00'),
    (1420, '2041-03-19T20:30:00.000000+00:00'), (1421, '2042-03-20T20:30:00.000000+00:00'),
    (1422, '2043-03-20T20:30:00.000000+00:00'), (1423, '2044-03-19T20:30:00.000000+00:00'),
    (1424, '2045-03-19T20:30:00.000000+00:00'), (1425, '2046-03-20T20:30:00.000000+00:00'),
    (1426, '2047-03-20T20:30:00.000000+00:00'), (1427, '2048-03-19T20:30:00.000000+00:00'),
    (1428, '2049-03-19T20:30:00.000000+00:00'), (1429, '2050-03-20T20:30:00.000000+00:00'),
    (1430, '2051-03-20T20:30:00.000000+00:00'), (1431, '2052-03-19T20:30:00.000000+00:00'),
    (1432, '2053-03-19T20:30:00.000000+00:00'), (1433, '2054-03-20T20:30:00.000000+00:00'),
    (1434, '2055-03-20T20:30:00.000000+00:00'), (1435, '2056-03-19T20:30:00.000000+00:00'),
    (1436, '2057-03-19T20:30:00.000000+00:00'), (1437, '2058-03-20T20:30:00.000000+00:00'),
    (1438, '2059-03-20T20:30:00.000000+00:00'), (1439, '2060-03-19T20:30:00.000000+00:00'),
    (1440, '2061-03-19T20:30:00.000000+00:00'), (1441, '2062-03-19T20:30:00.000000+00:00'),
    (1442, '2063-03-20T20:30:00.000000+00:00'), (1443, '2064-03-19T20:30:00.000000+00:00'),
    (1444, '2065-03-19T20:30:00.000000+00:00'), (1445, '2066-03-19T20:30:00.000000+00:00'),
    (1446, '2067-03-20T20:30:00.000000+00:00'), (1447, '2068-03-19T20:30:00.000000+00:00'),
    (1448, '2069-03-19T20:30:00.000000+00:00'), (1449, '2070-03-19T20:30:00.000000+00:00'),
    (1450, '2071-03-20T20:30:00.000000+00:00'), (1451, '2072-03-19T20:30:00.000000+00:00'),
    (1452, '2073-03-19T20:30:00.000000+00:00'), (1453, '2074-03-19T20:30:00.000000+00:00'),
    (1454, '2075-03-20T20:30:00.000000+00:00'), (1455, '2076-03-19T20:30:00.000000+00:00'),
    (1456, '2077-03-19T20:30:00.000000+00:00'), (1457, '2078-03-19T20:30:00.000000+00:00'),
    (1458, '2079-03-20T20:30:00.000000+00:00'), (1459, '2080-03-19T20:30:00.000000+00:00'),
    (1460, '2081-03-19T20:30:00.000000+00:00'), (1461, '2082-03-19T20:30:00.000000+00:00'),
    (1462, '2083-03-20T20:30:00.000000+00:00'), (1463, '2084-03-19T20:30:00.000000+00:00'),
    (1464, '2085-03-19T20:30:00.000000+00:00'), (1465, '2086-03-19T20:30:00.000000+00:00'),
    (1466, '2087-03-20T20:30:00.000000+00:00'), (1467, '2088-03-19T20:30:00.000000+00:00'),
    (1468, '2089-03-19T20:30:00.000000+00:00'), (1469, '2090-03-19T20:30:00.000000+00:00'),
    (1470, '2091-03-20T20:30:00.000000+00:00'), (1471, '2092-03-19T20:30:00.000000+00:00'),
    (1472, '2093-03-19T20:30:00.000000+00:00'), (1473, '2094-03-19T20:30:00.000000+00:00'),
    (1474, '2095-03-19T20:30:00.000000+00:00'), (1475, '2096-03-19T20:30:00.000000+00:00'),
    (1476, '2097-03-19T20:30:00.000000+00:00'), (1477, '2098-03-19T20:30:00.000000+00:00'),
    (1478, '2099-03-19T20:30:00.000000+00:00'), (1479, '2100-03-20T20:30:00.000000+00:00'),
    (1480, '2101-03-20T20:30:00.000000+00:00'), (1481, '2102-03-20T20:30:00.000000+00:00'),
    (1482, '2103-03-20T20:30:00.000000+00:00'), (1483, '2104-03-20T20:30:00.000000+00:00'),
    (1484, '2105-03-20T20:30:00.000000+00:00'), (1485, '2106-03-20T20:30:00.000000+00:00'),
    (1486, '2107-03-20T20:30:00.000000+00:00'), (1487, '2108-03-20T20:30:00.000000+00:00'),
    (1488, '2109-03-20T20:30:00.000000+00:00'), (1489, '2110-03-20T20:30:00.000000+00:00'),
    (1490, '2111-03-20T20:30:00.000000+00:00'), (1491, '2112-03-20T20:30:00.000000+00:00'),
    (1492, '2113-03-20T20:30:00.000000+00:00'), (1493, '2114-03-20T20:30:00.000000+00:00'),
    (1494, '2115-03-20T20:30:00.000000+00:00'), (1495, '2116-03-20T20:30:00.000000+00:00'),
    (1496, '2117-03-20T20:30:00.000000+00:00'), (1497, '2118-03-20T20:30:00.000000+00:00'),
    (1498, '2119-03-20T20:30:00.000000+00:00'), (1499, '2120-03-20T20:30:00.000000+00:00'),
    (1500, '2121-03-20T20:30:00.000000+00:00'), (1501, '2122-03-20T20:30:00.000000+00:00');

-- How many non-draft applications were filed in each Jalali year, by status, county, activity
-- and plan type ('' for a missing county or activity; year 0 outside the table). Kept by the
-- triggers below on every write to applications, so the year's statistics read a few thousand
-- rows instead of every application filed that year.
CREATE TABLE application_tallies (
    year            INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    county          TEXT    NOT NULL,
    activity_code   TEXT    NOT NULL,
    plan_type       TEXT    NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (year, status, county, activity_code, plan_type)
) WITHOUT ROWID;
INSERT INTO application_tallies (year, status, county, activity_code, plan_type, n)
SELECT IFNULL((SELECT year FROM jalali_years
        WHERE starts_at <= COALESCE(a.submitted_at, a.created_at)
        ORDER BY starts_at DESC LIMIT 1), 0),
       a.status, IFNULL(a.county, ''), IFNULL(a.activity_code, ''), a.plan_type, COUNT(*)
FROM applications AS a
WHERE a.status != 'draft'
GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER applications_tally_insert AFTER INSERT ON applications
WHEN NEW.status != 'draft'
BEGIN
    INSERT INTO application_tallies (year, status, county, activity_code, plan_type, n)
    VALUES (IFNULL((SELECT year FROM jalali_years
        WHERE starts_at <= COALESCE(NEW.submitted_at, NEW.created_at)
        ORDER BY starts_at DESC LIMIT 1), 0),
        NEW.status, IFNULL(NEW.county, ''), IFNULL(NEW.activity_code, ''), NEW.plan_type, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER applications_tally_update
AFTER UPDATE OF status, county, activity_code, plan_type, submitted_at, created_at ON applications
WHEN OLD.status != 'draft' OR NEW.status != 'draft'
BEGIN
    UPDATE application_tallies SET n = n - 1
    WHERE OLD.status != 'draft'
      AND year = IFNULL((SELECT year FROM jalali_years
        WHERE starts_at <= COALESCE(OLD.submitted_at, OLD.created_at)
        ORDER BY starts_at DESC LIMIT 1), 0)
      AND status = OLD.status AND county = IFNULL(OLD.county, '')
      AND activity_code = IFNULL(OLD.activity_code, '') AND plan_type = OLD.plan_type;
    INSERT INTO application_tallies (year, status, county, activity_code, plan_type, n)
    SELECT IFNULL((SELECT year FROM jalali_years
        WHERE starts_at <= COALESCE(NEW.submitted_at, NEW.created_at)
        ORDER BY starts_at DESC LIMIT 1), 0),
        NEW.status, IFNULL(NEW.county, ''), IFNULL(NEW.activity_code, ''), NEW.plan_type, 1
    WHERE NEW.status != 'draft'
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER applications_tally_delete AFTER DELETE ON applications
WHEN OLD.status != 'draft'
BEGIN
    UPDATE application_tallies SET n = n - 1
    WHERE year = IFNULL((SELECT year FROM jalali_years
        WHERE starts_at <= COALESCE(OLD.submitted_at, OLD.created_at)
        ORDER BY starts_at DESC LIMIT 1), 0)
      AND status = OLD.status AND county = IFNULL(OLD.county, '')
      AND activity_code = IFNULL(OLD.activity_code, '') AND plan_type = OLD.plan_type;
END;

-- Unfinished drafts of the year.
CREATE INDEX applications_drafts ON applications (created_at) WHERE status = 'draft';
-- Loans paid in the year, with their amounts (status too, so that the index alone answers).
CREATE INDEX applications_paid
    ON applications (paid_on, plan_type, paid_rials, status) WHERE status = 'paid';
-- When an application was introduced to a bank: the time of its move to introduced_to_bank
-- (a permit event keeps the status: not a move), kept by the triggers below. The life cycle
-- allows one such move per application (approved → introduced_to_bank, never back), so "the
-- applications introduced in the year" is one covering range with their plan and amount.
ALTER TABLE applications ADD COLUMN introduced_at TEXT;
UPDATE applications SET introduced_at = (
    SELECT MAX(e.created_at) FROM status_events AS e
    WHERE e.application_id = applications.id AND e.to_status = 'introduced_to_bank'
      AND (e.from_status IS NULL OR e.from_status != e.to_status))
WHERE id IN (SELECT application_id FROM status_events WHERE to_status = 'introduced_to_bank');
CREATE TRIGGER status_events_introduced_insert AFTER INSERT ON status_events
WHEN NEW.to_status = 'introduced_to_bank'
    AND (NEW.from_status IS NULL OR NEW.from_status != NEW.to_status)
BEGIN
    UPDATE applications SET introduced_at = NEW.created_at
    WHERE id = NEW.application_id AND (introduced_at IS NULL OR introduced_at < NEW.created_at);
END;
CREATE TRIGGER status_events_introduced_delete AFTER DELETE ON status_events
WHEN OLD.to_status = 'introduced_to_bank'
    AND (OLD.from_status IS NULL OR OLD.from_status != OLD.to_status)
BEGIN
    UPDATE applications SET introduced_at = (
        SELECT MAX(e.created_at) FROM status_events AS e
        WHERE e.application_id = OLD.application_id AND e.to_status = 'introduced_to_bank'
          AND (e.from_status IS NULL OR e.from_status != e.to_status))
    WHERE id = OLD.application_id;
END;
CREATE INDEX applications_introduced
    ON applications (introduced_at, plan_type, requested_rials) WHERE introduced_at IS NOT NULL;
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
    before_json      TEXT    NOT NULL,              -- as checked; once applied: what it replaced
    applied_at       TEXT,
    status_event_id  INTEGER REFERENCES status_events (id),
    audit_id         INTEGER REFERENCES audit_log (id),
    notify_text      TEXT,                          -- the citizen's notification, rendered
    PRIMARY KEY (import_id, row)
) WITHOUT ROWID;
