package auditlog

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/eventhash"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// testEvent returns the i-th test ObjectEvent.
func testEvent(i int) *epcis.Event {
	return &epcis.Event{
		Type:                epcis.ObjectEvent,
		EventID:             fmt.Sprintf("urn:uuid:6f1c2d3e-0000-4000-8000-%012d", i),
		EventTime:           time.Date(2026, 12, 1, 8, 0, i, 0, time.FixedZone("", 8*3600)),
		EventTimeZoneOffset: "+08:00",
		Action:              epcis.ActionObserve,
		EPCList:             []string{fmt.Sprintf("urn:epc:id:sgtin:6901234.012345.%d", 1000+i)},
		BizStep:             "urn:epcglobal:cbv:bizstep:shipping",
		Disposition:         "urn:epcglobal:cbv:disp:in_transit",
		ReadPoint:           &epcis.Location{ID: "urn:epc:id:sgln:6901234.00001.0"},
	}
}

// testRecord builds the store record of e as the capture service does:
// CBV 2.0 hash from eventhash, canonical JSON-LD, and the leaf hash.
func testRecord(t testing.TB, l *Log, e *epcis.Event) store.Record {
	t.Helper()
	hash, err := eventhash.Hash(e)
	if err != nil {
		t.Fatalf("eventhash.Hash: %v", err)
	}
	doc, err := epcis.MarshalEventJSON(e)
	if err != nil {
		t.Fatalf("MarshalEventJSON: %v", err)
	}
	return store.Record{Event: e, Doc: doc, Hash: hash, LeafHash: l.LeafHash(e.EventID, hash, doc)}
}

// captureTestEvents opens a SQLite store at path, captures n test events
// in two batches with audit-log leaves and integrates the log. It returns
// the store, the log and the captured events.
func captureTestEvents(t testing.TB, path string, n int) (*sqlite.Store, *Log, []*epcis.Event) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	l, events := captureInto(t, st, n)
	return st, l, events
}

// captureInto captures n test events into st in two batches, integrating
// the log after each, and returns the log and the events.
func captureInto(t testing.TB, st store.Store, n int) (*Log, []*epcis.Event) {
	t.Helper()
	ctx := context.Background()
	signer, err := EphemeralSigner(AlgEd25519)
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(st, SHA256, signer, "test.suyuan.invalid/log")
	if err != nil {
		t.Fatal(err)
	}

	var events []*epcis.Event
	for batch, start := range []int{0, n / 2} {
		end := n
		if batch == 0 {
			end = n / 2
		}
		job := fmt.Sprintf("job-%d", batch)
		if err := st.CreateJob(ctx, store.Job{ID: job, State: store.JobRunning, CreatedAt: time.Now(), Source: "test"}); err != nil {
			t.Fatalf("CreateJob: %v", err)
		}
		var recs []store.Record
		for i := start; i < end; i++ {
			e := testEvent(i)
			events = append(events, e)
			recs = append(recs, testRecord(t, l, e))
		}
		if _, err := st.Capture(ctx, job, recs); err != nil {
			t.Fatalf("Capture: %v", err)
		}
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatalf("Integrate: %v", err)
		}
	}
	return l, events
}

// tamper changes the stored document of changed and deletes the event row
// of deleted, directly in SQL as an intruder with file access would.
func tamper(t testing.TB, path, changed, deleted string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE events SET doc = replace(doc, 'in_transit', 'destroyed') WHERE event_id = ?`, changed)
	if err != nil {
		t.Fatalf("change event: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("change event %s: %d rows changed, want 1", changed, n)
	}
	if _, err := db.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM events WHERE event_id = ?`, deleted); err != nil {
		t.Fatalf("delete event %s: %v", deleted, err)
	}
	var left int
	if err := db.QueryRow(`SELECT count(*) FROM events WHERE event_id = ?`, deleted).Scan(&left); err != nil || left != 0 {
		t.Fatalf("delete event %s: %d rows left, %v", deleted, left, err)
	}
}

func TestAuditSQLiteCleanStore(t *testing.T) {
	ctx := context.Background()
	st, l, events := captureTestEvents(t, filepath.Join(t.TempDir(), "suyuan.db"), 40)
	rep, err := Audit(ctx, st, st, AuditOptions{Hasher: SHA256, LogKey: l.signer.Verifier(), Origin: l.Origin()})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if !rep.OK() {
		t.Errorf("Audit of an untouched store found %d problems: %+v", len(rep.Findings), rep.Findings)
	}
	if rep.Leaves != uint64(len(events)) || rep.Events != len(events) || rep.CheckpointSize != uint64(len(events)) || !rep.SignatureChecked {
		t.Errorf("Audit: got %d leaves, %d events, checkpoint %d (signature checked %v), want %d of each", rep.Leaves, rep.Events, rep.CheckpointSize, rep.SignatureChecked, len(events))
	}
}

func TestAuditSQLiteNamesTamperedEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "suyuan.db")
	st, l, events := captureTestEvents(t, path, 40)
	changed, deleted := events[7].EventID, events[31].EventID
	tamper(t, path, changed, deleted)

	rep, err := Audit(ctx, st, st, AuditOptions{Hasher: SHA256, LogKey: l.signer.Verifier(), Origin: l.Origin()})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	want := []Finding{
		{Kind: FindingContentChanged, EventID: changed, LeafIndex: 7},
		{Kind: FindingEventMissing, EventID: deleted, LeafIndex: 31},
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

func TestAuditSQLiteDetectsChangedLeaf(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "suyuan.db")
	st, l, _ := captureTestEvents(t, path, 10)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE log_leaves SET leaf_hash = zeroblob(32) WHERE idx = 3`); err != nil {
		t.Fatal(err)
	}
	rep, err := Audit(ctx, st, st, AuditOptions{LogKey: l.signer.Verifier()})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	kinds := map[FindingKind]int{}
	for _, f := range rep.Findings {
		kinds[f.Kind]++
	}
	if kinds[FindingRootMismatch] != 1 || kinds[FindingContentChanged] != 1 {
		t.Errorf("Audit: got findings %+v, want one root-mismatch and one content-changed", rep.Findings)
	}
}

func TestInclusionProofSQLite(t *testing.T) {
	ctx := context.Background()
	st, l, events := captureTestEvents(t, filepath.Join(t.TempDir(), "suyuan.db"), 300)
	c, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 149, 150, 299} {
		index, err := st.LeafIndex(ctx, events[i].EventID)
		if err != nil {
			t.Fatalf("LeafIndex: %v", err)
		}
		p, err := l.InclusionProof(ctx, index, c.Size)
		if err != nil {
			t.Fatalf("InclusionProof(%d): %v", index, err)
		}
		rec := testRecord(t, l, events[i])
		if err := VerifyInclusion(SHA256, index, c, rec.LeafHash, p); err != nil {
			t.Errorf("VerifyInclusion of event %d: %v", i, err)
		}
	}
}

// sqliteTilesStore keeps tiles and checkpoints in a real SQLite store but
// computes leaf hashes from their index, so a benchmark can build a large
// tree without capturing millions of events.
type sqliteTilesStore struct {
	*sqlite.Store
	size uint64
}

func (s *sqliteTilesStore) LogSize(context.Context) (uint64, error) { return s.size, nil }

func (s *sqliteTilesStore) LeafHashes(_ context.Context, start, end uint64) ([][]byte, error) {
	out := make([][]byte, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, syntheticLeaf(i))
	}
	return out, nil
}

// BenchmarkInclusionProofSQLite measures one inclusion proof with tiles
// read from SQLite, in a tree of 1,048,576 leaves. That tree has 20
// levels, so a proof reads one tile from each of the three tile levels, as
// in a tree of 10 million leaves. The tile cache is disabled.
func BenchmarkInclusionProofSQLite(b *testing.B) {
	ctx := context.Background()
	const size = 1 << 20
	start := time.Now()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatalf("sqlite.Open: %v", err)
	}
	defer st.Close()
	signer, err := EphemeralSigner(AlgEd25519)
	if err != nil {
		b.Fatal(err)
	}
	l, err := New(&sqliteTilesStore{Store: st, size: size}, SHA256, signer, "bench.suyuan.invalid/log")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := l.Integrate(ctx); err != nil {
		b.Fatalf("Integrate: %v", err)
	}
	l.cache = newTileCache(0)
	b.Logf("setup: integrated %d leaves into SQLite tiles in %v", size, time.Since(start).Round(time.Millisecond))

	var i uint64
	for b.Loop() {
		index := (i * 7_919_993) % size
		i++
		if _, err := l.InclusionProof(ctx, index, size); err != nil {
			b.Fatalf("InclusionProof(%d): %v", index, err)
		}
	}
}

func TestAuditSQLiteErrorDeclaration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "suyuan.db")
	st, l, events := captureTestEvents(t, path, 6)
	if err := st.CreateJob(ctx, store.Job{ID: "job-declare", State: store.JobRunning, CreatedAt: time.Now(), Source: "test"}); err != nil {
		t.Fatal(err)
	}
	declared := testEvent(2)
	declared.ErrorDeclaration = &epcis.ErrorDeclaration{
		DeclarationTime: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC),
		Reason:          "urn:epcglobal:cbv:er:incorrect_data",
	}
	out, err := st.Capture(ctx, "job-declare", []store.Record{testRecord(t, l, declared)})
	if err != nil {
		t.Fatalf("Capture declaration: %v", err)
	}
	if out.Outcomes[0] != store.Declared {
		t.Fatalf("declaration outcome: got %v, want Declared", out.Outcomes[0])
	}
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}

	rep, err := Audit(ctx, st, st, AuditOptions{LogKey: l.signer.Verifier()})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if !rep.OK() {
		t.Errorf("Audit after an error declaration found problems: %+v", rep.Findings)
	}
	if rep.Leaves != uint64(len(events)+1) || rep.Unverifiable != 1 {
		t.Errorf("Audit: got %d leaves and %d unverifiable, want %d and 1", rep.Leaves, rep.Unverifiable, len(events)+1)
	}
}
