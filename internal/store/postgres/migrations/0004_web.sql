-- Tables of the public pages: lookup counts per code and city, and
-- consumer complaints.

CREATE TABLE web_scan (
    canonical TEXT        NOT NULL, -- canonical identifier looked up (package ident)
    city      TEXT        NOT NULL, -- city the consumer gave; '' when not given
    count     BIGINT      NOT NULL, -- number of lookups
    first_at  TIMESTAMPTZ NOT NULL, -- first lookup
    last_at   TIMESTAMPTZ NOT NULL, -- latest lookup
    PRIMARY KEY (canonical, city)
);
CREATE TABLE web_complaint (
    id         BIGSERIAL PRIMARY KEY, -- complaint number shown to the consumer
    canonical  TEXT        NOT NULL,  -- canonical identifier complained about
    kind       TEXT        NOT NULL,  -- complaint kind key, such as 'quality'
    message    TEXT        NOT NULL,  -- what the consumer wrote
    contact    TEXT        NOT NULL,  -- optional phone or e-mail; '' when not given
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_complaint_canonical ON web_complaint (canonical);
