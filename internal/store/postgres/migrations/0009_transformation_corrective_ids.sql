-- Suyuan PostgreSQL schema, version 9: identifier rows for
-- EQ_transformationID and EQ_correctiveEventID. From this version capture
-- writes a transformation_id row for the transformationID of every
-- TransformationEvent and a corrective_event_id row for every
-- correctiveEventID of an attached errorDeclaration. This migration
-- writes the same rows for the events stored before it, from their
-- stored JSON-LD documents, reading only the events that can have them
-- through the event_type and error_declared indexes.
--
-- NOTE: capture stores a transformationID in canonical form (an EPC URN
-- becomes its GS1 Digital Link), which SQL cannot compute, so the rows
-- written here hold the value as captured. A query matches both forms of
-- the value it is given, so it finds these events by the value as
-- captured, but not by another form of the same GS1 key.

INSERT INTO identifiers (canonical, original, role, type, event_seq)
SELECT t.id, t.id, 'transformation_id', '', e.seq
FROM events e
CROSS JOIN LATERAL (SELECT convert_from(e.doc, 'UTF8')::jsonb -> 'transformationID' AS v) AS d
CROSS JOIN LATERAL (SELECT d.v #>> '{}' AS id) AS t
WHERE e.event_type = 'TransformationEvent'
  AND jsonb_typeof(d.v) = 'string';

-- The served document is the attached declaration, or the event itself
-- when it arrived carrying its declaration.
INSERT INTO identifiers (canonical, original, role, type, event_seq)
SELECT c.id, c.id, 'corrective_event_id', '', e.seq
FROM events e
CROSS JOIN LATERAL (SELECT convert_from(coalesce(e.declared_doc, e.doc), 'UTF8')::jsonb
    -> 'errorDeclaration' -> 'correctiveEventIDs' AS v) AS d
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(d.v) = 'array' THEN d.v ELSE '[]'::jsonb END) AS a(elem)
CROSS JOIN LATERAL (SELECT a.elem #>> '{}' AS id) AS c
WHERE e.error_declared
  AND jsonb_typeof(a.elem) = 'string';
