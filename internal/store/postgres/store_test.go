package postgres

import (
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/storetest"
)

// TestStore runs the behavioural suite shared with the SQLite backend in a
// fresh database, each case in a fresh schema of it.
func TestStore(t *testing.T) {
	dsn := emptyDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return openDSN(t, freshSchemaDSN(t, dsn))
	})
}
