-- Tables of the public pages: lookup counts per code and city, and
-- consumer complaints.

CREATE TABLE web_scan (
    canonical TEXT    NOT NULL, -- canonical identifier looked up (package ident)
    city      TEXT    NOT NULL, -- city the consumer gave; '' when not given
    count     INTEGER NOT NULL, -- number of lookups
    first_at  INTEGER NOT NULL, -- first lookup, Unix nanoseconds
    last_at   INTEGER NOT NULL, -- latest lookup, Unix nanoseconds
    PRIMARY KEY (canonical, city)
) WITHOUT ROWID;
CREATE TABLE web_complaint (
    id         INTEGER PRIMARY KEY, -- complaint number shown to the consumer
    canonical  TEXT    NOT NULL,    -- canonical identifier complained about
    kind       TEXT    NOT NULL,    -- complaint kind key, such as 'quality'
    message    TEXT    NOT NULL,    -- what the consumer wrote
    contact    TEXT    NOT NULL,    -- optional phone or e-mail; '' when not given
    created_at INTEGER NOT NULL     -- Unix nanoseconds
);
CREATE INDEX web_complaint_canonical ON web_complaint (canonical);
