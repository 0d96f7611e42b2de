-- Suyuan SQLite schema, version 10: rows of role edge_from in the
-- identifier index mark the from_id of each stored lineage edge, one per
-- identifier and event. A walk reads an identifier's rows anyway, so they
-- tell it whether to search lineage_edges at all: most identifiers, such
-- as the items of a recalled lot, have no stored edge leaving them.
-- Capture writes them from now on; this fills them in for stored edges.
INSERT INTO identifiers (canonical, original, role, type, event_seq)
SELECT DISTINCT from_id, NULL, 'edge_from', '', event_seq FROM lineage_edges;
