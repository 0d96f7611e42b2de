package postgres

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// replicaDSNEnv names the environment variable with the DSN of a streaming
// replica of the server that SUYUAN_TEST_PG_DSN names. TestReplica runs
// only when it is set.
const replicaDSNEnv = "SUYUAN_TEST_PG_REPLICA_DSN"

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	primary, dsn := openFresh(t)
	records := fixtureBatch("ro", 0, 3)
	if _, err := primary.Capture(ctx, "job-1", records); err != nil {
		t.Fatalf("Capture on primary: %v", err)
	}
	ro, err := OpenReadOnly(ctx, dsn)
	if err != nil {
		t.Fatalf("OpenReadOnly: %v", err)
	}
	defer ro.Close()

	t.Run("reads", func(t *testing.T) {
		ev, err := ro.Event(ctx, records[1].Event.EventID)
		if err != nil {
			t.Fatalf("Event: %v", err)
		}
		if ev.CaptureID != "job-1" {
			t.Errorf("CaptureID: got %q, want job-1", ev.CaptureID)
		}
		size, err := ro.LogSize(ctx)
		if err != nil {
			t.Fatalf("LogSize: %v", err)
		}
		if size != 3 {
			t.Errorf("LogSize: got %d, want 3", size)
		}
	})

	t.Run("writes rejected", func(t *testing.T) {
		job := store.Job{ID: "job-2", State: store.JobRunning, CreatedAt: fixtureBase}
		writes := []struct {
			name string
			err  error
		}{
			{"Capture", func() error { _, err := ro.Capture(ctx, "job-2", fixtureBatch("ro", 3, 1)); return err }()},
			{"CreateJob", ro.CreateJob(ctx, job)},
			{"UpdateJob", ro.UpdateJob(ctx, job)},
			{"PutTiles", ro.PutTiles(ctx, []store.Tile{{Hashes: make([]byte, 32)}})},
			{"PutCheckpoint", ro.PutCheckpoint(ctx, 3, []byte("note"))},
		}
		for _, w := range writes {
			if !errors.Is(w.err, ErrReadOnly) {
				t.Errorf("%s: got %v, want ErrReadOnly", w.name, w.err)
			}
		}
	})

	t.Run("session read-only", func(t *testing.T) {
		// The connection setting backs the method checks up.
		_, err := ro.pool.Exec(ctx, "INSERT INTO capture_jobs (id, state, created_at) VALUES ('x', 'RUNNING', 0)")
		if err == nil {
			t.Errorf("INSERT on read-only connection: got nil error, want a read-only transaction error")
		}
	})
}

func TestOpenReadOnlySchemaVersion(t *testing.T) {
	ctx := context.Background()

	t.Run("empty database", func(t *testing.T) {
		_, err := OpenReadOnly(ctx, emptyDSN(t))
		if !errors.Is(err, ErrSchemaTooOld) {
			t.Fatalf("OpenReadOnly: got %v, want ErrSchemaTooOld", err)
		}
	})
	t.Run("newer schema", func(t *testing.T) {
		s, dsn := openFresh(t)
		if _, err := s.pool.Exec(ctx, "INSERT INTO schema_version (version) VALUES ($1)", SchemaVersion()+1); err != nil {
			t.Fatalf("write newer schema version: %v", err)
		}
		_, err := OpenReadOnly(ctx, dsn)
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("OpenReadOnly: got %v, want ErrSchemaTooNew", err)
		}
	})
}

// TestReplica reads from a streaming replica what was captured on its
// primary, and continues on the replica a query cursor from the primary.
func TestReplica(t *testing.T) {
	replicaBase := os.Getenv(replicaDSNEnv)
	if replicaBase == "" {
		t.Skipf("%s is not set: set it to the DSN of a streaming replica of the %s server to run this test", replicaDSNEnv, dsnEnv)
	}
	ctx := context.Background()
	primary, dsn := openFresh(t)
	name := databaseName(t, dsn)
	replicaDSN := withDatabase(replicaBase, name)

	// The replica replays CREATE DATABASE and the migration shortly after
	// the primary commits them.
	var replica *Store
	waitFor(t, "the test database on the replica", func() bool {
		s, err := OpenReadOnly(ctx, replicaDSN)
		if err != nil {
			return false
		}
		replica = s
		return true
	})
	defer replica.Close()

	first := fixtureBatch("replica", 0, 4)
	if _, err := primary.Capture(ctx, "job-1", first); err != nil {
		t.Fatalf("Capture on primary: %v", err)
	}
	waitFor(t, "the first batch on the replica", func() bool {
		_, err := replica.Event(ctx, first[3].Event.EventID)
		return err == nil
	})

	q := store.Query{PerPage: 3}
	page, err := primary.QueryEvents(ctx, q)
	if err != nil {
		t.Fatalf("QueryEvents on primary: %v", err)
	}
	seen := map[string]bool{}
	for _, e := range page.Events {
		seen[e.EventID] = true
	}

	more := fixtureBatch("replica", 4, 2)
	if _, err := primary.Capture(ctx, "job-2", more); err != nil {
		t.Fatalf("Capture on primary: %v", err)
	}
	waitFor(t, "the second batch on the replica", func() bool {
		_, err := replica.Event(ctx, more[1].Event.EventID)
		return err == nil
	})
	for page.Next != nil {
		q.After = page.Next
		if page, err = replica.QueryEvents(ctx, q); err != nil {
			t.Fatalf("QueryEvents on replica: %v", err)
		}
		for _, e := range page.Events {
			if seen[e.EventID] {
				t.Errorf("event %s returned twice", e.EventID)
			}
			seen[e.EventID] = true
		}
	}
	if len(seen) != 6 {
		t.Errorf("events over all pages: got %d, want 6", len(seen))
	}

	if _, err := replica.Capture(ctx, "job-3", fixtureBatch("replica", 6, 1)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Capture on replica: got %v, want ErrReadOnly", err)
	}
}

// databaseName returns the database that the store at dsn uses.
func databaseName(t *testing.T, dsn string) string {
	t.Helper()
	s := openDSN(t, dsn)
	var name string
	if err := s.pool.QueryRow(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatalf("read database name: %v", err)
	}
	return name
}

// waitFor polls ready every 50 ms for up to 30 s and fails the test when
// it never returns true.
func waitFor(t *testing.T, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ready() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 30s waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
