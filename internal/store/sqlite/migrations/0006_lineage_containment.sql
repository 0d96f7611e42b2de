-- Suyuan SQLite schema, version 6: indexes for containment edges.
-- Traces read containment (AggregationEvent and AssociationEvent) from the
-- parentID and child rows of the identifier index, looked up by event.
-- Partial indexes keep the cost to the rows of those roles; the queries
-- repeat each WHERE clause verbatim so that SQLite can use them.
CREATE INDEX identifiers_parent_event ON identifiers (event_seq) WHERE role = 'parent';
CREATE INDEX identifiers_child_event ON identifiers (event_seq) WHERE role IN ('child', 'child_class');
