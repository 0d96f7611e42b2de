package auditlog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/postgres"
)

// auditStore is a store whose audit covers decisions.
type auditStore interface {
	store.Store
	store.Scanner
	store.DecisionStore
}

// appendTestDecisions appends n decisions with leaf hashes from l and
// integrates the log. The leaves follow the events captured before.
func appendTestDecisions(t *testing.T, st store.DecisionStore, l *Log, n int) []store.Decision {
	t.Helper()
	ctx := context.Background()
	var out []store.Decision
	for i := range n {
		d := store.Decision{
			Kind: "party.update", Subject: fmt.Sprintf("P%d", i+1), Actor: "admin", ActorPartyID: "operator",
			Time: time.Date(2026, 12, 2, 8, 0, i, 0, time.UTC),
			Body: json.RawMessage(fmt.Sprintf(`{"id":"P%d","changed":["region"]}`, i+1)),
		}
		d.LeafHash = l.DecisionLeafHash(d)
		stored, err := st.AppendDecision(ctx, d)
		if err != nil {
			t.Fatalf("AppendDecision %d: %v", i, err)
		}
		out = append(out, stored)
	}
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatalf("Integrate: %v", err)
	}
	return out
}

// checkDecisionTamper audits st with decisions, changes and deletes
// decisions through exec, and checks that the audit names each one.
func checkDecisionTamper(t *testing.T, st auditStore, l *Log, exec func(query string) error) {
	ctx := context.Background()
	decisions := appendTestDecisions(t, st, l, 5)
	rep, err := Audit(ctx, st, st, AuditOptions{LogKey: l.signer.Verifier(), Origin: l.Origin()})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if !rep.OK() || rep.Decisions != 5 || rep.Leaves != 45 {
		t.Fatalf("Audit of an untouched store: %d leaves, %d decisions, findings %+v; want 45 leaves, 5 decisions, none", rep.Leaves, rep.Decisions, rep.Findings)
	}

	for _, q := range []string{
		`UPDATE decisions SET subject = 'P9' WHERE seq = 2`,
		`UPDATE decisions SET decided_at = decided_at + 1 WHERE seq = 3`,
		`UPDATE decisions SET actor = 'system' WHERE seq = 4`,
		`DELETE FROM decisions WHERE seq = 5`,
	} {
		if err := exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rep, err = Audit(ctx, st, st, AuditOptions{LogKey: l.signer.Verifier(), Origin: l.Origin()})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	want := []Finding{
		{Kind: FindingDecisionChanged, DecisionSeq: 2, DecisionKind: "party.update", DecisionSubject: "P9", LeafIndex: int64(decisions[1].LeafIndex)},
		{Kind: FindingDecisionChanged, DecisionSeq: 3, DecisionKind: "party.update", DecisionSubject: "P3", LeafIndex: int64(decisions[2].LeafIndex)},
		{Kind: FindingDecisionChanged, DecisionSeq: 4, DecisionKind: "party.update", DecisionSubject: "P4", LeafIndex: int64(decisions[3].LeafIndex)},
		{Kind: FindingDecisionMissing, LeafIndex: int64(decisions[4].LeafIndex)},
	}
	if len(rep.Findings) != len(want) {
		t.Fatalf("Audit: got %d findings, want %d: %+v", len(rep.Findings), len(want), rep.Findings)
	}
	for i, w := range want {
		got := rep.Findings[i]
		if got.Kind != w.Kind || got.DecisionSeq != w.DecisionSeq || got.DecisionKind != w.DecisionKind ||
			got.DecisionSubject != w.DecisionSubject || got.LeafIndex != w.LeafIndex {
			t.Errorf("finding %d: got %s decision %d %s %s leaf %d, want %s decision %d %s %s leaf %d", i,
				got.Kind, got.DecisionSeq, got.DecisionKind, got.DecisionSubject, got.LeafIndex,
				w.Kind, w.DecisionSeq, w.DecisionKind, w.DecisionSubject, w.LeafIndex)
		}
	}
	if rep.Decisions != 4 {
		t.Errorf("Audit: got %d decisions scanned, want 4", rep.Decisions)
	}
}

func TestAuditSQLiteNamesTamperedDecisions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "suyuan.db")
	st, l, _ := captureTestEvents(t, path, 40)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkDecisionTamper(t, st, l, func(q string) error {
		_, err := db.Exec(q)
		return err
	})
}

func TestAuditPostgresNamesTamperedDecisions(t *testing.T) {
	ctx := context.Background()
	dsn := freshPostgres(t)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	defer st.Close()
	l, _ := captureInto(t, st, 40)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	checkDecisionTamper(t, st, l, func(q string) error {
		_, err := conn.Exec(ctx, q)
		return err
	})
}

func TestHandlersServeDecisionProofs(t *testing.T) {
	ctx := context.Background()
	st, l, _ := captureTestEvents(t, filepath.Join(t.TempDir(), "suyuan.db"), 10)
	decisions := appendTestDecisions(t, st, l, 3)
	mux := http.NewServeMux()
	for pattern, h := range l.Endpoints() {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" /log"+path, h)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}

	status, _, body := get(t, srv.URL+"/log/proof/inclusion?decision=2")
	if status != http.StatusOK {
		t.Fatalf("inclusion of decision 2: status %d: %s", status, body)
	}
	var ip InclusionProofJSON
	if err := json.Unmarshal(body, &ip); err != nil {
		t.Fatal(err)
	}
	if ip.DecisionSeq != 2 || ip.LeafIndex != 11 || ip.EventID != "" || ip.TreeSize != 13 {
		t.Errorf("inclusion of decision 2: got decision %d leaf %d event %q size %d, want decision 2 leaf 11 size 13",
			ip.DecisionSeq, ip.LeafIndex, ip.EventID, ip.TreeSize)
	}
	if err := VerifyInclusion(SHA256, ip.LeafIndex, c, DecisionLeafHash(SHA256, decisions[1]), ip.Hashes); err != nil {
		t.Errorf("VerifyInclusion of decision 2: %v", err)
	}
	status, _, body = get(t, srv.URL+"/log/proof/inclusion?index=12")
	if err := json.Unmarshal(body, &ip); err != nil || status != http.StatusOK {
		t.Fatalf("inclusion of leaf 12: status %d, %v: %s", status, err, body)
	}
	if ip.DecisionSeq != 3 || ip.EventID != "" {
		t.Errorf("inclusion of leaf 12: got decision %d event %q, want decision 3", ip.DecisionSeq, ip.EventID)
	}

	status, _, body = get(t, srv.URL+"/log/leaves?start=9&end=12")
	var lv LeavesJSON
	if err := json.Unmarshal(body, &lv); err != nil || status != http.StatusOK {
		t.Fatalf("leaves: status %d, %v: %s", status, err, body)
	}
	want := []LeafJSON{
		{Index: 9, Type: LeafTypeEvent, EventID: testEvent(9).EventID},
		{Index: 10, Type: LeafTypeDecision, DecisionSeq: 1},
		{Index: 11, Type: LeafTypeDecision, DecisionSeq: 2},
	}
	if len(lv.Leaves) != len(want) {
		t.Fatalf("leaves: got %d, want %d: %s", len(lv.Leaves), len(want), body)
	}
	for i, w := range want {
		got := lv.Leaves[i]
		if got.Index != w.Index || got.Type != w.Type || got.EventID != w.EventID || got.DecisionSeq != w.DecisionSeq {
			t.Errorf("leaf %d: got %+v, want %+v", i, got, w)
		}
	}

	for _, tc := range []struct {
		query  string
		status int
	}{
		{"decision=0", http.StatusBadRequest},
		{"decision=abc", http.StatusBadRequest},
		{"decision=9", http.StatusNotFound},
		{"decision=1&index=3", http.StatusBadRequest},
		{"decision=1&event=urn:uuid:1", http.StatusBadRequest},
	} {
		if status, _, body := get(t, srv.URL+"/log/proof/inclusion?"+tc.query); status != tc.status {
			t.Errorf("inclusion?%s: got status %d, want %d: %s", tc.query, status, tc.status, body)
		}
	}
}
