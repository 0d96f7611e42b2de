// Package postgres owns the PostgreSQL backend of store.Store: its schema
// and numbered migrations, capture in one transaction with COPY for bulk
// rows, queries through the shared SQL builder (package sqlq), capture
// jobs and the audit log's leaves, tiles and checkpoints.
//
// Several server processes may share one database. Migrations run under a
// session advisory lock. Each capture takes a transaction-scoped advisory
// lock while it assigns event numbers, the record time and audit-log leaf
// indexes. So the order of those values equals commit order on every
// instance, and query cursors stay valid on all of them.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// Advisory lock keys. PostgreSQL scopes advisory locks to the current
// database, so two Suyuan databases on one server never contend.
const (
	// migrateLockKey is held (session lock) while migrations are checked
	// and applied.
	migrateLockKey int64 = 0x5375797561_0001
	// captureLockKey is held (transaction lock) by every capture from the
	// moment it reads stored eventIDs until it commits.
	captureLockKey int64 = 0x5375797561_0002
)

// Store is a store.Store on a PostgreSQL database. It is safe for
// concurrent use by multiple goroutines, and several Store values (in one
// or many processes) may share one database.
type Store struct {
	pool *pgxpool.Pool
	// readOnly is set by OpenReadOnly; write methods then return
	// ErrReadOnly.
	readOnly bool
}

var (
	_ store.Store   = (*Store)(nil)
	_ store.Scanner = (*Store)(nil)
)

// Open connects to the PostgreSQL database named by dsn (a URL such as
// "postgres://user@host:5432/db?sslmode=disable" or a key=value string, as
// libpq accepts), applies missing migrations and returns the store. The
// pool settings of pgxpool, such as pool_max_conns (default: the larger of
// 4 and the number of CPUs), may be given in dsn. Open returns an error
// wrapping store.ErrSchemaTooNew when the database was migrated by a newer
// Suyuan; upgrade the program in that case.
func Open(ctx context.Context, dsn string) (*Store, error) {
	pool, err := connect(ctx, dsn, nil)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// connect opens a pool on dsn with the extra run-time parameters params and
// checks that the server answers.
func connect(ctx context.Context, dsn string, params map[string]string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse PostgreSQL DSN: %w (use a URL like postgres://user@host:5432/db or key=value pairs)", err)
	}
	for k, v := range params {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create PostgreSQL pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d database %q: %w",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// Close closes every connection of the store. It waits for connections in
// use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// notFound maps pgx.ErrNoRows to store.ErrNotFound with the given context;
// other errors are wrapped as they are.
func notFound(err error, format string, args ...any) error {
	subject := fmt.Sprintf(format, args...)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", subject, store.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", subject, err)
}
