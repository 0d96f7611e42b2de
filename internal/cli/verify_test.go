package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/eventhash"
	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// captureLogEvents stores events [from, to) in the SQLite database at
// path, with audit-log leaves under hasher h, as the capture service would.
func captureLogEvents(t *testing.T, h *auditlog.Hasher, path string, from, to int) []string {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	defer st.Close()
	job := fmt.Sprintf("job-%d", from)
	if err := st.CreateJob(ctx, store.Job{ID: job, State: store.JobRunning, CreatedAt: time.Now(), Source: "test"}); err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	var ids []string
	var recs []store.Record
	for i := from; i < to; i++ {
		e := &epcis.Event{
			Type:                epcis.ObjectEvent,
			EventID:             fmt.Sprintf("urn:uuid:0c1d2e3f-0000-4000-8000-%012d", i),
			EventTime:           time.Date(2026, 12, 2, 9, 0, i, 0, time.FixedZone("", 8*3600)),
			EventTimeZoneOffset: "+08:00",
			Action:              epcis.ActionObserve,
			EPCList:             []string{fmt.Sprintf("urn:epc:id:sgtin:6901234.012345.%d", 2000+i)},
			BizStep:             "urn:epcglobal:cbv:bizstep:receiving",
			Disposition:         "urn:epcglobal:cbv:disp:in_progress",
		}
		hash, err := eventhash.Hash(e)
		if err != nil {
			t.Fatalf("eventhash.Hash: %v", err)
		}
		doc, err := epcis.MarshalEventJSON(e)
		if err != nil {
			t.Fatalf("MarshalEventJSON: %v", err)
		}
		recs = append(recs, store.Record{Event: e, Doc: doc, Hash: hash, LeafHash: auditlog.LeafHash(h, e.EventID, hash, doc)})
		ids = append(ids, e.EventID)
	}
	if _, err := st.Capture(ctx, job, recs); err != nil {
		t.Fatalf("Capture: %v", err)
	}
	return ids
}

// appendLogDecisions appends n party.update decisions to the SQLite
// database at path, with audit-log leaves under hasher h, as the party
// service would.
func appendLogDecisions(t *testing.T, h *auditlog.Hasher, path string, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	defer st.Close()
	for i := 1; i <= n; i++ {
		d := store.Decision{
			Kind: "party.update", Subject: fmt.Sprintf("P%d", i), Actor: "admin", ActorPartyID: "operator",
			Time: time.Date(2026, 12, 2, 10, 0, i, 0, time.UTC),
			Body: json.RawMessage(fmt.Sprintf(`{"id":"P%d","note":"<b>改</b> & more"}`, i)),
		}
		d.LeafHash = h.DecisionLeafHash(d)
		if _, err := st.AppendDecision(ctx, d); err != nil {
			t.Fatalf("AppendDecision: %v", err)
		}
	}
}

// expectRun runs the command line and fails the test unless it exits
// with code.
func expectRun(t *testing.T, code int, args ...string) string {
	t.Helper()
	got, stdout, stderr := runMain(t, "", args...)
	if got != code {
		t.Fatalf("suyuan %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, code, stdout, stderr)
	}
	return stdout + stderr
}

func TestVerifyAllNamesTamperedEvents(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "suyuan.db"), filepath.Join(dir, "log.key")
	ids := captureLogEvents(t, auditlog.SHA256, db, 0, 30)
	appendLogDecisions(t, auditlog.SHA256, db, 3)
	expectRun(t, ExitOK, "log", "keygen", "--alg", "ed25519", "--name", "log.test.invalid", "--out", key)
	expectRun(t, ExitOK, "log", "integrate", "--db", db, "--log-key", key, "--origin", "test.suyuan.invalid/log")

	out := expectRun(t, ExitOK, "verify", "--all", "--db", db, "--vkey", key+".pub")
	for _, want := range []string{"OK: every stored event and decision matches the log", "signature verified", "决定 decisions: 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify --all on an untouched store lacks %q:\n%s", want, out)
		}
	}

	changed, deleted := ids[4], ids[21]
	sqlDB, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	for _, stmt := range []struct {
		query string
		arg   string
	}{
		{`UPDATE events SET doc = replace(doc, 'in_progress', 'recalled') WHERE event_id = ?`, changed},
		{`UPDATE decisions SET body = replace(body, '改', '未改') WHERE seq = ?`, "2"},
		{`PRAGMA foreign_keys = OFF`, ""},
		{`DELETE FROM events WHERE event_id = ?`, deleted},
	} {
		args := []any{}
		if stmt.arg != "" {
			args = append(args, stmt.arg)
		}
		if _, err := sqlDB.Exec(stmt.query, args...); err != nil {
			t.Fatalf("%s: %v", stmt.query, err)
		}
	}

	out = expectRun(t, ExitFailure, "verify", "--all", "--db", db, "--vkey", key+".pub")
	if !strings.Contains(out, "FAILED: 3 problems") {
		t.Errorf("verify --all: want exactly 3 problems:\n%s", out)
	}
	for _, want := range []string{
		"content changed  叶子 leaf 4  事件 event " + changed,
		"event missing  叶子 leaf 21  事件 event " + deleted,
		"decision changed  叶子 leaf 31  决定 decision 2 (party.update P2)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify --all output lacks %q:\n%s", want, out)
		}
	}
	for i, id := range ids {
		if i != 4 && i != 21 && strings.Contains(out, id) {
			t.Errorf("verify --all names untouched event %s:\n%s", id, out)
		}
	}
	for _, seq := range []string{"decision 1 ", "decision 3 "} {
		if strings.Contains(out, seq) {
			t.Errorf("verify --all names untouched %s:\n%s", seq, out)
		}
	}
}

func TestVerifyDecisionOffline(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "suyuan.db"), filepath.Join(dir, "log.key")
	captureLogEvents(t, auditlog.SM3, db, 0, 5)
	appendLogDecisions(t, auditlog.SM3, db, 3)
	expectRun(t, ExitOK, "log", "keygen", "--alg", "sm2", "--name", "log.test.invalid", "--out", key)
	expectRun(t, ExitOK, "log", "integrate", "--db", db, "--log-key", key, "--origin", "test.suyuan.invalid/log")

	proof := filepath.Join(dir, "proof.json")
	expectRun(t, ExitOK, "log", "proof", "--db", db, "--hash", "sm3", "--decision", "2", "--out", proof)
	out := expectRun(t, ExitOK, "verify", "--decision", "2", "--proof", proof, "--vkey", key+".pub")
	if !strings.Contains(out, "OK: decision 2 is leaf 6 of the tree of size 8") {
		t.Errorf("verify --decision:\n%s", out)
	}
	out = expectRun(t, ExitOK, "verify", "--decision", "2", "--proof", proof, "--vkey", key+".pub", "--db", db)
	if !strings.Contains(out, "recomputed from the store") {
		t.Errorf("verify --decision --db did not recompute the leaf:\n%s", out)
	}
	expectRun(t, ExitFailure, "verify", "--decision", "3", "--proof", proof, "--vkey", key+".pub")

	listed := expectRun(t, ExitOK, "log", "decisions", "--db", db, "--kind", "party.", "--json")
	lines := strings.Split(strings.TrimSpace(listed), "\n")
	if len(lines) != 3 {
		t.Fatalf("log decisions --json: got %d lines, want 3:\n%s", len(lines), listed)
	}
	doc := filepath.Join(dir, "decision.json")
	if err := os.WriteFile(doc, []byte(lines[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	out = expectRun(t, ExitOK, "verify", "--decision", "2", "--proof", proof, "--vkey", key+".pub", "--doc", doc)
	if !strings.Contains(out, "recomputed from "+doc) {
		t.Errorf("verify --decision --doc did not recompute the leaf:\n%s", out)
	}
	if err := os.WriteFile(doc, []byte(strings.Replace(lines[1], `"P2"`, `"P9"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	expectRun(t, ExitFailure, "verify", "--decision", "2", "--proof", proof, "--vkey", key+".pub", "--doc", doc)

	table := expectRun(t, ExitOK, "log", "decisions", "--db", db, "--subject", "P3")
	if !strings.Contains(table, "party.update") || !strings.Contains(table, "P3") || strings.Contains(table, "P2") {
		t.Errorf("log decisions --subject P3:\n%s", table)
	}
	expectRun(t, ExitUsage, "log", "decisions", "--db", db, "--limit", "0")
	expectRun(t, ExitUsage, "log", "proof", "--db", db, "--hash", "sm3", "--decision", "1", "--event", "x")
}

func TestVerifyEventAndConsistencyOffline(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "suyuan.db"), filepath.Join(dir, "log.key")
	ids := captureLogEvents(t, auditlog.SM3, db, 0, 12)
	expectRun(t, ExitOK, "log", "keygen", "--alg", "sm2", "--name", "log.test.invalid", "--out", key)
	cp1 := filepath.Join(dir, "cp1")
	if err := os.WriteFile(cp1, []byte(expectRun(t, ExitOK, "log", "integrate", "--db", db, "--log-key", key, "--origin", "test.suyuan.invalid/log")), 0o644); err != nil {
		t.Fatal(err)
	}
	captureLogEvents(t, auditlog.SM3, db, 12, 40)
	expectRun(t, ExitOK, "log", "integrate", "--db", db, "--log-key", key)
	cp2 := filepath.Join(dir, "cp2")
	if err := os.WriteFile(cp2, []byte(expectRun(t, ExitOK, "log", "checkpoint", "--db", db)), 0o644); err != nil {
		t.Fatal(err)
	}

	proof := filepath.Join(dir, "proof.json")
	expectRun(t, ExitOK, "log", "proof", "--db", db, "--hash", "sm3", "--event", ids[5], "--out", proof)
	out := expectRun(t, ExitOK, "verify", "--event", ids[5], "--proof", proof, "--vkey", key+".pub")
	if !strings.Contains(out, "OK: event "+ids[5]+" is leaf 5 of the tree of size 40") {
		t.Errorf("verify --event:\n%s", out)
	}
	out = expectRun(t, ExitOK, "verify", "--event", ids[5], "--proof", proof, "--vkey", key+".pub", "--db", db)
	if !strings.Contains(out, "recomputed from the store") {
		t.Errorf("verify --event --db did not recompute the leaf:\n%s", out)
	}
	expectRun(t, ExitFailure, "verify", "--event", ids[5], "--proof", proof, "--vkey", key+".pub", "--checkpoint", cp1)
	expectRun(t, ExitFailure, "verify", "--event", ids[6], "--proof", proof, "--vkey", key+".pub")

	cons := filepath.Join(dir, "cons.json")
	expectRun(t, ExitOK, "log", "consistency", "--db", db, "--hash", "sm3", "--from", "12", "--out", cons)
	out = expectRun(t, ExitOK, "verify", "--consistency", "--proof", cons, "--vkey", key+".pub", cp1, cp2)
	if !strings.Contains(out, "OK: the tree of size 12") {
		t.Errorf("verify --consistency:\n%s", out)
	}
	expectRun(t, ExitOK, "verify", "--consistency", "--db", db, "--vkey", key+".pub", cp1, cp2)
	expectRun(t, ExitFailure, "verify", "--consistency", "--proof", cons, "--vkey", key+".pub", cp2, cp1)

	wkey, state := filepath.Join(dir, "witness.key"), filepath.Join(dir, "witness.json")
	expectRun(t, ExitOK, "log", "keygen", "--alg", "ed25519", "--name", "witness.test.invalid", "--out", wkey)
	common := []string{"--log-vkey", key + ".pub", "--origin", "test.suyuan.invalid/log", "--key", wkey, "--state", state, "--hash", "sm3"}
	expectRun(t, ExitOK, append([]string{"log", "cosign", "--checkpoint", cp1}, common...)...)
	expectRun(t, ExitFailure, append([]string{"log", "cosign", "--checkpoint", cp2}, common...)...)
	cosigned := filepath.Join(dir, "cp2.cosigned")
	expectRun(t, ExitOK, append([]string{"log", "cosign", "--checkpoint", cp2, "--proof", cons, "--out", cosigned}, common...)...)
	expectRun(t, ExitOK, "log", "verify-cosigned", "--checkpoint", cosigned, "--log-vkey", key+".pub", "--witness-vkey", wkey+".cosign.pub")
	expectRun(t, ExitFailure, "log", "verify-cosigned", "--checkpoint", cp2, "--log-vkey", key+".pub", "--witness-vkey", wkey+".cosign.pub")
}

func TestVerifyRejectsBadUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no mode", []string{"verify"}},
		{"two modes", []string{"verify", "--all", "--event", "x"}},
		{"event without proof", []string{"verify", "--event", "x"}},
		{"decision and event", []string{"verify", "--decision", "1", "--event", "x"}},
		{"decision without proof", []string{"verify", "--decision", "1"}},
		{"negative decision", []string{"verify", "--decision", "-1", "--proof", "p.json"}},
		{"consistency with one file", []string{"verify", "--consistency", "a"}},
		{"unknown hash", []string{"verify", "--all", "--hash", "md5"}},
		{"log without action", []string{"log"}},
		{"log unknown action", []string{"log", "rotate"}},
		{"keygen without name", []string{"log", "keygen", "--out", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runMain(t, "", tt.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, ExitUsage, stderr)
			}
		})
	}
}

func TestLogKeygenRefusesOverwrite(t *testing.T) {
	key := filepath.Join(t.TempDir(), "log.key")
	expectRun(t, ExitOK, "log", "keygen", "--name", "a.invalid", "--out", key)
	before, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	out := expectRun(t, ExitFailure, "log", "keygen", "--name", "a.invalid", "--out", key)
	if !strings.Contains(out, "--force") {
		t.Errorf("keygen over an existing key does not mention --force:\n%s", out)
	}
	after, _ := os.ReadFile(key)
	if string(before) != string(after) {
		t.Errorf("keygen changed the existing key file")
	}
	if info, err := os.Stat(key); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: got %v, %v; want 0600", info.Mode().Perm(), err)
	}
}

func TestVerifyAllMissingDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.db")
	out := expectRun(t, ExitFailure, "verify", "--all", "--db", path)
	if !strings.Contains(out, path) {
		t.Errorf("verify --all on a missing database does not name it:\n%s", out)
	}
	if _, err := os.Stat(path); err == nil {
		t.Errorf("verify --all created %s", path)
	}
}

func TestLogWitnessServeAndSubmit(t *testing.T) {
	dir := t.TempDir()
	db, key, wkey := filepath.Join(dir, "suyuan.db"), filepath.Join(dir, "log.key"), filepath.Join(dir, "witness.key")
	captureLogEvents(t, auditlog.SHA256, db, 0, 9)
	expectRun(t, ExitOK, "log", "keygen", "--name", "log.test.invalid", "--out", key)
	expectRun(t, ExitOK, "log", "keygen", "--name", "witness.test.invalid", "--out", wkey)
	expectRun(t, ExitOK, "log", "integrate", "--db", db, "--log-key", key, "--origin", "test.suyuan.invalid/log")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var serverOut strings.Builder
	go func() {
		done <- Main(ctx, []string{"log", "serve-witness", "--listen", addr, "--log-vkey", key + ".pub",
			"--origin", "test.suyuan.invalid/log", "--key", wkey, "--state", filepath.Join(dir, "state.json")},
			strings.NewReader(""), &serverOut, &serverOut)
	}()
	defer func() {
		cancel()
		if code := <-done; code != ExitOK {
			t.Errorf("serve-witness: exit %d:\n%s", code, serverOut.String())
		}
	}()
	for deadline := time.Now().Add(5 * time.Second); ; {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("witness server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}

	url := "http://" + addr + "/add-checkpoint"
	expectRun(t, ExitOK, "log", "witness", "--db", db, "--log-key", key, "--witness-url", url)
	captureLogEvents(t, auditlog.SHA256, db, 9, 20)
	expectRun(t, ExitOK, "log", "integrate", "--db", db, "--log-key", key)
	out := expectRun(t, ExitOK, "log", "witness", "--db", db, "--log-key", key, "--witness-url", url)
	if got := strings.Count(out, "\n— "); got != 2 {
		t.Errorf("cosigned checkpoint has %d signature lines, want 2:\n%s", got, out)
	}
	cp := filepath.Join(dir, "cp")
	if err := os.WriteFile(cp, []byte(expectRun(t, ExitOK, "log", "checkpoint", "--db", db)), 0o644); err != nil {
		t.Fatal(err)
	}
	expectRun(t, ExitOK, "log", "verify-cosigned", "--checkpoint", cp, "--log-vkey", key+".pub", "--witness-vkey", wkey+".cosign.pub")
	expectRun(t, ExitOK, "verify", "--all", "--db", db, "--vkey", key+".pub")
}
