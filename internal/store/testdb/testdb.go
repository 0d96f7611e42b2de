// Package testdb opens fresh stores of both backends for the tests of
// packages that build on the store. The SQLite store lives in a temporary
// folder. The PostgreSQL store gets a new database on the server that
// SUYUAN_TEST_PG_DSN names, dropped when the test ends.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/postgres"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// PostgresDSNEnv names the environment variable with the URL of a
// PostgreSQL server. When it is set, Each also runs on a fresh database
// there.
const PostgresDSNEnv = "SUYUAN_TEST_PG_DSN"

// Each runs fn as the subtest "sqlite" on a fresh SQLite store and, when
// PostgresDSNEnv is set, as the subtest "postgres" on a fresh PostgreSQL
// database. name labels the SQLite file and the database.
func Each(t *testing.T, name string, fn func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t, name)) })
	base := os.Getenv(PostgresDSNEnv)
	if base == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t, base, name)) })
}

// EachAs is Each for tests that need more of a store than store.Store,
// such as the decision log or the party registry. It fails the test when
// a backend's store is not a T.
func EachAs[T any](t *testing.T, name string, fn func(t *testing.T, st T)) {
	Each(t, name, func(t *testing.T, st store.Store) {
		s, ok := st.(T)
		if !ok {
			t.Fatalf("store %T does not implement %v", st, reflect.TypeFor[T]())
		}
		fn(t, s)
	})
}

// SQLite opens a store on a new file in the test's temporary folder and
// closes it when the test ends.
func SQLite(t testing.TB, name string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), name+".db"))
	if err != nil {
		t.Fatalf("open SQLite store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Postgres creates a database named "suyuan_<name>_<random>" on the server
// at base, opens a store on it, and closes the store and drops the
// database when the test ends.
func Postgres(t testing.TB, base, name string) *postgres.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random database name: %v", err)
	}
	db := "suyuan_" + name + "_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresDSNEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
		t.Fatalf("create database %s: %v", db, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("invalid %s: %v", PostgresDSNEnv, err)
	}
	u.Path = "/" + db
	st, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("open PostgreSQL store: %v", err)
	}
	t.Cleanup(func() {
		st.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("connect to drop database %s: %v", db, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", db, err)
		}
	})
	return st
}
