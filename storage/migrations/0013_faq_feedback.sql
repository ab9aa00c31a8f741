-- Questions answered from the FAQ (data/faq.yaml) and what citizens thought of the answers:
-- `homebiz faq-report` lists the unanswered questions and the 👎 answers so the office can add
-- entries, and the statistics count the share answered without an officer.
-- `text` is the citizen's own words (digits of codes and phones masked): never logged.
-- Times are UTC ISO-8601 strings (sortable), as in 0001.

CREATE TABLE faq_questions (
    id          INTEGER PRIMARY KEY,
    citizen_id  INTEGER NOT NULL REFERENCES citizens (id),
    outcome     TEXT    NOT NULL,  -- answered | suggested | picked | unmatched | browsed
    text        TEXT,              -- the question as typed; NULL for an answer opened from /faq
    normalized  TEXT,              -- its comparable form, which the report groups on
    entry_id    TEXT,              -- the entry answered, picked or opened (an id in faq.yaml)
    suggested   TEXT,              -- the entries offered as «Did you mean?» buttons, comma-separated
    helpful     INTEGER,           -- 1 👍, 0 👎, NULL not voted
    asked_at    TEXT    NOT NULL,
    voted_at    TEXT
);
CREATE INDEX faq_questions_outcome ON faq_questions (outcome, normalized);
CREATE INDEX faq_questions_entry ON faq_questions (entry_id, helpful);
CREATE INDEX faq_questions_asked ON faq_questions (asked_at);
