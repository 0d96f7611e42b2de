-- Suyuan SQLite schema, version 8: the identifier index covers lineage
-- reads. Traces and recall scopes read the event number, quantity and
-- unit of every row of an identifier, and the identifiers of every
-- parentID and child row of an event. With those columns in the indexes,
-- each read is one search of an index and no search of the table per
-- row. Queries by identifier and role use the first index as before.
CREATE INDEX identifiers_canonical_role_event ON identifiers (canonical, role, event_seq, quantity, uom);
DROP INDEX identifiers_canonical_role;

-- The role column makes the partial indexes covering: SQLite reads a
-- column of the WHERE clause from the index even when the index's own
-- WHERE clause fixes it.
DROP INDEX identifiers_parent_event;
CREATE INDEX identifiers_parent_event ON identifiers (event_seq, role, canonical) WHERE role = 'parent';
DROP INDEX identifiers_child_event;
CREATE INDEX identifiers_child_event ON identifiers (event_seq, role, canonical, quantity, uom) WHERE role IN ('child', 'child_class');

-- Backward walks read the edges reaching an identifier. An index of a
-- WITHOUT ROWID table holds the table's key columns, so with the other
-- columns added this one covers the read as well.
DROP INDEX lineage_edges_to;
CREATE INDEX lineage_edges_to ON lineage_edges (to_id, kind, op, event_time, quantity, uom);

-- Lineage reads take the type, action, time and error flag of many
-- events. A row of events holds the whole document, so only a few rows
-- fit in a page; this index holds just those columns, about a hundred
-- events to a page, so that the reads stay in memory on a large store.
-- The queries name it with INDEXED BY, because SQLite otherwise searches
-- the table by its rowid.
CREATE INDEX events_lineage ON events (seq, event_type, action, event_time, error_declared);
