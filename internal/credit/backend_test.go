package credit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/postgres"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// backend is a store with the decision log and the party registry, as
// both real backends are.
type backend interface {
	store.Store
	store.DecisionStore
	store.PartyStore
}

// pgDSNEnv names the environment variable with the URL of a PostgreSQL
// server; when set, the tests also run on a fresh database there.
const pgDSNEnv = "SUYUAN_TEST_PG_DSN"

// eachBackend runs fn on a fresh SQLite store and, when SUYUAN_TEST_PG_DSN
// is set, on a fresh PostgreSQL database, each as a subtest.
func eachBackend(t *testing.T, fn func(t *testing.T, st backend)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "credit.db"))
		if err != nil {
			t.Fatalf("open SQLite store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, asBackend(t, st))
	})
	base := os.Getenv(pgDSNEnv)
	if base == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, asBackend(t, openPostgres(t, base))) })
}

func asBackend(t *testing.T, st store.Store) backend {
	t.Helper()
	b, ok := st.(backend)
	if !ok {
		t.Fatalf("store %T lacks the decision log or party registry", st)
	}
	return b
}

// openPostgres creates a database on the server at base, opens the store
// on it, and drops the database when the test ends.
func openPostgres(t *testing.T, base string) *postgres.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random name: %v", err)
	}
	name := "suyuan_credit_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", pgDSNEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is no URL: %v", pgDSNEnv, err)
	}
	u.Path = "/" + name
	st, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(func() {
		st.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("connect to drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return st
}
