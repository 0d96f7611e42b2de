-- Suyuan SQLite schema, version 1.
-- Times are Unix nanoseconds (INTEGER); absent values are NULL.
-- The PostgreSQL schema has the same tables, columns and meanings.

-- One row per stored EPCIS event.
CREATE TABLE events (
    seq              INTEGER PRIMARY KEY, -- store-internal event number, increasing in record order
    event_id         TEXT    NOT NULL UNIQUE, -- eventID (absolute URI; the CBV 2.0 hash when the client sent none)
    hash             TEXT    NOT NULL, -- CBV 2.0 event hash of the event as first captured
    event_type       TEXT    NOT NULL, -- ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent
    event_time       INTEGER NOT NULL, -- eventTime
    record_time      INTEGER NOT NULL, -- recordTime assigned by the store; the same for every event of one capture call
    action           TEXT,             -- ADD, OBSERVE or DELETE; NULL for TransformationEvent
    biz_step         TEXT,             -- bizStep as a full CBV URI
    disposition      TEXT,             -- disposition as a full CBV URI
    read_point       TEXT,             -- readPoint id in canonical form
    biz_location     TEXT,             -- bizLocation id in canonical form
    error_declared   INTEGER NOT NULL DEFAULT 0, -- 1 when an errorDeclaration is attached (EPCIS 2.0 section 7.4.1.2)
    error_reason     TEXT,             -- errorDeclaration reason as a full CBV URI
    declaration_time INTEGER,          -- errorDeclaration declarationTime
    declared_hash    TEXT,             -- CBV 2.0 hash of the error declaration record that was attached
    capture_id       TEXT    NOT NULL, -- capture job that stored the event
    doc              BLOB    NOT NULL, -- EPCIS 2.0 JSON-LD of the event as first captured
    declared_doc     BLOB              -- JSON-LD of the attached error declaration; served instead of doc when set
);
-- Events whose eventID is their hash (the client sent none) are found by
-- hash through the event_id index; this index holds only the others, which
-- halves the random index writes of a capture.
CREATE INDEX events_hash ON events (hash) WHERE hash <> event_id;
CREATE INDEX events_event_time ON events (event_time);
CREATE INDEX events_record_time ON events (record_time);
CREATE INDEX events_event_type ON events (event_type, record_time);
CREATE INDEX events_action ON events (action, record_time);
CREATE INDEX events_biz_step ON events (biz_step, record_time);
CREATE INDEX events_disposition ON events (disposition, record_time);
CREATE INDEX events_read_point ON events (read_point, record_time);
CREATE INDEX events_biz_location ON events (biz_location, record_time);
CREATE INDEX events_error_reason ON events (error_reason, record_time);
CREATE INDEX events_error_declared ON events (record_time) WHERE error_declared = 1;

-- Identifier index: one row per (identifier, role, event). Sources and
-- destinations are here too, with role source or destination and their
-- CBV type in type.
CREATE TABLE identifiers (
    canonical TEXT    NOT NULL, -- identifier in canonical form; queries match on it
    original  TEXT,             -- identifier as the client sent it; NULL when it equals canonical
    role      TEXT    NOT NULL, -- where in the event it appears: epc, parent, child, input, output, class, ..., source, destination
    type      TEXT    NOT NULL DEFAULT '', -- CBV source/destination type URI for those roles; '' otherwise
    event_seq INTEGER NOT NULL REFERENCES events (seq), -- the event naming the identifier
    quantity  REAL,             -- quantity of a class-role row, when the quantity element carried one
    uom       TEXT              -- unit of measure (UN/CEFACT Rec 20) of quantity
);
CREATE INDEX identifiers_canonical_role ON identifiers (canonical, role);
CREATE INDEX identifiers_event_seq ON identifiers (event_seq);

-- Business transactions of each event (bizTransactionList).
CREATE TABLE biz_transactions (
    event_seq INTEGER NOT NULL REFERENCES events (seq), -- the event listing the transaction
    type      TEXT    NOT NULL DEFAULT '', -- CBV bizTransaction type URI; '' when untyped
    value     TEXT    NOT NULL  -- the transaction identifier URI
);
CREATE INDEX biz_transactions_value ON biz_transactions (value, type);
CREATE INDEX biz_transactions_event_seq ON biz_transactions (event_seq);

-- persistentDisposition entries of each event.
CREATE TABLE persistent_dispositions (
    event_seq INTEGER NOT NULL REFERENCES events (seq), -- the event carrying the entry
    op        TEXT    NOT NULL, -- 'set' or 'unset'
    value     TEXT    NOT NULL  -- disposition as a full CBV URI
);
CREATE INDEX persistent_dispositions_value ON persistent_dispositions (value, op);
CREATE INDEX persistent_dispositions_event_seq ON persistent_dispositions (event_seq);

-- Capture jobs: one submitted document each.
CREATE TABLE capture_jobs (
    id          TEXT    PRIMARY KEY, -- capture job id
    state       TEXT    NOT NULL,    -- RUNNING, SUCCESS or FAILED
    created_at  INTEGER,             -- when the job was created; NULL when unknown
    finished_at INTEGER,             -- when the job finished; NULL while running
    source      TEXT    NOT NULL DEFAULT '', -- where the document came from (file name or "http")
    accepted    INTEGER NOT NULL DEFAULT 0,  -- events stored
    duplicates  INTEGER NOT NULL DEFAULT 0,  -- events already stored
    declared    INTEGER NOT NULL DEFAULT 0,  -- error declarations attached
    rejected    INTEGER NOT NULL DEFAULT 0,  -- nonzero when the document was rejected
    errors      TEXT    NOT NULL DEFAULT '[]' -- JSON array of JobError entries
);

-- Audit-log leaves (RFC 6962), in record order with consecutive indexes.
CREATE TABLE log_leaves (
    idx       INTEGER PRIMARY KEY, -- leaf index, from 0
    event_seq INTEGER NOT NULL REFERENCES events (seq), -- the event the leaf records
    event_id  TEXT    NOT NULL, -- eventID of that event
    leaf_hash BLOB    NOT NULL  -- RFC 6962 leaf hash computed by the capture service
);
CREATE INDEX log_leaves_event_seq ON log_leaves (event_seq, idx);

-- Interior tiles of the audit-log tree.
CREATE TABLE log_tiles (
    level  INTEGER NOT NULL, -- tile level (each spans 8 tree levels)
    idx    INTEGER NOT NULL, -- tile index from the left
    hashes BLOB    NOT NULL, -- up to 256 node hashes of 32 bytes, concatenated
    PRIMARY KEY (level, idx)
);

-- Signed checkpoints of the audit log.
CREATE TABLE log_checkpoints (
    size INTEGER PRIMARY KEY, -- tree size the checkpoint commits to
    note BLOB    NOT NULL     -- signed note (C2SP checkpoint format)
);
