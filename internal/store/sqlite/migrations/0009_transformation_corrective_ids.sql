-- Suyuan SQLite schema, version 9: identifier rows for EQ_transformationID
-- and EQ_correctiveEventID. From this version capture writes a
-- transformation_id row for the transformationID of every
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

-- The documents are text JSON stored in BLOB columns; CAST makes the
-- JSON functions read them as text, not as SQLite's binary JSONB.
INSERT INTO identifiers (canonical, original, role, type, event_seq)
SELECT json_extract(CAST(e.doc AS TEXT), '$.transformationID'), NULL, 'transformation_id', '', e.seq
FROM events e
WHERE e.event_type = 'TransformationEvent'
  AND json_type(CAST(e.doc AS TEXT), '$.transformationID') = 'text';

-- The served document is the attached declaration, or the event itself
-- when it arrived carrying its declaration.
INSERT INTO identifiers (canonical, original, role, type, event_seq)
SELECT c.value, NULL, 'corrective_event_id', '', e.seq
FROM events e,
     json_each(CAST(COALESCE(e.declared_doc, e.doc) AS TEXT), '$.errorDeclaration.correctiveEventIDs') AS c
WHERE e.error_declared = 1
  AND c.type = 'text';
