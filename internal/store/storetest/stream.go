package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// streamOf returns a CaptureStream source yielding records in order, then
// io.EOF. When failAt is at least 0, it returns failErr instead of the
// record at that index.
func streamOf(records []store.Record, failAt int, failErr error) func() (store.Record, error) {
	i := 0
	return func() (store.Record, error) {
		if i == failAt {
			return store.Record{}, failErr
		}
		if i >= len(records) {
			return store.Record{}, io.EOF
		}
		i++
		return records[i-1], nil
	}
}

// streamRecords returns n distinct object event records.
func streamRecords(n int) []store.Record {
	out := make([]store.Record, n)
	for i := range out {
		out[i] = record(objectEvent(i, epcis.ActionObserve, fmt.Sprintf("https://id.gs1.org/01/09521234500019/21/S%d", i)))
	}
	return out
}

// errStreamSource stands for a failure of the stream's source, such as an
// invalid event found by the capture service.
var errStreamSource = errors.New("source failed")

// testCaptureStream checks CaptureStream across chunk boundaries: outcomes
// that depend on records of earlier chunks, and roll-back of everything
// when the source fails, a record conflicts or is invalid late in the
// stream.
func testCaptureStream(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	n := 2*store.StreamChunk + 5

	t.Run("outcomes across chunks", func(t *testing.T) {
		s := open(t)
		records := streamRecords(n)
		dup := records[3]
		decl := declaration(records[1], erIncorrect, base.Add(time.Hour))
		all := append(records, dup, decl)
		counts, err := s.CaptureStream(ctx, "job-1", streamOf(all, -1, nil))
		if err != nil {
			t.Fatalf("CaptureStream(%d records): %v", len(all), err)
		}
		if counts.Stored != n || counts.Duplicates != 1 || counts.Declared != 1 {
			t.Errorf("counts: got %+v, want %d stored, 1 duplicate, 1 declared", counts, n)
		}
		if counts.RecordTime.IsZero() {
			t.Errorf("RecordTime: got zero time")
		}
		if got := countEvents(t, s); got != n {
			t.Errorf("event count: got %d, want %d", got, n)
		}
		if got := logSize(t, s); got != uint64(n+1) {
			t.Errorf("LogSize: got %d, want %d", got, n+1)
		}
		ev := mustEvent(t, s, records[1].Event.EventID)
		if !ev.Declared {
			t.Errorf("Declared of event declared in a later chunk: got false, want true")
		}
		if last := mustEvent(t, s, records[n-1].Event.EventID); !last.RecordTime.Equal(counts.RecordTime) {
			t.Errorf("RecordTime of last event: got %v, want %v", last.RecordTime, counts.RecordTime)
		}
	})

	t.Run("stream equals batch", func(t *testing.T) {
		s := open(t)
		records := streamRecords(3)
		capture(t, s, "job-1", records[0])
		counts, err := s.CaptureStream(ctx, "job-2", streamOf(records, -1, nil))
		if err != nil {
			t.Fatalf("CaptureStream: %v", err)
		}
		if counts.Stored != 2 || counts.Duplicates != 1 {
			t.Errorf("counts: got %+v, want 2 stored, 1 duplicate", counts)
		}
	})

	failures := []struct {
		name  string
		build func() ([]store.Record, int, error)
		check func(t *testing.T, err error)
	}{
		{
			name: "source error rolls back",
			build: func() ([]store.Record, int, error) {
				return streamRecords(n), store.StreamChunk + 10, errStreamSource
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, errStreamSource) {
					t.Errorf("CaptureStream(failing source): got %v, want the source's error", err)
				}
			},
		},
		{
			name: "conflict in later chunk rolls back",
			build: func() ([]store.Record, int, error) {
				records := streamRecords(n)
				changed := objectEvent(n+1, epcis.ActionAdd, sgtin2)
				changed.EventID = records[0].Event.EventID
				return append(records, record(changed)), -1, nil
			},
			check: func(t *testing.T, err error) {
				var ce *store.ConflictError
				if !errors.As(err, &ce) {
					t.Fatalf("CaptureStream(conflicting record): got %v, want *ConflictError", err)
				}
				if ce.Index != n {
					t.Errorf("ConflictError.Index: got %d, want %d", ce.Index, n)
				}
			},
		},
		{
			name: "invalid record in later chunk rolls back",
			build: func() ([]store.Record, int, error) {
				records := streamRecords(n)
				records[store.StreamChunk+1].Hash = ""
				return records, -1, nil
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, store.ErrInvalid) {
					t.Errorf("CaptureStream(invalid record): got %v, want ErrInvalid", err)
				}
			},
		},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			records, failAt, failErr := tt.build()
			_, err := s.CaptureStream(ctx, "job-1", streamOf(records, failAt, failErr))
			tt.check(t, err)
			if _, err := s.Event(ctx, records[0].Event.EventID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Event(first record of failed stream): got %v, want ErrNotFound", err)
			}
			if got := countEvents(t, s); got != 0 {
				t.Errorf("event count: got %d, want 0", got)
			}
			if got := logSize(t, s); got != 0 {
				t.Errorf("LogSize: got %d, want 0", got)
			}
		})
	}

	t.Run("empty stream", func(t *testing.T) {
		s := open(t)
		counts, err := s.CaptureStream(ctx, "job-1", streamOf(nil, -1, nil))
		if err != nil {
			t.Fatalf("CaptureStream(empty): %v", err)
		}
		if counts.Stored != 0 || counts.Duplicates != 0 || counts.Declared != 0 {
			t.Errorf("counts: got %+v, want none", counts)
		}
	})

	t.Run("empty capture id", func(t *testing.T) {
		s := open(t)
		if _, err := s.CaptureStream(ctx, "", streamOf(streamRecords(1), -1, nil)); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("CaptureStream(empty capture id): got %v, want ErrInvalid", err)
		}
	})
}
