package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

func testDistinct(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	loadFixture(t, s)
	cases := []struct {
		r    store.Resource
		want []string
	}{
		{store.ResourceEventTypes, []string{"AggregationEvent", "AssociationEvent", "ObjectEvent", "TransactionEvent", "TransformationEvent"}},
		{store.ResourceEPCs, []string{sscc1, sgtin1, sgtin2, sgtin3, sgtinPct}},
		{store.ResourceBizSteps, []string{bizCommission, bizReceiving, bizShipping}},
		{store.ResourceBizLocations, []string{gln1, gln2, glnDC}},
		{store.ResourceReadPoints, []string{gln1, gln2, glnDC}},
		{store.ResourceDispositions, []string{dispActive, dispInTransit}},
	}
	for _, tc := range cases {
		t.Run(string(tc.r), func(t *testing.T) {
			want := slices.Clone(tc.want)
			slices.Sort(want)
			got, err := s.Distinct(context.Background(), tc.r, "", 100)
			if err != nil {
				t.Fatalf("Distinct: %v", err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("Distinct: got %q, want %q", got, want)
			}

			// Page through with limit 2.
			var paged []string
			after := ""
			for range 10 {
				part, err := s.Distinct(context.Background(), tc.r, after, 2)
				if err != nil {
					t.Fatalf("Distinct after %q: %v", after, err)
				}
				if len(part) > 2 {
					t.Fatalf("Distinct limit 2: got %d values", len(part))
				}
				if len(part) == 0 {
					break
				}
				paged = append(paged, part...)
				after = part[len(part)-1]
			}
			if !slices.Equal(paged, want) {
				t.Errorf("Distinct paged by 2: got %q, want %q", paged, want)
			}
		})
	}
	t.Run("unknown resource", func(t *testing.T) {
		if _, err := s.Distinct(context.Background(), "vocabularies", "", 10); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Distinct(unknown resource): got %v, want ErrInvalid", err)
		}
	})
}

func testJobs(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	created := time.Date(2026, 3, 1, 9, 30, 15, 123456789, time.UTC)
	job := store.Job{ID: "job-b", State: store.JobRunning, CreatedAt: created, Source: "http"}
	if err := s.CreateJob(ctx, job); err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	if err := s.CreateJob(ctx, job); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateJob(same id again): got %v, want ErrConflict", err)
	}
	got, err := s.Job(ctx, "job-b")
	if err != nil {
		t.Fatalf("Job: %v", err)
	}
	checkJob(t, got, job)

	job.State = store.JobFailed
	job.FinishedAt = created.Add(2 * time.Second)
	job.Accepted, job.Duplicates, job.Declared, job.Rejected = 0, 0, 0, 1
	job.Errors = []store.JobError{
		{EventIndex: 3, Pointer: "/epcisBody/eventList/3/eventTimeZoneOffset", Value: "+5:30", Rule: "eventTimeZoneOffset format ±hh:mm", Message: "时区偏移格式无效 invalid offset"},
		{EventIndex: -1, Message: "document-level error"},
	}
	if err := s.UpdateJob(ctx, job); err != nil {
		t.Fatalf("UpdateJob: %v", err)
	}
	got, err = s.Job(ctx, "job-b")
	if err != nil {
		t.Fatalf("Job after update: %v", err)
	}
	checkJob(t, got, job)

	if err := s.UpdateJob(ctx, store.Job{ID: "job-missing", State: store.JobSucceeded}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateJob(unknown): got %v, want ErrNotFound", err)
	}
	if _, err := s.Job(ctx, "job-missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Job(unknown): got %v, want ErrNotFound", err)
	}

	for _, id := range []string{"job-a", "job-c", "job-d"} {
		j := store.Job{ID: id, State: store.JobSucceeded, CreatedAt: created, FinishedAt: created, Accepted: 7, Duplicates: 2, Declared: 1}
		if err := s.CreateJob(ctx, j); err != nil {
			t.Fatalf("CreateJob(%s): %v", id, err)
		}
	}
	var ids []string
	after := ""
	for range 10 {
		jobs, err := s.Jobs(ctx, after, 3)
		if err != nil {
			t.Fatalf("Jobs after %q: %v", after, err)
		}
		if len(jobs) == 0 {
			break
		}
		for _, j := range jobs {
			ids = append(ids, j.ID)
		}
		after = jobs[len(jobs)-1].ID
	}
	if want := []string{"job-a", "job-b", "job-c", "job-d"}; !slices.Equal(ids, want) {
		t.Errorf("Jobs: got %q, want %q", ids, want)
	}
	got, err = s.Job(ctx, "job-c")
	if err != nil {
		t.Fatalf("Job(job-c): %v", err)
	}
	if got.Accepted != 7 || got.Duplicates != 2 || got.Declared != 1 {
		t.Errorf("job-c counts: got %d/%d/%d, want 7/2/1", got.Accepted, got.Duplicates, got.Declared)
	}
}

func checkJob(t *testing.T, got, want store.Job) {
	t.Helper()
	if got.ID != want.ID || got.State != want.State || got.Source != want.Source {
		t.Errorf("job: got %s/%s/%s, want %s/%s/%s", got.ID, got.State, got.Source, want.ID, want.State, want.Source)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("CreatedAt: got %v, want %v", got.CreatedAt, want.CreatedAt)
	}
	if !got.FinishedAt.Equal(want.FinishedAt) {
		t.Errorf("FinishedAt: got %v, want %v", got.FinishedAt, want.FinishedAt)
	}
	if got.Accepted != want.Accepted || got.Duplicates != want.Duplicates || got.Declared != want.Declared || got.Rejected != want.Rejected {
		t.Errorf("counts: got %d/%d/%d/%d, want %d/%d/%d/%d", got.Accepted, got.Duplicates, got.Declared, got.Rejected,
			want.Accepted, want.Duplicates, want.Declared, want.Rejected)
	}
	g, _ := json.Marshal(got.Errors)
	w, _ := json.Marshal(want.Errors)
	if len(want.Errors) == 0 {
		w = []byte("null")
		if len(got.Errors) == 0 {
			g = w
		}
	}
	if !bytes.Equal(g, w) {
		t.Errorf("Errors: got %s, want %s", g, w)
	}
}

func testLog(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()

	t.Run("leaves", func(t *testing.T) {
		s := open(t)
		var recs []store.Record
		for i := range 5 {
			recs = append(recs, record(objectEvent(i, epcis.ActionObserve, sgtin1)))
		}
		capture(t, s, "job-1", recs[:2]...)
		capture(t, s, "job-2", recs[2:]...)
		if got := logSize(t, s); got != 5 {
			t.Fatalf("LogSize: got %d, want 5", got)
		}
		hashes, err := s.LeafHashes(ctx, 0, 5)
		if err != nil {
			t.Fatalf("LeafHashes: %v", err)
		}
		for i, r := range recs {
			if !bytes.Equal(hashes[i], r.LeafHash) {
				t.Errorf("leaf %d: got %x, want %x", i, hashes[i], r.LeafHash)
			}
			idx, err := s.LeafIndex(ctx, r.Event.EventID)
			if err != nil || idx != uint64(i) {
				t.Errorf("LeafIndex(event %d): got %d, %v; want %d", i, idx, err, i)
			}
			id, err := s.LeafEvent(ctx, uint64(i))
			if err != nil || id != r.Event.EventID {
				t.Errorf("LeafEvent(%d): got %q, %v; want %q", i, id, err, r.Event.EventID)
			}
		}
		mid, err := s.LeafHashes(ctx, 1, 3)
		if err != nil {
			t.Fatalf("LeafHashes(1, 3): %v", err)
		}
		if len(mid) != 2 || !bytes.Equal(mid[0], recs[1].LeafHash) || !bytes.Equal(mid[1], recs[2].LeafHash) {
			t.Errorf("LeafHashes(1, 3): got %x, want leaves 1 and 2", mid)
		}
		if empty, err := s.LeafHashes(ctx, 5, 5); err != nil || len(empty) != 0 {
			t.Errorf("LeafHashes(5, 5): got %d hashes, %v; want none", len(empty), err)
		}
		if _, err := s.LeafHashes(ctx, 3, 2); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("LeafHashes(3, 2): got %v, want ErrInvalid", err)
		}
		if _, err := s.LeafHashes(ctx, 0, 6); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("LeafHashes(0, 6) beyond log size: got %v, want ErrInvalid", err)
		}
		if _, err := s.LeafEvent(ctx, 5); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LeafEvent(5): got %v, want ErrNotFound", err)
		}
		if _, err := s.LeafIndex(ctx, "urn:uuid:00000000-0000-4000-8000-000000000000"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LeafIndex(unknown): got %v, want ErrNotFound", err)
		}
	})

	t.Run("tiles", func(t *testing.T) {
		s := open(t)
		tile := func(level uint8, index uint64, n int, fill byte) store.Tile {
			return store.Tile{TileKey: store.TileKey{Level: level, Index: index}, Hashes: bytes.Repeat([]byte{fill}, n*32)}
		}
		if err := s.PutTiles(ctx, []store.Tile{tile(0, 0, 256, 1), tile(0, 1, 3, 2), tile(1, 0, 1, 3)}); err != nil {
			t.Fatalf("PutTiles: %v", err)
		}
		// A narrower tile does not replace a wider one; a wider one does.
		if err := s.PutTiles(ctx, []store.Tile{tile(0, 1, 2, 9), tile(1, 0, 2, 4)}); err != nil {
			t.Fatalf("PutTiles second: %v", err)
		}
		keys := []store.TileKey{{Level: 0, Index: 0}, {Level: 0, Index: 1}, {Level: 1, Index: 0}, {Level: 2, Index: 0}, {Level: 0, Index: 7}}
		got, err := s.Tiles(ctx, keys)
		if err != nil {
			t.Fatalf("Tiles: %v", err)
		}
		want := map[store.TileKey]store.Tile{
			{Level: 0, Index: 0}: tile(0, 0, 256, 1),
			{Level: 0, Index: 1}: tile(0, 1, 3, 2),
			{Level: 1, Index: 0}: tile(1, 0, 2, 4),
		}
		if len(got) != len(want) {
			t.Fatalf("Tiles: got %d tiles, want %d", len(got), len(want))
		}
		for _, g := range got {
			w, ok := want[g.TileKey]
			if !ok {
				t.Errorf("Tiles: unexpected tile %+v", g.TileKey)
				continue
			}
			if !bytes.Equal(g.Hashes, w.Hashes) {
				t.Errorf("tile %+v: got %d bytes starting %x, want %d bytes starting %x", g.TileKey, len(g.Hashes), g.Hashes[:1], len(w.Hashes), w.Hashes[:1])
			}
		}
		for _, bad := range []store.Tile{tile(0, 2, 0, 1), tile(0, 2, 257, 1), {TileKey: store.TileKey{Index: 2}, Hashes: make([]byte, 33)}} {
			if err := s.PutTiles(ctx, []store.Tile{bad}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("PutTiles(%d bytes): got %v, want ErrInvalid", len(bad.Hashes), err)
			}
		}
	})

	t.Run("checkpoints", func(t *testing.T) {
		s := open(t)
		if _, _, err := s.Checkpoint(ctx, 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Checkpoint(0) on empty log: got %v, want ErrNotFound", err)
		}
		if err := s.PutCheckpoint(ctx, 5, []byte("note five")); err != nil {
			t.Fatalf("PutCheckpoint(5): %v", err)
		}
		if err := s.PutCheckpoint(ctx, 10, []byte("note ten")); err != nil {
			t.Fatalf("PutCheckpoint(10): %v", err)
		}
		size, note, err := s.Checkpoint(ctx, 0)
		if err != nil || size != 10 || string(note) != "note ten" {
			t.Errorf("Checkpoint(0): got %d %q %v, want 10 %q", size, note, err, "note ten")
		}
		size, note, err = s.Checkpoint(ctx, 5)
		if err != nil || size != 5 || string(note) != "note five" {
			t.Errorf("Checkpoint(5): got %d %q %v, want 5 %q", size, note, err, "note five")
		}
		if _, _, err := s.Checkpoint(ctx, 7); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Checkpoint(7): got %v, want ErrNotFound", err)
		}
	})
}

func testScan(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	sc, ok := s.(store.Scanner)
	if !ok {
		t.Fatalf("store %T does not implement store.Scanner", s)
	}
	f := loadFixture(t, s)
	var got []store.StoredEvent
	after := int64(0)
	for range 10 {
		part, err := sc.ScanEvents(context.Background(), after, 4)
		if err != nil {
			t.Fatalf("ScanEvents(%d, 4): %v", after, err)
		}
		if len(part) == 0 {
			break
		}
		got = append(got, part...)
		after = part[len(part)-1].Seq
	}
	if names := f.names(got); names != "A,B,C,D,E,F" {
		t.Errorf("ScanEvents: got %q, want %q", names, "A,B,C,D,E,F")
	}
	if len(got) == 6 && !got[4].Declared {
		t.Errorf("ScanEvents event E: Declared false, want true")
	}
	if _, err := sc.ScanEvents(context.Background(), 0, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("ScanEvents(limit 0): got %v, want ErrInvalid", err)
	}
}
