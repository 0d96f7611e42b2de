-- Suyuan PostgreSQL schema, version 8: the identifier index covers lineage
-- reads. Traces and recall scopes read the event number, quantity and
-- unit of every row of an identifier, and the identifiers of every
-- parentID and child row of an event. With those columns included in the
-- indexes, PostgreSQL answers the reads by index-only scans. Queries by
-- identifier and role use the first index as before.
CREATE INDEX identifiers_canonical_role_event ON identifiers (canonical, role) INCLUDE (event_seq, quantity, uom);
DROP INDEX identifiers_canonical_role;

DROP INDEX identifiers_parent_event;
CREATE INDEX identifiers_parent_event ON identifiers (event_seq) INCLUDE (canonical) WHERE role = 'parent';
DROP INDEX identifiers_child_event;
CREATE INDEX identifiers_child_event ON identifiers (event_seq) INCLUDE (canonical, quantity, uom) WHERE role IN ('child', 'child_class');

-- Backward walks read the edges reaching an identifier.
DROP INDEX lineage_edges_to;
CREATE INDEX lineage_edges_to ON lineage_edges (to_id, kind) INCLUDE (from_id, op, event_time, event_seq, quantity, uom);

-- Lineage reads take the type, action, time and error flag of many
-- events; this index answers them by index-only scans, without reading
-- the rows that hold the documents.
CREATE INDEX events_lineage ON events (seq) INCLUDE (event_type, action, event_time, error_declared);
