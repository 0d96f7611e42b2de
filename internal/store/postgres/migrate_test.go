package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/storetest"
)

// schemaAtVersion returns the DSN of a fresh schema migrated to version,
// and a pool on it that is closed when the test ends.
func schemaAtVersion(t *testing.T, version int) (string, *pgxpool.Pool) {
	t.Helper()
	dsn := freshSchemaDSN(t, emptyDSN(t))
	pool, err := connect(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := migrateTo(context.Background(), pool, version); err != nil {
		t.Fatalf("migrate to version %d: %v", version, err)
	}
	return dsn, pool
}

// TestMigrateDecisions migrates a version 6 schema with events and
// leaves to version 7 and checks that the leaves survive, the new
// constraint holds, and decisions append after them.
func TestMigrateDecisions(t *testing.T) {
	ctx := context.Background()
	dsn, pool := schemaAtVersion(t, 6)
	const n = 500
	hashes := make([][]byte, n)
	for i := range n {
		id := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i)
		sum := sha256.Sum256([]byte(id))
		hashes[i] = sum[:]
	}
	_, err := pool.Exec(ctx, `INSERT INTO events (seq, event_id, hash, event_type, event_time, record_time, capture_id, doc)
		SELECT g + 1, format('urn:uuid:00000000-0000-4000-8000-%s', lpad(g::text, 12, '0')), 'h' || g, 'ObjectEvent', g, g, 'job-1', '{}'::bytea
		FROM generate_series(0, $1 - 1) AS g`, n)
	if err != nil {
		t.Fatalf("insert events: %v", err)
	}
	_, err = pool.Exec(ctx, `INSERT INTO log_leaves (idx, event_seq, event_id, leaf_hash)
		SELECT g, g + 1, format('urn:uuid:00000000-0000-4000-8000-%s', lpad(g::text, 12, '0')), h
		FROM unnest($1::bytea[]) WITH ORDINALITY AS u(h, o), LATERAL (SELECT (o - 1)::bigint AS g) AS x`, hashes)
	if err != nil {
		t.Fatalf("insert leaves: %v", err)
	}

	s := openDSN(t, dsn)
	if size, err := s.LogSize(ctx); err != nil || size != n {
		t.Fatalf("LogSize after migration: got %d, %v; want %d", size, err, n)
	}
	got, err := s.LeafHashes(ctx, 0, n)
	if err != nil {
		t.Fatalf("LeafHashes: %v", err)
	}
	for i := range hashes {
		if !bytes.Equal(got[i], hashes[i]) {
			t.Fatalf("leaf %d after migration: got %x, want %x", i, got[i], hashes[i])
		}
	}
	id := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", 321)
	if idx, err := s.LeafIndex(ctx, id); err != nil || idx != 321 {
		t.Errorf("LeafIndex(%s): got %d, %v; want 321", id, idx, err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO log_leaves (idx, event_seq, event_id, leaf_hash) VALUES ($1, 1, NULL, $2)`, n, hashes[0]); err == nil {
		t.Errorf("leaf with an event seq but no eventID was stored; the check constraint is missing")
	}
	d, err := s.AppendDecision(ctx, store.Decision{Kind: "party.create", Subject: "P1", Actor: "system",
		Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Body: json.RawMessage(`{}`), LeafHash: hashes[0]})
	if err != nil || d.Seq != 1 || d.LeafIndex != n {
		t.Errorf("AppendDecision after migration: got seq %d leaf %d, %v; want seq 1 leaf %d", d.Seq, d.LeafIndex, err, n)
	}
	if _, err := s.LeafEvent(ctx, n); err == nil {
		t.Errorf("LeafEvent of the decision leaf: got no error, want ErrNotFound")
	}
}

// TestMigrateTransformationCorrectiveIDs migrates a version 8 schema
// holding events with transformationIDs and error declarations to the
// current version and checks that EQ_transformationID and
// EQ_correctiveEventID find them.
func TestMigrateTransformationCorrectiveIDs(t *testing.T) {
	ctx := context.Background()
	dsn, pool := schemaAtVersion(t, 8)
	for _, e := range storetest.LegacyEvents() {
		_, err := pool.Exec(ctx, `INSERT INTO events (seq, event_id, hash, event_type, event_time, record_time, error_declared, capture_id, doc, declared_doc)
			VALUES ($1, $2, $3, $4, $1, $1, $5, 'job-v8', $6, $7)`, e.Seq, e.EventID, "ni:///sha-256;"+e.EventID, e.EventType, e.Declared, e.Doc, e.DeclaredDoc)
		if err != nil {
			t.Fatalf("insert event %d: %v", e.Seq, err)
		}
	}

	s := openDSN(t, dsn)
	storetest.CheckMigratedIDs(t, s)
}

// TestMigrateEdgeSources checks that migration 10 marks the From of the
// lineage edges stored before it, as the SQLite store does.
func TestMigrateEdgeSources(t *testing.T) {
	ctx := context.Background()
	dsn, pool := schemaAtVersion(t, 9)
	e := storetest.LegacyEvents()[0]
	if _, err := pool.Exec(ctx, `INSERT INTO events (seq, event_id, hash, event_type, event_time, record_time, error_declared, capture_id, doc)
		VALUES ($1, $2, $3, $4, $1, $1, false, 'job-v9', $5)`, e.Seq, e.EventID, "ni:///sha-256;"+e.EventID, e.EventType, e.Doc); err != nil {
		t.Fatalf("insert event: %v", err)
	}
	for _, row := range storetest.LegacyEdges() {
		if _, err := pool.Exec(ctx, `INSERT INTO lineage_edges (from_id, to_id, kind, op, event_time, event_seq) VALUES ($1, $2, $3, $4, $5, $6)`, row...); err != nil {
			t.Fatalf("insert lineage edge: %v", err)
		}
	}
	s := openDSN(t, dsn)
	storetest.CheckMigratedEdgeSources(t, s)
}
