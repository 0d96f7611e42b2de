-- Suyuan SQLite schema, version 7: decisions in the audit log.
-- A leaf of the audit log records either an event or a decision, so
-- log_leaves.event_seq and event_id become nullable: a decision leaf has
-- neither, and its decision row names it by leaf_idx. ALTER COLUMN ... DROP
-- NOT NULL (SQLite 3.53.0 and later; modernc.org/sqlite v1.62.0 embeds
-- 3.54.1) changes only the table's schema text, so the leaves, the
-- log_leaves_event_seq index and the foreign key to events stay as they
-- are, and the migration takes the same time for any number of leaves.
-- ADD CONSTRAINT checks the stored leaves once, by one table scan.
ALTER TABLE log_leaves ALTER COLUMN event_seq DROP NOT NULL;
ALTER TABLE log_leaves ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE log_leaves ADD CONSTRAINT log_leaves_event_or_decision
    CHECK ((event_seq IS NULL) = (event_id IS NULL));

-- Decisions: recall, credit-list and party-registry decisions, appended
-- and never changed. A decision with an audit-log leaf names it by leaf_idx.
CREATE TABLE decisions (
    seq            INTEGER PRIMARY KEY,                       -- from 1, in append (commit) order
    kind           TEXT    NOT NULL,                          -- "domain.verb", such as "party.update"
    subject        TEXT    NOT NULL,                          -- what the decision is about, such as a party ID
    actor          TEXT    NOT NULL,                          -- who decided: a user, "token:<id>", "system" or "cli:<os user>"
    actor_party_id TEXT    NOT NULL DEFAULT '',               -- the actor's party; empty when it has none
    decided_at     INTEGER NOT NULL,                          -- when it took effect, Unix milliseconds
    body           BLOB    NOT NULL,                          -- JSON object, the bytes as given
    leaf_idx       INTEGER UNIQUE REFERENCES log_leaves (idx) -- its audit-log leaf; NULL when the log is disabled
);
CREATE INDEX decisions_subject ON decisions (subject, seq);
CREATE INDEX decisions_kind ON decisions (kind, seq);
