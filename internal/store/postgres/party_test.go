package postgres

import (
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/storetest"
)

// TestPartyStore runs the party registry suite shared with the SQLite
// backend, each case in a fresh schema.
func TestPartyStore(t *testing.T) {
	dsn := emptyDSN(t)
	storetest.RunParty(t, func(t *testing.T) store.Store {
		return openDSN(t, freshSchemaDSN(t, dsn))
	})
}

// TestDecisionStore runs the decision suite shared with the SQLite
// backend, each case in a fresh schema.
func TestDecisionStore(t *testing.T) {
	dsn := emptyDSN(t)
	storetest.RunDecision(t, func(t *testing.T) store.Store {
		return openDSN(t, freshSchemaDSN(t, dsn))
	})
}
