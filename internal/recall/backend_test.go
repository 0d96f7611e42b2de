package recall_test

import (
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/testdb"
)

// backend is a store with the decision log, the lineage index and the
// party registry, as both real backends are.
type backend interface {
	store.Store
	store.DecisionStore
	store.LineageStore
	store.PartyStore
}

// eachBackend runs fn on a fresh SQLite store and, when SUYUAN_TEST_PG_DSN
// is set, on a fresh PostgreSQL database, each as a subtest.
func eachBackend(t *testing.T, fn func(t *testing.T, st backend)) {
	testdb.EachAs(t, "recall", fn)
}
