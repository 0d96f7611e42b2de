-- Suyuan PostgreSQL schema, version 10: rows of role edge_from in the
-- identifier index mark the from_id of each stored lineage edge, one per
-- identifier and event, as the SQLite store has them. Capture writes them
-- from now on; this fills them in for stored edges.
INSERT INTO identifiers (canonical, original, role, type, event_seq)
SELECT DISTINCT from_id, from_id, 'edge_from', '', event_seq FROM lineage_edges;
