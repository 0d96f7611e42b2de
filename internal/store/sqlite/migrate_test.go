package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/storetest"
)

// fillVersion6 creates a database at path with schema version 6 and n
// events, each with one audit-log leaf, written directly in SQL. It
// returns the leaf hashes.
func fillVersion6(t testing.TB, path string, n int) [][]byte {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := migrateTo(ctx, db, 6); err != nil {
		t.Fatalf("migrate to version 6: %v", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	event, err := tx.PrepareContext(ctx, `INSERT INTO events (seq, event_id, hash, event_type, event_time, record_time, capture_id, doc)
VALUES (?, ?, ?, 'ObjectEvent', ?, ?, 'job-1', ?)`)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := tx.PrepareContext(ctx, `INSERT INTO log_leaves (idx, event_seq, event_id, leaf_hash) VALUES (?, ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	hashes := make([][]byte, n)
	for i := range n {
		id := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i)
		sum := sha256.Sum256([]byte(id))
		hashes[i] = sum[:]
		if _, err := event.ExecContext(ctx, i+1, id, "ni:///sha-256;"+id, int64(i), int64(i), []byte(`{}`)); err != nil {
			t.Fatalf("insert event %d: %v", i, err)
		}
		if _, err := leaf.ExecContext(ctx, i, i+1, id, sum[:]); err != nil {
			t.Fatalf("insert leaf %d: %v", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return hashes
}

// TestMigrateDecisions opens a version 6 database with leaves, so that
// migration 7 alters log_leaves, and checks that every leaf, the index,
// the foreign key and the new check constraint hold.
func TestMigrateDecisions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v6.db")
	const n = 3000
	hashes := fillVersion6(t, path, n)

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open migrates version 6: %v", err)
	}
	defer s.Close()
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
	id := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", 1234)
	if idx, err := s.LeafIndex(ctx, id); err != nil || idx != 1234 {
		t.Errorf("LeafIndex(%s): got %d, %v; want 1234", id, idx, err)
	}
	plan := explain(t, s, `SELECT l.idx FROM events e JOIN log_leaves l ON l.event_seq = e.seq
WHERE e.event_id = ? ORDER BY l.idx LIMIT 1`, id)
	if !strings.Contains(plan, "log_leaves_event_seq") {
		t.Errorf("LeafIndex plan after migration: got %q, want it to use log_leaves_event_seq", plan)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO log_leaves (idx, event_seq, event_id, leaf_hash) VALUES (?, 999999, 'urn:x', zeroblob(32))`, n); err == nil {
		t.Errorf("leaf naming a missing event was stored; the foreign key to events is gone")
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO log_leaves (idx, event_seq, event_id, leaf_hash) VALUES (?, 1, NULL, zeroblob(32))`, n); err == nil {
		t.Errorf("leaf with an event seq but no eventID was stored; the check constraint is gone")
	}
	var fkErrors int
	if err := s.write.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fkErrors); err != nil || fkErrors != 0 {
		t.Errorf("foreign key check: got %d violations, %v; want none", fkErrors, err)
	}

	d, err := s.AppendDecision(ctx, store.Decision{Kind: "party.create", Subject: "P1", Actor: "system",
		Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Body: json.RawMessage(`{}`), LeafHash: hashes[0]})
	if err != nil || d.LeafIndex != n {
		t.Errorf("AppendDecision after migration: got leaf %d, %v; want %d", d.LeafIndex, err, n)
	}
}

// BenchmarkMigrateDecisions measures migration 7 alone on a database
// with 1,000,000 events and leaves. Each iteration fills a fresh version
// 6 database outside the timer.
func BenchmarkMigrateDecisions(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "v6.db")
		fillVersion6(b, path, 1_000_000)
		db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		b.StartTimer()
		if err := migrateTo(ctx, db, 7); err != nil {
			b.Fatalf("migrate to version 7: %v", err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// TestMigrateTransformationCorrectiveIDs opens a version 8 database
// holding events with transformationIDs and error declarations, so that
// migration 9 writes their identifier rows, and checks that
// EQ_transformationID and EQ_correctiveEventID find them.
func TestMigrateTransformationCorrectiveIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v8.db")
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if err := migrateTo(ctx, db, 8); err != nil {
		t.Fatalf("migrate to version 8: %v", err)
	}
	for _, e := range storetest.LegacyEvents() {
		declared := 0
		if e.Declared {
			declared = 1
		}
		_, err := db.ExecContext(ctx, `INSERT INTO events (seq, event_id, hash, event_type, event_time, record_time, error_declared, capture_id, doc, declared_doc)
VALUES (?, ?, ?, ?, ?, ?, ?, 'job-v8', ?, ?)`, e.Seq, e.EventID, "ni:///sha-256;"+e.EventID, e.EventType, e.Seq, e.Seq, declared, e.Doc, e.DeclaredDoc)
		if err != nil {
			t.Fatalf("insert event %d: %v", e.Seq, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open migrates version 8: %v", err)
	}
	defer s.Close()
	storetest.CheckMigratedIDs(t, s)
}

// TestMigrateEdgeSources checks that migration 10 marks the From of the
// lineage edges stored before it, so that Adjacent reads them.
func TestMigrateEdgeSources(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v9.db")
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if err := migrateTo(ctx, db, 9); err != nil {
		t.Fatalf("migrate to version 9: %v", err)
	}
	e := storetest.LegacyEvents()[0]
	if _, err := db.ExecContext(ctx, `INSERT INTO events (seq, event_id, hash, event_type, event_time, record_time, capture_id, doc)
VALUES (?, ?, ?, ?, ?, ?, 'job-v9', ?)`, e.Seq, e.EventID, "ni:///sha-256;"+e.EventID, e.EventType, e.Seq, e.Seq, e.Doc); err != nil {
		t.Fatalf("insert event: %v", err)
	}
	for _, row := range storetest.LegacyEdges() {
		if _, err := db.ExecContext(ctx, `INSERT INTO lineage_edges (from_id, to_id, kind, op, event_time, event_seq) VALUES (?, ?, ?, ?, ?, ?)`, row...); err != nil {
			t.Fatalf("insert lineage edge: %v", err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open migrates version 9: %v", err)
	}
	defer s.Close()
	storetest.CheckMigratedEdgeSources(t, s)
}
