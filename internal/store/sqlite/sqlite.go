// Package sqlite owns the embedded SQLite store: the schema and its
// migrations, and the store.Store, store.LogStore and store.Scanner
// implementation on modernc.org/sqlite (pure Go, no cgo).
//
// One database file holds events, the identifier index, capture jobs and
// the audit-log tree. The file runs in WAL mode so that queries read while
// a capture writes. All writes go through one connection, which
// serialises captures within a process, and SQLite's file lock serialises
// them across processes.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	// Registers the "sqlite" database/sql driver.
	_ "modernc.org/sqlite"

	"github.com/suyuan-trace/suyuan/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// walLimitPages is the WAL size, in pages of 4 KiB, past which the write
// connection checkpoints after a commit (64 MiB).
const walLimitPages = 16384

// busyTimeout is how long a connection waits for another process's lock
// before a statement fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Store is the SQLite implementation of store.Store, store.LogStore and
// store.Scanner. It is safe for concurrent use by multiple goroutines.
type Store struct {
	path string
	// write has exactly one connection; every write goes through it.
	write *sql.DB
	// read is the pool for queries; its connections are query-only.
	read *sql.DB

	// mu serialises Capture, so that record times and leaf indexes are
	// assigned in commit order within this process.
	mu sync.Mutex
	// lastRecordTime is the latest record time this process assigned, in
	// Unix nanoseconds.
	lastRecordTime int64
	// stmts caches the statements Capture prepares on the write
	// connection, by SQL text; guarded by mu.
	stmts map[string]*sql.Stmt
	// txStmts holds the statements bound to the latest capture
	// transaction, by SQL text; guarded by mu.
	txStmts struct {
		tx    *sql.Tx
		stmts map[string]*sql.Stmt
	}
	ckpt *checkpointer
	// readStmts caches the lineage reads prepared on the read pool, by
	// SQL text (*sql.Stmt values). A trace runs dozens of them, and
	// parsing each again cost a quarter of a short trace's CPU time.
	readStmts sync.Map
}

var (
	_ store.Store   = (*Store)(nil)
	_ store.Scanner = (*Store)(nil)
)

// Open opens the SQLite database at path, creating it and its parent
// directory when missing, and applies missing schema migrations in one
// transaction. It returns an error wrapping store.ErrSchemaTooNew when
// the database was migrated by a newer program. The caller must Close the
// store.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("open sqlite store: database path is empty, give a file path such as data/suyuan.db: %w", store.ErrInvalid)
	}
	if strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open sqlite store: database path %q must be a plain file path without '?' or a file: prefix: %w", path, store.ErrInvalid)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite store: create directory %s: %w", dir, err)
		}
	}

	pragmas := []string{
		"busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")",
		"foreign_keys(1)",
		"journal_mode(WAL)",
		"synchronous(NORMAL)",
		// LIKE compares case-sensitively, as identifier prefix patterns
		// require, and can then use the identifier index.
		"case_sensitive_like(1)",
		// A 32 MiB page cache per connection.
		"cache_size(-32768)",
		// Statement journals and temporary indexes stay in memory, so a
		// multi-row INSERT does not write a temporary file.
		"temp_store(2)",
	}
	dsn := func(extra ...string) string {
		var q []string
		for _, p := range append(slices.Clone(pragmas), extra...) {
			q = append(q, "_pragma="+p)
		}
		return path + "?" + strings.Join(q, "&")
	}

	// The write connection leaves WAL checkpoints to the checkpointer
	// while the WAL is small. Under a steady stream of captures the
	// checkpointer's passive checkpoints never catch up, so the WAL would
	// grow without end and every page read would search more of it.
	// Once the WAL passes walLimitPages, the writer checkpoints after its
	// commit, when no other writer can add frames, and the next
	// transaction starts the WAL over.
	write, err := sql.Open("sqlite", dsn("wal_autocheckpoint("+strconv.Itoa(walLimitPages)+")")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	s := &Store{path: path, write: write, stmts: map[string]*sql.Stmt{}}
	if err := s.init(ctx); err != nil {
		write.Close()
		return nil, err
	}

	read, err := sql.Open("sqlite", dsn("query_only(1)"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite store %s for reading: %w", path, err)
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	s.read = read

	ckpt, err := startCheckpointer(dsn())
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("open sqlite store %s for checkpoints: %w", path, err)
	}
	s.ckpt = ckpt
	return s, nil
}

// init checks the journal mode, migrates the schema and prepares the
// capture statements.
func (s *Store) init(ctx context.Context) error {
	var mode string
	if err := s.write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("open sqlite store %s: read journal mode: %w", s.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("open sqlite store %s: journal mode is %q, want \"wal\"; the file system may not support WAL (use a local disk)", s.path, mode)
	}
	if err := migrate(ctx, s.write); err != nil {
		return fmt.Errorf("open sqlite store %s: %w", s.path, err)
	}
	// Refresh the planner's statistics where they are missing or stale,
	// as SQLite recommends for long-lived connections (PRAGMA optimize,
	// SQLite 3.46 and later).
	if _, err := s.write.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		return fmt.Errorf("open sqlite store %s: optimize: %w", s.path, err)
	}
	if err := s.prepareCapture(ctx); err != nil {
		return fmt.Errorf("open sqlite store %s: %w", s.path, err)
	}
	return nil
}

// Close closes the store's connections. Calls in progress may fail.
func (s *Store) Close() error {
	s.mu.Lock()
	var errs []error
	if s.stmts != nil {
		if _, err := s.write.Exec("PRAGMA optimize"); err != nil {
			errs = append(errs, fmt.Errorf("optimize: %w", err))
		}
	}
	for _, stmt := range s.stmts {
		errs = append(errs, stmt.Close())
	}
	s.stmts = nil
	s.mu.Unlock()
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.stop())
	}
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	errs = append(errs, s.write.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store %s: %w", s.path, err)
	}
	return nil
}

// createSchemaVersion creates the table recording applied migrations.
const createSchemaVersion = `CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY, -- number of an applied migration (file migrations/NNNN_name.sql)
    applied_at INTEGER NOT NULL     -- when it was applied, in Unix nanoseconds
)`

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("embedded migration %s: name must start with a positive number and '_'", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read embedded migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(body)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("embedded migration %s: version %d, want %d (versions must be consecutive from 1)", m.name, m.version, i+1)
		}
	}
	return out, nil
}

// migrate applies the migrations the database lacks, all in one
// transaction, and refuses a database newer than the embedded migrations.
func migrate(ctx context.Context, db *sql.DB) error {
	return migrateTo(ctx, db, 0)
}

// migrateTo is migrate up to schema version target, or to the newest when
// target is 0.
func migrateTo(ctx context.Context, db *sql.DB, target int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	known := len(ms)
	if target > 0 && target < known {
		ms = ms[:target]
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, createSchemaVersion); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("database schema version %d, this program knows up to %d; upgrade Suyuan: %w", current, known, store.ErrSchemaTooNew)
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", m.version, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("record migration %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migrations: %w", err)
	}
	return nil
}

// SchemaVersion returns the number of the latest migration this program
// embeds.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}
