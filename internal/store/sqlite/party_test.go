package sqlite_test

import (
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store/storetest"
)

func TestPartyStore(t *testing.T) {
	storetest.RunParty(t, openTemp)
}

func TestDecisionStore(t *testing.T) {
	storetest.RunDecision(t, openTemp)
}
