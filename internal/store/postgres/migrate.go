package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/suyuan-trace/suyuan/internal/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order. A file is
// named NNNN_description.sql; versions start at 1 and have no gaps.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var list []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("embedded migration %q: name is not NNNN_description.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("embedded migration %q: version %q is not a number", name, num)
		}
		text, err := fs.ReadFile(migrationFS, path.Join("migrations", name))
		if err != nil {
			return nil, fmt.Errorf("read embedded migration %q: %w", name, err)
		}
		list = append(list, migration{version: v, name: name, sql: string(text)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	for i, m := range list {
		if m.version != i+1 {
			return nil, fmt.Errorf("embedded migration %q: version %d, want %d (versions must start at 1 without gaps)", m.name, m.version, i+1)
		}
	}
	return list, nil
}

// SchemaVersion is the schema version this program migrates databases to.
func SchemaVersion() int {
	list, err := migrations()
	if err != nil || len(list) == 0 {
		return 0
	}
	return list[len(list)-1].version
}

// migrate brings the database to the newest embedded schema version. It
// holds a session advisory lock meanwhile, so that servers starting at the
// same time apply each migration once. All missing migrations apply in one
// transaction: a failure leaves the schema as it was.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return migrateTo(ctx, pool, 0)
}

// migrateTo is migrate up to schema version target, or to the newest when
// target is 0.
func migrateTo(ctx context.Context, pool *pgxpool.Pool, target int) error {
	list, err := migrations()
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return fmt.Errorf("migrate: no embedded migrations")
	}
	known := list[len(list)-1].version
	if target > 0 && target < len(list) {
		list = list[:target]
	}

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: acquire connection: %w", err)
	}
	defer conn.Release()

	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return fmt.Errorf("migrate: take advisory lock: %w", err)
	}
	defer func() {
		// The lock belongs to this session. If unlocking fails, close the
		// connection, which releases it, rather than return it to the pool.
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey); err != nil {
			conn.Hijack().Close(context.WithoutCancel(ctx))
		}
	}()

	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	const createVersion = `CREATE TABLE IF NOT EXISTS schema_version (
		version    integer PRIMARY KEY,                -- migration number applied
		applied_at timestamptz NOT NULL DEFAULT now()  -- when it was applied
	)`
	if _, err := tx.Exec(ctx, createVersion); err != nil {
		return fmt.Errorf("migrate: create schema_version: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("database schema version %d is newer than version %d of this program, upgrade the program: %w",
			current, known, store.ErrSchemaTooNew)
	}
	for _, m := range list[current:] {
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate: apply %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_version (version) VALUES ($1)", m.version); err != nil {
			return fmt.Errorf("migrate: record version %d: %w", m.version, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
