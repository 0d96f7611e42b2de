package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// dsnEnv names the environment variable with the DSN of a PostgreSQL server
// for tests. Each test gets databases of its own on that server.
const dsnEnv = "SUYUAN_TEST_PG_DSN"

// template is a database migrated once per test binary, copied by
// CREATE DATABASE ... TEMPLATE for each fresh test database.
var template struct {
	once sync.Once
	name string
	err  error
}

// processDatabases lists databases that live as long as the test binary,
// such as the template and the store that query benchmarks fill once.
var processDatabases databaseList

type databaseList struct {
	mu    sync.Mutex
	names []string
}

func (l *databaseList) add(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.names = append(l.names, name)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if queryBench.store != nil {
		queryBench.store.Close()
	}
	for _, name := range processDatabases.names {
		if err := dropDatabase(os.Getenv(dsnEnv), name); err != nil {
			fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", name, err)
		}
	}
	os.Exit(code)
}

// baseDSN returns the server DSN from the environment, or skips tb.
func baseDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		tb.Skipf("%s is not set: set it to a PostgreSQL server URL such as "+
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run the PostgreSQL store tests", dsnEnv)
	}
	return dsn
}

// freshDSN creates an empty, migrated database for one test, drops it when
// the test ends, and returns its DSN.
func freshDSN(tb testing.TB) string {
	tb.Helper()
	base := baseDSN(tb)
	template.once.Do(func() {
		name := randomName("suyuan_test_tmpl_")
		if template.err = createDatabase(base, name, ""); template.err != nil {
			return
		}
		template.name = name
		processDatabases.add(name)
		s, err := Open(context.Background(), withDatabase(base, name))
		if err != nil {
			template.err = err
			return
		}
		template.err = s.Close()
	})
	if template.err != nil {
		tb.Fatalf("prepare template database: %v", template.err)
	}
	return createTestDatabase(tb, base, template.name)
}

// emptyDSN creates a database without any schema for one test.
func emptyDSN(tb testing.TB) string {
	tb.Helper()
	return createTestDatabase(tb, baseDSN(tb), "")
}

func createTestDatabase(tb testing.TB, base, fromTemplate string) string {
	tb.Helper()
	name := randomName("suyuan_test_")
	if err := createDatabase(base, name, fromTemplate); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		if err := dropDatabase(base, name); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(base, name)
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func createDatabase(base, name, fromTemplate string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", dsnEnv, err)
	}
	defer conn.Close(ctx)
	stmt := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if fromTemplate != "" {
		stmt += " TEMPLATE " + pgx.Identifier{fromTemplate}.Sanitize()
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func dropDatabase(base, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", dsnEnv, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// freshSchemaDSN creates an empty schema in the database of dsn and returns
// a DSN whose connections use it as search_path, so a store opened on it
// sees only its own tables. It is the cheap way to give each of many
// subtests a store of its own inside one test database: creating a
// database takes about a second on a busy two-core machine.
func freshSchemaDSN(tb testing.TB, dsn string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect to test database: %v", err)
	}
	defer conn.Close(ctx)
	name := randomName("s_")
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		tb.Fatalf("create schema %s: %v", name, err)
	}
	return withParam(dsn, "search_path", name)
}

// withParam returns dsn with the connection parameter key set to value. It
// accepts the URL and the key=value forms.
func withParam(dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set(key, value)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " " + key + "=" + value
}

// withDatabase returns dsn with its database replaced by name. It accepts
// the URL and the key=value forms.
func withDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			u.Path = "/" + name
			return u.String()
		}
	}
	// In the key=value form a later setting overrides an earlier one.
	return dsn + " dbname=" + name
}

// openFresh opens a store on a fresh database and closes it when the test
// ends.
func openFresh(tb testing.TB) (*Store, string) {
	tb.Helper()
	dsn := freshDSN(tb)
	return openDSN(tb, dsn), dsn
}

func openDSN(tb testing.TB, dsn string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
