-- Suyuan PostgreSQL schema, version 1.
--
-- Times are Unix nanoseconds in bigint columns, as in the SQLite schema, so
-- cursors and comparisons are exact and the same in both backends.
-- Identifier columns hold the canonical form (see package ident) unless
-- their name says otherwise.
--
-- The event_seq columns of the index tables have no foreign key. Capture,
-- the only writer, inserts an event and its index rows in one transaction
-- and never deletes. A foreign key would cost a lookup in events for every
-- index row inserted, and it would stand in the way of partitioning events
-- by record_time (see docs/SCALING.md).

-- events holds one row per stored EPCIS event.
CREATE TABLE events (
    seq              bigint  PRIMARY KEY,      -- store-assigned event number, increasing in commit order
    event_id         text COLLATE "C"    NOT NULL UNIQUE,  -- eventID, as captured (the CBV 2.0 hash when the client sent none)
    hash             text    NOT NULL,         -- CBV 2.0 event hash of the event as first captured
    event_type       text COLLATE "C"    NOT NULL,         -- ObjectEvent, AggregationEvent, ...
    event_time       bigint  NOT NULL,         -- eventTime
    record_time      bigint  NOT NULL,         -- recordTime assigned by the store; the same for every event of one capture call
    action           text COLLATE "C",         -- ADD, OBSERVE or DELETE; NULL for TransformationEvent
    biz_step         text COLLATE "C",         -- bizStep as a full CBV URI; NULL when absent
    disposition      text COLLATE "C",         -- disposition as a full CBV URI; NULL when absent
    read_point       text COLLATE "C",         -- readPoint id in canonical form; NULL when absent
    biz_location     text COLLATE "C",         -- bizLocation id in canonical form; NULL when absent
    error_declared   boolean NOT NULL DEFAULT false, -- an errorDeclaration applies (EPCIS 2.0 section 7.4.1.2)
    error_reason     text COLLATE "C",         -- errorDeclaration reason as a full CBV URI; NULL when none
    declaration_time bigint,                   -- errorDeclaration declarationTime; NULL without a declaration
    declared_hash    text,                     -- CBV 2.0 hash of the record that carried the errorDeclaration; NULL without one
    capture_id       text    NOT NULL,         -- capture job that stored the event
    doc              bytea   NOT NULL,         -- EPCIS 2.0 JSON-LD of the event as first captured
    declared_doc     bytea                     -- JSON-LD of the attached error declaration; served in place of doc
);

-- Query pages are read in (record_time, seq) or (event_time, seq) order,
-- so those two indexes serve keyset paging; the others serve the
-- equality parameters of EPCIS queries. Indexes on nullable columns leave
-- NULL out: a query's "column IN (...)" implies NOT NULL, so PostgreSQL
-- still uses them, and events without the field cost no index entry.
-- The event hash is only ever compared for equality, so a hash index
-- serves it: it keeps a 4-byte hash code per row instead of the 89-byte
-- value, which makes it smaller and cheaper to insert into.
CREATE INDEX events_hash ON events USING hash (hash);
CREATE INDEX events_event_time ON events (event_time, seq);
CREATE INDEX events_record_time ON events (record_time, seq);
CREATE INDEX events_event_type ON events (event_type, record_time);
CREATE INDEX events_action ON events (action, record_time) WHERE action IS NOT NULL;
CREATE INDEX events_biz_step ON events (biz_step, record_time) WHERE biz_step IS NOT NULL;
CREATE INDEX events_disposition ON events (disposition, record_time) WHERE disposition IS NOT NULL;
CREATE INDEX events_read_point ON events (read_point, record_time) WHERE read_point IS NOT NULL;
CREATE INDEX events_biz_location ON events (biz_location, record_time) WHERE biz_location IS NOT NULL;
CREATE INDEX events_error_reason ON events (error_reason, record_time) WHERE error_reason IS NOT NULL;
CREATE INDEX events_error_declared ON events (record_time) WHERE error_declared;

-- identifiers is the identifier index: one row per (identifier, role, event).
CREATE TABLE identifiers (
    canonical text COLLATE "C"   NOT NULL,              -- canonical identifier; queries match on it
    original  text   NOT NULL,              -- identifier as the client sent it
    role      text COLLATE "C"   NOT NULL,              -- store.Role: epc, parent, child, input, output, class, ...
    type      text   NOT NULL DEFAULT '',   -- source/destination type URI for those roles; empty otherwise
    event_seq bigint NOT NULL,             -- the event naming the identifier (events.seq)
    quantity  double precision,             -- quantity of a class-role row; NULL when none was given
    uom       text                          -- unit of measure (UN/CEFACT Rec. 20) of quantity; NULL when none
);

-- Compared columns use the "C" collation: ordering is by bytes, as in the
-- SQLite backend, and btree indexes serve LIKE 'prefix%' of EPC patterns.
CREATE INDEX identifiers_canonical_role ON identifiers (canonical, role);
CREATE INDEX identifiers_event_seq ON identifiers (event_seq);

-- biz_transactions holds the bizTransactionList entries of events.
CREATE TABLE biz_transactions (
    event_seq bigint NOT NULL,             -- the event listing the transaction (events.seq)
    type      text   NOT NULL DEFAULT '',   -- bizTransaction type URI; empty when untyped
    value     text   NOT NULL               -- bizTransaction URI
);

CREATE INDEX biz_transactions_value ON biz_transactions (value, type);
CREATE INDEX biz_transactions_event_seq ON biz_transactions (event_seq);

-- persistent_dispositions holds persistentDisposition set and unset entries.
CREATE TABLE persistent_dispositions (
    event_seq bigint NOT NULL,             -- the event carrying the entry (events.seq)
    op        text   NOT NULL CHECK (op IN ('set', 'unset')), -- which list the value came from
    value     text   NOT NULL                                 -- disposition URI
);

CREATE INDEX persistent_dispositions_value ON persistent_dispositions (value, op);
CREATE INDEX persistent_dispositions_event_seq ON persistent_dispositions (event_seq);

-- capture_jobs holds one row per submitted document (EPCIS 2.0 capture job).
CREATE TABLE capture_jobs (
    id          text    COLLATE "C" PRIMARY KEY,         -- capture job id
    state       text    NOT NULL,            -- RUNNING, SUCCESS, FAILED
    created_at  bigint  NOT NULL,            -- when the job was created
    finished_at bigint,                      -- when the job finished; NULL while running
    source      text    NOT NULL DEFAULT '', -- where the document came from (file name or "http")
    accepted    integer NOT NULL DEFAULT 0,  -- events stored
    duplicates  integer NOT NULL DEFAULT 0,  -- events already stored
    declared    integer NOT NULL DEFAULT 0,  -- error declarations attached
    rejected    integer NOT NULL DEFAULT 0,  -- nonzero when the document was rejected
    errors      jsonb   NOT NULL DEFAULT '[]' -- JSON array of store.JobError
);

-- log_leaves holds the audit log's leaves in log order.
CREATE TABLE log_leaves (
    idx       bigint PRIMARY KEY,            -- leaf index, from 0, without gaps
    event_seq bigint NOT NULL, -- event the leaf records (events.seq)
    event_id  text   NOT NULL,               -- eventID of that event
    leaf_hash bytea  NOT NULL                -- RFC 6962 leaf hash
);

-- LeafIndex looks leaves up by eventID equality only (an event has one or
-- two leaves), so a hash index serves it, as for events.hash.
CREATE INDEX log_leaves_event_id ON log_leaves USING hash (event_id);

-- log_tiles holds interior hashes of the Merkle tree, 256 per full tile.
CREATE TABLE log_tiles (
    level  smallint NOT NULL,                -- tile level; each spans 8 tree levels
    idx    bigint   NOT NULL,                -- tile index from the left
    hashes bytea    NOT NULL,                -- concatenated 32-byte node hashes
    PRIMARY KEY (level, idx)
);

-- log_checkpoints holds signed checkpoint notes by tree size.
CREATE TABLE log_checkpoints (
    size bigint PRIMARY KEY,                 -- tree size the checkpoint commits to
    note bytea  NOT NULL                     -- signed note (C2SP checkpoint format)
);

-- capture_clock holds the last record time handed out, so record times stay
-- strictly increasing across every server process sharing the database.
CREATE TABLE capture_clock (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_record_time bigint  NOT NULL        -- last recordTime assigned, Unix nanoseconds
);

INSERT INTO capture_clock (last_record_time) VALUES (0);
