package postgres

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/storetest"
)

// crashChildEnv is set by storetest.RunCrash in the child process it
// starts; the child takes the DSN from the environment.
const crashChildEnv = "SUYUAN_STORETEST_CRASH_CHILD"

// TestCaptureKilled kills a process in the middle of a large capture and
// checks that the database holds none or all of its batch.
func TestCaptureKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("the capture crash test builds 200,000 records; skipped with -short")
	}
	dsn := ""
	if os.Getenv(crashChildEnv) != "1" {
		dsn = freshDSN(t)
	}
	storetest.RunCrash(t, dsn, func(ctx context.Context, dsn string) (store.Store, error) {
		return Open(ctx, dsn)
	}, 2*time.Second)
}
