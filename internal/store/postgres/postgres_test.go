package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
)

func TestOpenSchemaTooNew(t *testing.T) {
	ctx := context.Background()
	s, dsn := openFresh(t)
	if _, err := s.pool.Exec(ctx, "INSERT INTO schema_version (version) VALUES ($1)", SchemaVersion()+1); err != nil {
		t.Fatalf("write newer schema version: %v", err)
	}
	s.Close()

	_, err := Open(ctx, dsn)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open on newer schema: got %v, want an error wrapping ErrSchemaTooNew", err)
	}
}

func TestOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	dsn := emptyDSN(t)

	// Servers starting together race to migrate; the advisory lock lets
	// one apply each migration and the others find it applied.
	const instances = 4
	stores := make([]*Store, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}

	var rows, version int
	err := stores[0].pool.QueryRow(ctx, "SELECT count(*), max(version) FROM schema_version").Scan(&rows, &version)
	if err != nil {
		t.Fatalf("read schema_version: %v", err)
	}
	if rows != SchemaVersion() {
		t.Errorf("schema_version rows: got %d, want %d", rows, SchemaVersion())
	}
	if version != SchemaVersion() {
		t.Errorf("schema version: got %d, want %d", version, SchemaVersion())
	}
}

func TestOpenBadDSN(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
	}{
		{"unparsable", "postgres://%zz"},
		{"refused", "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.dsn)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q): got nil error, want one", tt.dsn)
			}
		})
	}
}

func TestCaptureInvalidRecord(t *testing.T) {
	s, _ := openFresh(t)
	valid := fixtureRecord("valid", 0)
	noID := fixtureRecord("no-id", 1)
	noID.Event.EventID = ""
	noHash := fixtureRecord("no-hash", 2)
	noHash.Hash = ""
	noDoc := fixtureRecord("no-doc", 3)
	noDoc.Doc = nil
	noType := fixtureRecord("no-type", 4)
	noType.Event.Type = ""
	shortLeaf := fixtureRecord("short-leaf", 5)
	shortLeaf.LeafHash = shortLeaf.LeafHash[:31]
	noCanonical := fixtureRecord("no-canonical", 6)
	noCanonical.IDs[0].Canonical = ""
	farFuture := fixtureRecord("far-future", 7)
	farFuture.Event.EventTime = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		captureID string
		record    store.Record
	}{
		{"no event", "job", store.Record{Doc: []byte("{}"), Hash: "h"}},
		{"empty eventID", "job", noID},
		{"empty hash", "job", noHash},
		{"empty doc", "job", noDoc},
		{"empty type", "job", noType},
		{"short leaf hash", "job", shortLeaf},
		{"empty canonical id", "job", noCanonical},
		{"eventTime out of range", "job", farFuture},
		{"empty capture id", "", fixtureRecord("no-job", 8)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Capture(context.Background(), tt.captureID, []store.Record{valid, tt.record})
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("Capture: got %v, want an error wrapping ErrInvalid", err)
			}
			if _, err := s.Event(context.Background(), valid.Event.EventID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Event of valid record after rejected batch: got %v, want ErrNotFound", err)
			}
		})
	}
}

func TestCaptureDeclarationSameBatch(t *testing.T) {
	ctx := context.Background()
	s, _ := openFresh(t)
	orig := fixtureRecord("orig", 0)
	decl := fixtureDeclaration(orig, "urn:epcglobal:cbv:er:incorrect_data")
	other := fixtureDeclaration(orig, "urn:epcglobal:cbv:er:did_not_occur")

	res, err := s.Capture(ctx, "job-1", []store.Record{orig, decl, decl})
	if err != nil {
		t.Fatalf("Capture: %v", err)
	}
	want := []store.Outcome{store.Stored, store.Declared, store.Duplicate}
	for i := range want {
		if res.Outcomes[i] != want[i] {
			t.Errorf("outcome %d: got %v, want %v", i, res.Outcomes[i], want[i])
		}
	}
	ev, err := s.Event(ctx, orig.Event.EventID)
	if err != nil {
		t.Fatalf("Event: %v", err)
	}
	if !ev.Declared {
		t.Errorf("Declared: got false, want true")
	}
	if string(ev.Doc) != string(decl.Doc) {
		t.Errorf("Doc: got %s, want the declaration %s", ev.Doc, decl.Doc)
	}
	if size, err := s.LogSize(ctx); err != nil || size != 2 {
		t.Errorf("LogSize: got %d, %v, want 2 (event and declaration)", size, err)
	}

	_, err = s.Capture(ctx, "job-2", []store.Record{other})
	var conflict *store.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("Capture of second declaration: got %v, want *ConflictError", err)
	}
	if conflict.StoredJob != "job-1" || conflict.Index != 0 {
		t.Errorf("ConflictError: got job %q index %d, want job-1 index 0", conflict.StoredJob, conflict.Index)
	}
}

// TestTwoInstances runs two Store values on one database, as two servers
// behind a load balancer would.
func TestTwoInstances(t *testing.T) {
	ctx := context.Background()
	a, dsn := openFresh(t)
	b := openDSN(t, dsn)

	first := fixtureBatch("a", 0, 5)
	if _, err := a.Capture(ctx, "job-a", first); err != nil {
		t.Fatalf("Capture on a: %v", err)
	}
	t.Run("capture visible", func(t *testing.T) {
		ev, err := b.Event(ctx, first[2].Event.EventID)
		if err != nil {
			t.Fatalf("Event on b: %v", err)
		}
		if ev.CaptureID != "job-a" {
			t.Errorf("CaptureID on b: got %q, want job-a", ev.CaptureID)
		}
		res, err := b.Capture(ctx, "job-b", first[:1])
		if err != nil {
			t.Fatalf("Capture again on b: %v", err)
		}
		if res.Outcomes[0] != store.Duplicate {
			t.Errorf("outcome on b: got %v, want Duplicate", res.Outcomes[0])
		}
	})

	t.Run("job visible", func(t *testing.T) {
		job := store.Job{ID: "job-b", State: store.JobRunning, CreatedAt: fixtureBase, Source: "http"}
		if err := b.CreateJob(ctx, job); err != nil {
			t.Fatalf("CreateJob on b: %v", err)
		}
		job.State, job.FinishedAt, job.Accepted = store.JobSucceeded, fixtureBase.Add(1), 5
		if err := a.UpdateJob(ctx, job); err != nil {
			t.Fatalf("UpdateJob on a: %v", err)
		}
		got, err := b.Job(ctx, "job-b")
		if err != nil {
			t.Fatalf("Job on b: %v", err)
		}
		if got.State != store.JobSucceeded || got.Accepted != 5 {
			t.Errorf("Job on b: got state %s accepted %d, want SUCCESS 5", got.State, got.Accepted)
		}
	})

	t.Run("cursor continues", func(t *testing.T) {
		q := store.Query{PerPage: 2}
		page, err := a.QueryEvents(ctx, q)
		if err != nil {
			t.Fatalf("QueryEvents on a: %v", err)
		}
		seen := map[string]bool{}
		for _, e := range page.Events {
			seen[e.EventID] = true
		}
		// New events arrive through b between pages; they sort after
		// the cursor and so appear on later pages, never twice.
		more := fixtureBatch("b", 5, 3)
		if _, err := b.Capture(ctx, "job-b", more); err != nil {
			t.Fatalf("Capture on b: %v", err)
		}
		for page.Next != nil {
			q.After = page.Next
			if page, err = b.QueryEvents(ctx, q); err != nil {
				t.Fatalf("QueryEvents on b: %v", err)
			}
			for _, e := range page.Events {
				if seen[e.EventID] {
					t.Errorf("event %s returned twice", e.EventID)
				}
				seen[e.EventID] = true
			}
			a, b = b, a
		}
		if len(seen) != 8 {
			t.Errorf("events over all pages: got %d, want 8", len(seen))
		}
	})
}

// TestConcurrentCapture captures from several instances at once and checks
// that seq, record time and leaf index orders agree, without gaps.
func TestConcurrentCapture(t *testing.T) {
	ctx := context.Background()
	a, dsn := openFresh(t)
	stores := []*Store{a, openDSN(t, dsn), openDSN(t, dsn)}

	const writers, batches, perBatch = 6, 5, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	for w := range writers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for i := range batches {
				prefix := fmt.Sprintf("w%d-%d", w, i)
				if _, err := s.Capture(ctx, prefix, fixtureBatch(prefix, (w*batches+i)*perBatch, perBatch)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Capture: %v", err)
	}

	const check = `SELECT e.seq, e.record_time, l.idx FROM events e JOIN log_leaves l ON l.event_seq = e.seq ORDER BY e.seq`
	rows, err := a.pool.Query(ctx, check)
	if err != nil {
		t.Fatalf("read order: %v", err)
	}
	type order struct{ Seq, RecordTime, Idx int64 }
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[order])
	if err != nil {
		t.Fatalf("read order: %v", err)
	}
	if len(got) != writers*batches*perBatch {
		t.Fatalf("events: got %d, want %d", len(got), writers*batches*perBatch)
	}
	for i, o := range got {
		if o.Seq != int64(i+1) || o.Idx != int64(i) {
			t.Fatalf("row %d: got seq %d leaf %d, want seq %d leaf %d", i, o.Seq, o.Idx, i+1, i)
		}
		if i > 0 && o.RecordTime < got[i-1].RecordTime {
			t.Fatalf("seq %d: record time %d is before %d of seq %d", o.Seq, o.RecordTime, got[i-1].RecordTime, got[i-1].Seq)
		}
		if i%perBatch != 0 && o.RecordTime != got[i-1].RecordTime {
			t.Errorf("seq %d: record time %d differs from %d within one batch", o.Seq, o.RecordTime, got[i-1].RecordTime)
		}
	}
}

func TestWithParam(t *testing.T) {
	tests := []struct {
		name, dsn, want string
	}{
		{"url", "postgres://u@h:5432/test?sslmode=disable", "postgres://u@h:5432/test?search_path=s_1&sslmode=disable"},
		{"key value", "host=h dbname=test", "host=h dbname=test search_path=s_1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withParam(tt.dsn, "search_path", "s_1"); got != tt.want {
				t.Errorf("withParam(%q): got %q, want %q", tt.dsn, got, tt.want)
			}
		})
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct {
		name, dsn, want string
	}{
		{"url", "postgres://u@h:5432/test?sslmode=disable", "postgres://u@h:5432/x?sslmode=disable"},
		{"url without database", "postgresql://u@h", "postgresql://u@h/x"},
		{"key value", "host=h user=u dbname=test", "host=h user=u dbname=test dbname=x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withDatabase(tt.dsn, "x"); got != tt.want {
				t.Errorf("withDatabase(%q): got %q, want %q", tt.dsn, got, tt.want)
			}
		})
	}
}
