-- Suyuan PostgreSQL schema, version 7: decisions in the audit log.
-- A leaf of the audit log records either an event or a decision, so
-- log_leaves.event_seq and event_id become nullable: a decision leaf has
-- neither, and its decision row names it by leaf_idx. Dropping NOT NULL
-- changes only the catalog. The CHECK constraint is added NOT VALID, so the
-- migration does not scan the leaves that capture wrote with both columns
-- set; new and updated rows are checked.
ALTER TABLE log_leaves ALTER COLUMN event_seq DROP NOT NULL;
ALTER TABLE log_leaves ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE log_leaves ADD CONSTRAINT log_leaves_event_or_decision
    CHECK ((event_seq IS NULL) = (event_id IS NULL)) NOT VALID;

-- decisions holds recall, credit-list and party-registry decisions,
-- appended and never changed. Seq and leaf_idx are assigned under the
-- capture advisory lock, so both follow commit order without gaps.
CREATE TABLE decisions (
    seq            bigint PRIMARY KEY,              -- from 1, in append (commit) order
    kind           text   NOT NULL,                 -- "domain.verb", such as "party.update"
    subject        text   NOT NULL,                 -- what the decision is about, such as a party ID
    actor          text   NOT NULL,                 -- who decided: a user, "token:<id>", "system" or "cli:<os user>"
    actor_party_id text   NOT NULL DEFAULT '',      -- the actor's party; empty when it has none
    decided_at     bigint NOT NULL,                 -- when it took effect, Unix milliseconds
    body           bytea  NOT NULL,                 -- JSON object, the bytes as given
    leaf_idx       bigint UNIQUE REFERENCES log_leaves (idx) -- its audit-log leaf; NULL when the log is disabled
);
CREATE INDEX decisions_subject ON decisions (subject, seq);
CREATE INDEX decisions_kind ON decisions (kind text_pattern_ops, seq);
