-- Suyuan SQLite schema, version 2: the lineage index that traces walk.
-- Capture writes these rows in the transaction that stores the event.
-- Touches (which events name an identifier) come from the identifiers
-- table and steps from the stored documents, so they need no rows here.
-- Rows are only ever added, so events arriving out of eventTime order
-- are placed by time when the index is read.

-- Lineage edges between identifiers (canonical form).
CREATE TABLE lineage_edges (
    from_id    TEXT    NOT NULL, -- upstream or enclosing identifier: parentID, input, transformationID, lot
    to_id      TEXT    NOT NULL, -- downstream or enclosed identifier; '' for a DELETE that lists no children
    kind       TEXT    NOT NULL, -- contains, associated, transformed_into or same_lot
    op         TEXT    NOT NULL, -- add, observe or delete (what the event did to a containment)
    event_time INTEGER NOT NULL, -- eventTime of the event, Unix nanoseconds
    event_seq  INTEGER NOT NULL REFERENCES events (seq), -- the event that wrote the edge
    quantity   REAL,             -- quantity of the class side, when the event gave one
    uom        TEXT,             -- unit of measure (UN/CEFACT Rec 20) of quantity
    -- One event writes an edge between two identifiers once. The table is
    -- clustered on its key, so a walk from an identifier reads one range.
    PRIMARY KEY (from_id, kind, to_id, event_seq)
) WITHOUT ROWID;
CREATE INDEX lineage_edges_to ON lineage_edges (to_id, kind);
