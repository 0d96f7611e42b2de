package credit_test

import (
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/testdb"
)

// backend is a store with the decision log and the party registry, as
// both real backends are.
type backend interface {
	store.Store
	store.DecisionStore
	store.PartyStore
}

// eachBackend runs fn on a fresh SQLite store and, when SUYUAN_TEST_PG_DSN
// is set, on a fresh PostgreSQL database, each as a subtest.
func eachBackend(t *testing.T, fn func(t *testing.T, st backend)) {
	testdb.EachAs(t, "credit", fn)
}
