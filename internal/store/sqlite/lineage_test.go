package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/store/storetest"
)

func TestLineage(t *testing.T) {
	storetest.RunLineage(t, func(t *testing.T) storetest.LineageBackend {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lineage.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
