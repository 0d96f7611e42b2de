package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/store/storetest"
)

func openTemp(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "suyuan.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, openTemp)
}

func TestCrashMidCapture(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the kill-mid-capture test in -short mode")
	}
	path := filepath.Join(t.TempDir(), "nested", "crash.db")
	open := func(ctx context.Context, location string) (store.Store, error) {
		return sqlite.Open(ctx, location)
	}
	// Kill the child once its uncommitted transaction has spilled 16 MiB
	// into the WAL, so that recovery must discard written frames. A child
	// that finishes first is accepted too, with all of its batch stored.
	const spilled = 16 << 20
	storetest.RunCrashWhen(t, path, open, func() bool {
		fi, err := os.Stat(path + "-wal")
		return err == nil && fi.Size() > spilled
	})
}

func TestOpenSchemaTooNew(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "suyuan.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	known := sqlite.SchemaVersion()
	newer := known + 7
	if _, err := db.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, 0)", newer); err != nil {
		t.Fatalf("insert newer schema version: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	_, err = sqlite.Open(ctx, path)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open(newer schema): got %v, want ErrSchemaTooNew", err)
	}
	for _, v := range []int{newer, known} {
		if !strings.Contains(err.Error(), strconv.Itoa(v)) {
			t.Errorf("Open(newer schema) message %q: want it to name version %d", err, v)
		}
	}
}

func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a", "b", "suyuan.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open(path in missing directory): %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Opening again applies no migration twice.
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s.Close()

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatalf("PRAGMA journal_mode: %v", err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode: got %q, want %q", mode, "wal")
	}
	var versions, latest int
	if err := db.QueryRowContext(ctx, "SELECT count(*), max(version) FROM schema_version").Scan(&versions, &latest); err != nil {
		t.Fatalf("read schema_version: %v", err)
	}
	if versions != sqlite.SchemaVersion() || latest != sqlite.SchemaVersion() {
		t.Errorf("schema_version: got %d rows up to %d, want %d rows up to %d", versions, latest, sqlite.SchemaVersion(), sqlite.SchemaVersion())
	}
}

func TestOpenInvalidPath(t *testing.T) {
	for _, path := range []string{"", "file:x.db", filepath.Join(t.TempDir(), "a?mode=ro")} {
		t.Run(path, func(t *testing.T) {
			if _, err := sqlite.Open(context.Background(), path); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Open(%q): got %v, want ErrInvalid", path, err)
			}
		})
	}
}

// TestCaptureFailureMidWrite makes the database reject one identifier row
// of a batch while Capture writes it, and checks that none of the batch
// stays behind.
func TestCaptureFailureMidWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "suyuan.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := s.Capture(ctx, "before", []store.Record{benchRecord(0)}); err != nil {
		t.Fatalf("Capture(first batch): %v", err)
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	defer db.Close()
	const poison = "urn:example:reject-me"
	if _, err := db.ExecContext(ctx, `CREATE TRIGGER reject_poison BEFORE INSERT ON identifiers
WHEN NEW.canonical = '`+poison+`' BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END`); err != nil {
		t.Fatalf("create trigger: %v", err)
	}

	batch := make([]store.Record, 300)
	for i := range batch {
		batch[i] = benchRecord(i + 1)
	}
	last := &batch[len(batch)-1]
	last.IDs = append(last.IDs, store.IDRef{Canonical: poison, Original: poison, Role: store.RoleEPC})
	if _, err := s.Capture(ctx, "failing", batch); err == nil {
		t.Fatalf("Capture(batch with rejected row): got nil error")
	}

	for _, r := range batch[:3] {
		if _, err := s.Event(ctx, r.Event.EventID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Event(%s) after failed capture: got %v, want ErrNotFound", r.Event.EventID, err)
		}
	}
	var events, identifiers, leaves int
	for _, c := range []struct {
		table string
		dst   *int
	}{{"events", &events}, {"identifiers", &identifiers}, {"log_leaves", &leaves}} {
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+c.table).Scan(c.dst); err != nil {
			t.Fatalf("count %s: %v", c.table, err)
		}
	}
	indexed := 0
	for _, id := range benchRecord(0).IDs {
		if store.IndexedRole(id.Role) {
			indexed++
		}
	}
	if events != 1 || identifiers != indexed || leaves != 1 {
		t.Errorf("rows after failed capture: got %d events, %d identifiers, %d leaves; want 1, %d, 1",
			events, identifiers, leaves, indexed)
	}

	// The store keeps working, and the failed batch can be sent again
	// without the rejected row.
	last.IDs = last.IDs[:len(last.IDs)-1]
	res, err := s.Capture(ctx, "retry", batch)
	if err != nil {
		t.Fatalf("Capture(retry): %v", err)
	}
	if got := res.Outcomes[len(batch)-1]; got != store.Stored {
		t.Errorf("retry outcome: got %v, want Stored", got)
	}
	if n, err := s.LogSize(ctx); err != nil || n != uint64(len(batch)+1) {
		t.Errorf("LogSize after retry: got %d, %v; want %d", n, err, len(batch)+1)
	}
}
