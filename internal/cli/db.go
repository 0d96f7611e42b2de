package cli

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"strings"

	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/postgres"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// defaultDB is the store used when neither --db nor SUYUAN_DB is given.
const defaultDB = "data/suyuan.db"

// dbFlag declares the --db flag shared by every command that reads or
// writes data.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("SUYUAN_DB")
	if def == "" {
		def = defaultDB
	}
	return fs.String("db", def, "数据库：SQLite 文件路径或 postgres:// URL / store: a SQLite file path or a postgres:// URL (env SUYUAN_DB)")
}

// openStore opens the store named by dsn: a postgres:// or postgresql://
// URL selects PostgreSQL, anything else is a SQLite file path.
func openStore(ctx context.Context, dsn string) (store.Store, error) {
	if isPostgres(dsn) {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, dsn)
}

// newCaptureService returns the capture service every command uses. It
// writes an audit-log leaf for every stored event, hashed with the
// algorithm SUYUAN_LOG_HASH names (Main has checked the name).
func newCaptureService(st store.Store, logger *slog.Logger) *capture.Service {
	h, err := logHasher()
	if err != nil {
		panic("cli: " + err.Error() + " (Main checks this before any command runs)")
	}
	return capture.New(st, h, logger)
}

// isPostgres reports whether dsn names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
