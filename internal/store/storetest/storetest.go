package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Open returns a new, empty store for one test. Run closes every store it
// opens, in a t.Cleanup registered after open returns, so that cleanups
// open registered (such as dropping a database) run after Close.
type Open func(t *testing.T) store.Store

// Run runs the complete behavioural suite against the backend that open
// creates, one subtest per behaviour, each on a fresh store.
func Run(t *testing.T, open Open) {
	fresh := func(t *testing.T) store.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	groups := []struct {
		name string
		run  func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"Capture", testCapture},
		{"CaptureStream", testCaptureStream},
		{"RecordTime", testRecordTime},
		{"Query", testQuery},
		{"Order", testOrder},
		{"Paging", testPaging},
		{"EventCountLimit", testEventCountLimit},
		{"MaxEventCount", testMaxEventCount},
		{"CorrectiveEventIDs", testCorrectiveEventIDs},
		{"Distinct", testDistinct},
		{"Jobs", testJobs},
		{"Log", testLog},
		{"Scan", testScan},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, fresh) })
	}
}

// capture calls s.Capture and fails the test on error.
func capture(t *testing.T, s store.Store, captureID string, records ...store.Record) store.CaptureResult {
	t.Helper()
	res, err := s.Capture(context.Background(), captureID, records)
	if err != nil {
		t.Fatalf("Capture(%s, %d records): %v", captureID, len(records), err)
	}
	if len(res.Outcomes) != len(records) {
		t.Fatalf("Capture(%s): got %d outcomes, want %d", captureID, len(res.Outcomes), len(records))
	}
	return res
}

func checkOutcomes(t *testing.T, res store.CaptureResult, want ...store.Outcome) {
	t.Helper()
	if len(res.Outcomes) != len(want) {
		t.Fatalf("outcomes: got %v, want %v", res.Outcomes, want)
	}
	for i := range want {
		if res.Outcomes[i] != want[i] {
			t.Errorf("outcome %d: got %v, want %v", i, res.Outcomes[i], want[i])
		}
	}
}

// countEvents returns the number of stored events, through QueryEvents.
func countEvents(t *testing.T, s store.Store) int {
	t.Helper()
	n := 0
	q := store.Query{PerPage: 500}
	for {
		p, err := s.QueryEvents(context.Background(), q)
		if err != nil {
			t.Fatalf("QueryEvents: %v", err)
		}
		n += len(p.Events)
		if p.Next == nil {
			return n
		}
		q.After = p.Next
	}
}

func logSize(t *testing.T, s store.Store) uint64 {
	t.Helper()
	n, err := s.LogSize(context.Background())
	if err != nil {
		t.Fatalf("LogSize: %v", err)
	}
	return n
}

func mustEvent(t *testing.T, s store.Store, id string) store.StoredEvent {
	t.Helper()
	ev, err := s.Event(context.Background(), id)
	if err != nil {
		t.Fatalf("Event(%s): %v", id, err)
	}
	return ev
}

func testCapture(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()

	t.Run("stored", func(t *testing.T) {
		s := open(t)
		recs := []store.Record{
			record(objectEvent(0, epcis.ActionAdd, sgtin1)),
			record(objectEvent(1, epcis.ActionObserve, sgtin2)),
			record(objectEvent(2, epcis.ActionObserve, sgtin3)),
		}
		res := capture(t, s, "job-1", recs...)
		checkOutcomes(t, res, store.Stored, store.Stored, store.Stored)
		if res.RecordTime.IsZero() {
			t.Errorf("RecordTime: got zero time")
		}
		var lastSeq int64
		for i, r := range recs {
			ev := mustEvent(t, s, r.Event.EventID)
			if ev.EventID != r.Event.EventID {
				t.Errorf("event %d EventID: got %q, want %q", i, ev.EventID, r.Event.EventID)
			}
			if ev.Hash != r.Hash {
				t.Errorf("event %d Hash: got %q, want %q", i, ev.Hash, r.Hash)
			}
			if string(ev.Doc) != string(r.Doc) {
				t.Errorf("event %d Doc: got %s, want %s", i, ev.Doc, r.Doc)
			}
			if ev.CaptureID != "job-1" {
				t.Errorf("event %d CaptureID: got %q, want %q", i, ev.CaptureID, "job-1")
			}
			if ev.Declared {
				t.Errorf("event %d Declared: got true, want false", i)
			}
			if !ev.RecordTime.Equal(res.RecordTime) {
				t.Errorf("event %d RecordTime: got %v, want %v", i, ev.RecordTime, res.RecordTime)
			}
			if ev.Seq <= lastSeq {
				t.Errorf("event %d Seq: got %d, want more than %d", i, ev.Seq, lastSeq)
			}
			lastSeq = ev.Seq
		}
		if got := logSize(t, s); got != 3 {
			t.Errorf("LogSize: got %d, want 3", got)
		}
	})

	t.Run("duplicate by eventID", func(t *testing.T) {
		s := open(t)
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		capture(t, s, "job-1", r)
		res := capture(t, s, "job-2", r)
		checkOutcomes(t, res, store.Duplicate)
		if got := mustEvent(t, s, r.Event.EventID).CaptureID; got != "job-1" {
			t.Errorf("CaptureID after duplicate: got %q, want %q", got, "job-1")
		}
		if got := countEvents(t, s); got != 1 {
			t.Errorf("event count: got %d, want 1", got)
		}
		if got := logSize(t, s); got != 1 {
			t.Errorf("LogSize: got %d, want 1", got)
		}
	})

	t.Run("duplicate by hash", func(t *testing.T) {
		s := open(t)
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		capture(t, s, "job-1", r)
		again := r
		e := *r.Event
		e.EventID = "urn:uuid:5f1b8f7e-8c1a-4b7e-9a65-0d2f7c1e9b10"
		again.Event = &e
		res := capture(t, s, "job-2", again)
		checkOutcomes(t, res, store.Duplicate)
		if _, err := s.Event(ctx, e.EventID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Event(new eventID) after duplicate by hash: got %v, want ErrNotFound", err)
		}
	})

	t.Run("duplicate within batch", func(t *testing.T) {
		s := open(t)
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		other := record(objectEvent(1, epcis.ActionAdd, sgtin2))
		res := capture(t, s, "job-1", r, other, r)
		checkOutcomes(t, res, store.Stored, store.Stored, store.Duplicate)
		if got := countEvents(t, s); got != 2 {
			t.Errorf("event count: got %d, want 2", got)
		}
		if got := logSize(t, s); got != 2 {
			t.Errorf("LogSize: got %d, want 2", got)
		}
	})

	t.Run("declared", func(t *testing.T) {
		s := open(t)
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		capture(t, s, "job-1", r)
		before := mustEvent(t, s, r.Event.EventID)

		d := declaration(r, erIncorrect, base.Add(time.Hour))
		res := capture(t, s, "job-2", d)
		checkOutcomes(t, res, store.Declared)

		ev := mustEvent(t, s, r.Event.EventID)
		if !ev.Declared {
			t.Errorf("Declared: got false, want true")
		}
		if string(ev.Doc) != string(d.Doc) {
			t.Errorf("Doc after declaration: got %s, want the declaration %s", ev.Doc, d.Doc)
		}
		if ev.Hash != r.Hash {
			t.Errorf("Hash after declaration: got %q, want original %q", ev.Hash, r.Hash)
		}
		if ev.Seq != before.Seq {
			t.Errorf("Seq after declaration: got %d, want %d", ev.Seq, before.Seq)
		}
		if ev.CaptureID != "job-1" {
			t.Errorf("CaptureID after declaration: got %q, want %q", ev.CaptureID, "job-1")
		}
		if got := logSize(t, s); got != 2 {
			t.Errorf("LogSize after declaration: got %d, want 2", got)
		}
		hashes, err := s.LeafHashes(ctx, 0, 2)
		if err != nil {
			t.Fatalf("LeafHashes: %v", err)
		}
		if string(hashes[1]) != string(d.LeafHash) {
			t.Errorf("leaf 1: got %x, want the declaration's leaf hash %x", hashes[1], d.LeafHash)
		}
		for i := uint64(0); i < 2; i++ {
			id, err := s.LeafEvent(ctx, i)
			if err != nil {
				t.Fatalf("LeafEvent(%d): %v", i, err)
			}
			if id != r.Event.EventID {
				t.Errorf("LeafEvent(%d): got %q, want %q", i, id, r.Event.EventID)
			}
		}
		if idx, err := s.LeafIndex(ctx, r.Event.EventID); err != nil || idx != 0 {
			t.Errorf("LeafIndex: got %d, %v, want 0 (the capture's own leaf)", idx, err)
		}

		page, err := s.QueryEvents(ctx, store.Query{ExistsErrorDeclaration: true})
		if err != nil {
			t.Fatalf("QueryEvents(ExistsErrorDeclaration): %v", err)
		}
		if len(page.Events) != 1 {
			t.Errorf("QueryEvents(ExistsErrorDeclaration): got %d events, want 1", len(page.Events))
		}

		// Sending the declaration again, or the original again, changes
		// nothing.
		res = capture(t, s, "job-3", d, r)
		checkOutcomes(t, res, store.Duplicate, store.Duplicate)
		if got := logSize(t, s); got != 2 {
			t.Errorf("LogSize after repeated declaration: got %d, want 2", got)
		}

		// Another declaration for the same event conflicts.
		d2 := declaration(r, erDidNotOccur, base.Add(2*time.Hour))
		_, err = s.Capture(ctx, "job-4", []store.Record{d2})
		var ce *store.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("Capture(second declaration): got %v, want *ConflictError", err)
		}
		if ce.StoredJob != "job-1" {
			t.Errorf("ConflictError.StoredJob: got %q, want %q", ce.StoredJob, "job-1")
		}
		if got := string(mustEvent(t, s, r.Event.EventID).Doc); got != string(d.Doc) {
			t.Errorf("Doc after rejected second declaration: got %s, want first declaration", got)
		}
	})

	t.Run("declared with the original hash", func(t *testing.T) {
		// The CBV 2.0 hash may leave errorDeclaration out, so a
		// declaration can carry the hash of the event it declares.
		s := open(t)
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		capture(t, s, "job-1", r)
		d := declaration(r, erIncorrect, base.Add(time.Hour))
		d.Hash = r.Hash
		res := capture(t, s, "job-2", d)
		checkOutcomes(t, res, store.Declared)
		if ev := mustEvent(t, s, r.Event.EventID); !ev.Declared || string(ev.Doc) != string(d.Doc) {
			t.Errorf("event after declaration: Declared %v, Doc %s; want true and the declaration", ev.Declared, ev.Doc)
		}
		res = capture(t, s, "job-3", d, r)
		checkOutcomes(t, res, store.Duplicate, store.Duplicate)
		if got := logSize(t, s); got != 2 {
			t.Errorf("LogSize: got %d, want 2", got)
		}
	})

	t.Run("declared within batch", func(t *testing.T) {
		s := open(t)
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		d := declaration(r, erIncorrect, base.Add(time.Hour))
		res := capture(t, s, "job-1", r, d)
		checkOutcomes(t, res, store.Stored, store.Declared)
		if ev := mustEvent(t, s, r.Event.EventID); !ev.Declared || string(ev.Doc) != string(d.Doc) {
			t.Errorf("event after batch with declaration: Declared %v, Doc %s; want true and the declaration", ev.Declared, ev.Doc)
		}
		if got := logSize(t, s); got != 2 {
			t.Errorf("LogSize: got %d, want 2", got)
		}
	})

	t.Run("new event carrying declaration", func(t *testing.T) {
		s := open(t)
		e := objectEvent(0, epcis.ActionAdd, sgtin1)
		e.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: base.Add(time.Hour), Reason: erIncorrect}
		r := record(e)
		res := capture(t, s, "job-1", r)
		checkOutcomes(t, res, store.Stored)
		ev := mustEvent(t, s, r.Event.EventID)
		if !ev.Declared {
			t.Errorf("Declared: got false, want true")
		}
		page, err := s.QueryEvents(ctx, store.Query{ErrorReasons: []string{erIncorrect}})
		if err != nil {
			t.Fatalf("QueryEvents(ErrorReasons): %v", err)
		}
		if len(page.Events) != 1 {
			t.Errorf("QueryEvents(ErrorReasons): got %d events, want 1", len(page.Events))
		}
	})

	t.Run("conflict leaves store unchanged", func(t *testing.T) {
		s := open(t)
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		capture(t, s, "job-1", r)
		jobRecordTime := mustEvent(t, s, r.Event.EventID).RecordTime

		changed := objectEvent(5, epcis.ActionAdd, sgtin2)
		changed.EventID = r.Event.EventID
		first := record(objectEvent(1, epcis.ActionObserve, sgtin3))
		last := record(objectEvent(2, epcis.ActionObserve, sscc1))
		_, err := s.Capture(ctx, "job-2", []store.Record{first, record(changed), last})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("Capture(conflicting batch): got %v, want ErrConflict", err)
		}
		var ce *store.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("Capture(conflicting batch): got %T, want *ConflictError", err)
		}
		if ce.Index != 1 {
			t.Errorf("ConflictError.Index: got %d, want 1", ce.Index)
		}
		if ce.EventID != r.Event.EventID {
			t.Errorf("ConflictError.EventID: got %q, want %q", ce.EventID, r.Event.EventID)
		}
		if ce.StoredJob != "job-1" {
			t.Errorf("ConflictError.StoredJob: got %q, want %q", ce.StoredJob, "job-1")
		}
		if _, err := s.Event(ctx, first.Event.EventID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Event(record before the conflict): got %v, want ErrNotFound", err)
		}
		if got := countEvents(t, s); got != 1 {
			t.Errorf("event count: got %d, want 1", got)
		}
		if got := logSize(t, s); got != 1 {
			t.Errorf("LogSize: got %d, want 1", got)
		}
		if got := mustEvent(t, s, r.Event.EventID).RecordTime; !got.Equal(jobRecordTime) {
			t.Errorf("RecordTime of stored event: got %v, want %v", got, jobRecordTime)
		}
	})

	t.Run("conflict within batch", func(t *testing.T) {
		s := open(t)
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		changed := objectEvent(5, epcis.ActionAdd, sgtin2)
		changed.EventID = r.Event.EventID
		_, err := s.Capture(ctx, "job-1", []store.Record{r, record(changed)})
		var ce *store.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("Capture(batch reusing its own eventID): got %v, want *ConflictError", err)
		}
		if ce.Index != 1 {
			t.Errorf("ConflictError.Index: got %d, want 1", ce.Index)
		}
		if _, err := s.Event(ctx, r.Event.EventID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Event after conflicting batch: got %v, want ErrNotFound", err)
		}
		if got := logSize(t, s); got != 0 {
			t.Errorf("LogSize: got %d, want 0", got)
		}
	})

	t.Run("invalid record fails whole batch", func(t *testing.T) {
		s := open(t)
		good := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		noHash := record(objectEvent(1, epcis.ActionAdd, sgtin2))
		noHash.Hash = ""
		noEvent := record(objectEvent(2, epcis.ActionAdd, sgtin3))
		noEvent.Event = nil
		noDoc := record(objectEvent(3, epcis.ActionAdd, sscc1))
		noDoc.Doc = nil
		for _, bad := range []store.Record{noHash, noEvent, noDoc} {
			_, err := s.Capture(ctx, "job-1", []store.Record{good, bad})
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Capture(batch with invalid record): got %v, want ErrInvalid", err)
			}
		}
		if _, err := s.Event(ctx, good.Event.EventID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Event(valid record of failed batch): got %v, want ErrNotFound", err)
		}
		if got := logSize(t, s); got != 0 {
			t.Errorf("LogSize: got %d, want 0", got)
		}
	})

	t.Run("cancelled context stores nothing", func(t *testing.T) {
		s := open(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		if _, err := s.Capture(cctx, "job-1", []store.Record{r}); err == nil {
			t.Errorf("Capture(cancelled context): got nil error")
		}
		if _, err := s.Event(ctx, r.Event.EventID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Event after cancelled capture: got %v, want ErrNotFound", err)
		}
	})

	t.Run("empty batch", func(t *testing.T) {
		s := open(t)
		res := capture(t, s, "job-1")
		checkOutcomes(t, res)
	})

	t.Run("record without leaf hash", func(t *testing.T) {
		s := open(t)
		r := record(objectEvent(0, epcis.ActionAdd, sgtin1))
		r.LeafHash = nil
		withLeaf := record(objectEvent(1, epcis.ActionAdd, sgtin2))
		capture(t, s, "job-1", r, withLeaf)
		if got := logSize(t, s); got != 1 {
			t.Errorf("LogSize: got %d, want 1", got)
		}
		if _, err := s.LeafIndex(ctx, r.Event.EventID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LeafIndex(event without leaf): got %v, want ErrNotFound", err)
		}
		if idx, err := s.LeafIndex(ctx, withLeaf.Event.EventID); err != nil || idx != 0 {
			t.Errorf("LeafIndex(event with leaf): got %d, %v, want 0", idx, err)
		}
	})

	t.Run("unknown event", func(t *testing.T) {
		s := open(t)
		if _, err := s.Event(ctx, "urn:uuid:00000000-0000-4000-8000-000000000000"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Event(unknown): got %v, want ErrNotFound", err)
		}
	})
}

func testRecordTime(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("strictly increasing", func(t *testing.T) {
		s := open(t)
		var last time.Time
		for i := range 50 {
			res := capture(t, s, "job", record(objectEvent(i, epcis.ActionObserve, sgtin1)))
			if !res.RecordTime.After(last) {
				t.Fatalf("capture %d RecordTime: got %v, want after %v", i, res.RecordTime, last)
			}
			last = res.RecordTime
		}
	})

	t.Run("distinct under concurrent capture", func(t *testing.T) {
		s := open(t)
		const workers, each = 4, 10
		var mu sync.Mutex
		seen := map[int64]bool{}
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					r := record(objectEvent(w*100+i, epcis.ActionObserve, sgtin2))
					res, err := s.Capture(context.Background(), "job", []store.Record{r})
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					seen[res.RecordTime.UnixNano()] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent Capture: %v", err)
		}
		if len(seen) != workers*each {
			t.Errorf("distinct record times: got %d, want %d", len(seen), workers*each)
		}

		// Record order (Seq) agrees with record time.
		p, err := s.QueryEvents(context.Background(), store.Query{PerPage: workers * each})
		if err != nil {
			t.Fatalf("QueryEvents: %v", err)
		}
		for i := 1; i < len(p.Events); i++ {
			if !p.Events[i].RecordTime.After(p.Events[i-1].RecordTime) || p.Events[i].Seq <= p.Events[i-1].Seq {
				t.Errorf("event %d: record time %v seq %d not after %v seq %d", i,
					p.Events[i].RecordTime, p.Events[i].Seq, p.Events[i-1].RecordTime, p.Events[i-1].Seq)
			}
		}
	})
}
