-- Suyuan PostgreSQL schema, version 2: the lineage index that traces walk.
-- Capture writes these rows in the transaction that stores the event.
-- Touches (which events name an identifier) come from the identifiers
-- table and steps from the stored documents, so they need no rows here.
-- Rows are only ever added, so events arriving out of eventTime order are
-- placed by time when the index is read. As in version 1, event_seq has no
-- foreign key.

-- lineage_edges holds edges between identifiers (canonical form).
CREATE TABLE lineage_edges (
    from_id    text COLLATE "C" NOT NULL, -- upstream or enclosing identifier: parentID, input, transformationID, lot
    to_id      text COLLATE "C" NOT NULL, -- downstream or enclosed identifier; '' for a DELETE that lists no children
    kind       text COLLATE "C" NOT NULL, -- contains, associated, transformed_into or same_lot
    op         text COLLATE "C" NOT NULL, -- add, observe or delete (what the event did to a containment)
    event_time bigint NOT NULL,           -- eventTime of the event, Unix nanoseconds
    event_seq  bigint NOT NULL,           -- the event that wrote the edge (events.seq)
    quantity   double precision,          -- quantity of the class side, when the event gave one
    uom        text,                      -- unit of measure (UN/CEFACT Rec. 20) of quantity
    -- One event writes an edge between two identifiers once; the key
    -- index serves walks from an identifier.
    PRIMARY KEY (from_id, kind, to_id, event_seq)
);
CREATE INDEX lineage_edges_to ON lineage_edges (to_id, kind);
