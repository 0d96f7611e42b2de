package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// ErrReadOnly is returned by the write methods (Capture, CreateJob,
// UpdateJob, PutTiles, PutCheckpoint) of a store opened with OpenReadOnly.
// Send writes to a store opened with Open on the primary instead.
var ErrReadOnly = errors.New("store is read-only")

// OpenReadOnly connects to a database that another process migrates, such
// as a streaming replica of the primary, and returns a store for the read
// methods. It never migrates: a hot standby rejects every write, the
// schema_version table included. Its connections run with
// default_transaction_read_only on, and its write methods return an error
// wrapping ErrReadOnly.
//
// OpenReadOnly returns an error wrapping store.ErrSchemaTooNew when the
// database schema is newer than this program, and an error wrapping
// ErrSchemaTooOld when it is older (open the primary with Open first,
// which migrates it, and let the replica catch up).
//
// A replica lags the primary. Events captured on the primary become
// visible on the replica in commit order, so a query cursor from the
// primary stays valid there. A client that must read its own writes at
// once reads from the primary.
func OpenReadOnly(ctx context.Context, dsn string) (*Store, error) {
	pool, err := connect(ctx, dsn, map[string]string{"default_transaction_read_only": "on"})
	if err != nil {
		return nil, err
	}
	if err := checkSchema(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, readOnly: true}, nil
}

// ErrSchemaTooOld is returned by OpenReadOnly when the database schema is
// older than this program. Migrate the primary with Open.
var ErrSchemaTooOld = errors.New("database schema is older than this program")

// checkSchema compares the database schema version with SchemaVersion.
func checkSchema(ctx context.Context, pool *pgxpool.Pool) error {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('schema_version') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	current := 0
	if exists {
		if err := pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
	}
	known := SchemaVersion()
	switch {
	case current > known:
		return fmt.Errorf("database schema version %d is newer than version %d of this program, upgrade the program: %w",
			current, known, store.ErrSchemaTooNew)
	case current < known:
		return fmt.Errorf("database schema version %d is older than version %d of this program, open the primary with a read-write store to migrate it: %w",
			current, known, ErrSchemaTooOld)
	}
	return nil
}

// checkWritable returns an error wrapping ErrReadOnly for a store opened
// with OpenReadOnly.
func (s *Store) checkWritable(op string) error {
	if s.readOnly {
		return fmt.Errorf("%s: %w", op, ErrReadOnly)
	}
	return nil
}
