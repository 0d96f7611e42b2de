package postgres

import (
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store/storetest"
)

// TestLineage runs the lineage index suite shared with the SQLite backend,
// each case in a fresh schema.
func TestLineage(t *testing.T) {
	dsn := emptyDSN(t)
	storetest.RunLineage(t, func(t *testing.T) storetest.LineageBackend {
		return openDSN(t, freshSchemaDSN(t, dsn))
	})
}
