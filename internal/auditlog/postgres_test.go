package auditlog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/suyuan-trace/suyuan/internal/store/postgres"
)

// pgDSNEnv names the PostgreSQL server the PostgreSQL tests use, the same
// variable as the store's own tests.
const pgDSNEnv = "SUYUAN_TEST_PG_DSN"

// freshPostgres creates an empty database on the server named by
// SUYUAN_TEST_PG_DSN, drops it when the test ends, and returns its DSN.
func freshPostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv(pgDSNEnv)
	if base == "" {
		t.Skipf("%s is not set: set it to a PostgreSQL server URL such as postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run the PostgreSQL audit-log tests", pgDSNEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", pgDSNEnv, err)
	}
	defer conn.Close(ctx)
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "suyuan_auditlog_" + hex.EncodeToString(suffix)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", pgDSNEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestAuditPostgresNamesTamperedEvents(t *testing.T) {
	ctx := context.Background()
	dsn := freshPostgres(t)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	defer st.Close()
	l, events := captureInto(t, st, 40)

	rep, err := Audit(ctx, st, st, AuditOptions{LogKey: l.signer.Verifier(), Origin: l.Origin()})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if !rep.OK() || rep.Leaves != 40 || rep.Events != 40 || !rep.SignatureChecked {
		t.Fatalf("Audit of an untouched store: %d leaves, %d events, signature checked %v, findings %+v", rep.Leaves, rep.Events, rep.SignatureChecked, rep.Findings)
	}
	c, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	index, err := st.LeafIndex(ctx, events[33].EventID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.InclusionProof(ctx, index, c.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyInclusion(SHA256, index, c, testRecord(t, l, events[33]).LeafHash, p); err != nil {
		t.Errorf("VerifyInclusion: %v", err)
	}

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	changed, deleted := events[3].EventID, events[28].EventID
	if _, err := conn.Exec(ctx, `UPDATE events SET doc = convert_to(replace(convert_from(doc, 'UTF8'), 'in_transit', 'destroyed'), 'UTF8') WHERE event_id = $1`, changed); err != nil {
		t.Fatalf("change event: %v", err)
	}
	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatalf("disable foreign keys: %v", err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM events WHERE event_id = $1`, deleted); err != nil {
		t.Fatalf("delete event: %v", err)
	}

	rep, err = Audit(ctx, st, st, AuditOptions{LogKey: l.signer.Verifier(), Origin: l.Origin()})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	want := []Finding{
		{Kind: FindingContentChanged, EventID: changed, LeafIndex: 3},
		{Kind: FindingEventMissing, EventID: deleted, LeafIndex: 28},
	}
	if len(rep.Findings) != len(want) {
		t.Fatalf("Audit: got %d findings, want %d: %+v", len(rep.Findings), len(want), rep.Findings)
	}
	for i, w := range want {
		got := rep.Findings[i]
		if got.Kind != w.Kind || got.EventID != w.EventID || got.LeafIndex != w.LeafIndex {
			t.Errorf("finding %d: got %s %s leaf %d, want %s %s leaf %d", i, got.Kind, got.EventID, got.LeafIndex, w.Kind, w.EventID, w.LeafIndex)
		}
	}
}
