package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// checkpointInterval is how often the background checkpointer copies the
// WAL into the database file when no capture signals it earlier.
const checkpointInterval = time.Second

// checkpointer runs WAL checkpoints on its own connection, so that a
// capture's commit appends to the WAL without copying pages into the
// database file or waiting for that fsync. The write connection has
// wal_autocheckpoint turned off, so without this goroutine the WAL would
// grow without bound.
type checkpointer struct {
	db     *sql.DB
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// startCheckpointer opens the checkpoint connection with dsn and starts
// the goroutine; stop ends it.
func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go c.run(ctx)
	return c, nil
}

// signal requests a checkpoint soon and returns at once.
func (c *checkpointer) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	ticker := time.NewTicker(checkpointInterval)
	defer ticker.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-c.wake:
		}
		// PASSIVE copies what it can without blocking the writer or
		// readers; SQLite restarts the WAL from its start once all of
		// it has been copied.
		var busy, logPages, copied int
		err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &copied)
		if err != nil && ctx.Err() == nil {
			failures++
			// Log the first failure and then every 60th, so that a
			// persistent fault does not flood the log.
			if failures%60 == 1 {
				slog.Warn("sqlite WAL checkpoint failed", "error", err, "failures", failures)
			}
			continue
		}
		failures = 0
	}
}

// stop ends the goroutine and closes the connection.
func (c *checkpointer) stop() error {
	c.cancel()
	<-c.done
	return c.db.Close()
}
