-- Suyuan SQLite schema, version 7: decisions in the audit log.
-- A leaf of the audit log records either an event or a decision, so
-- log_leaves.event_seq and event_id become nullable: a decision leaf has
-- neither, and its decision row names it by leaf_idx. SQLite cannot drop a
-- NOT NULL constraint in place, so the table is rebuilt. The copy reads the
-- old table in idx (rowid) order, so the new rowid B-tree is written by
-- appends only, and the index is built once after the copy, by one sort.
CREATE TABLE log_leaves_v7 (
    idx       INTEGER PRIMARY KEY,             -- leaf index, from 0
    event_seq INTEGER REFERENCES events (seq), -- the event the leaf records; NULL for a decision leaf
    event_id  TEXT,                            -- eventID of that event; NULL for a decision leaf
    leaf_hash BLOB    NOT NULL,                -- RFC 6962 leaf hash computed by the capture or decision service
    CHECK ((event_seq IS NULL) = (event_id IS NULL))
);
INSERT INTO log_leaves_v7 (idx, event_seq, event_id, leaf_hash)
    SELECT idx, event_seq, event_id, leaf_hash FROM log_leaves ORDER BY idx;
DROP TABLE log_leaves;
ALTER TABLE log_leaves_v7 RENAME TO log_leaves;
CREATE INDEX log_leaves_event_seq ON log_leaves (event_seq, idx);

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
