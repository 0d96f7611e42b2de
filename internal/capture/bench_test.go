package capture

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/bench"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// noLineage is a store that drops the lineage rows of every record, to
// measure what lineage maintenance adds to a capture.
type noLineage struct{ store.Store }

func (s noLineage) CaptureStream(ctx context.Context, captureID string, next func() (store.Record, error)) (store.CaptureCounts, error) {
	return s.Store.CaptureStream(ctx, captureID, func() (store.Record, error) {
		r, err := next()
		r.Lineage = nil
		return r, err
	})
}

// BenchmarkCapture captures generated documents (10 of 1000 events) into
// a fresh SQLite store per iteration: with everything, without lineage
// rows, without audit-log leaves, and without either. Compare the
// events/s of the variants to see what lineage and the audit log cost.
func BenchmarkCapture(b *testing.B) {
	files, err := bench.Generate(filepath.Join(b.TempDir(), "data"), bench.GenOptions{Events: 10000, PerDocument: 1000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	hasher, err := auditlog.HasherByName(auditlog.HashSHA256)
	if err != nil {
		b.Fatal(err)
	}
	variants := []struct {
		name    string
		lineage bool
		log     bool
	}{
		{"full", true, true},
		{"no_lineage", false, true},
		{"no_audit_log", true, false},
		{"neither", false, false},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			ctx := context.Background()
			events := 0
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
				if err != nil {
					b.Fatal(err)
				}
				var s store.Store = st
				if !v.lineage {
					s = noLineage{st}
				}
				var lh LeafHasher
				if v.log {
					lh = hasher
				}
				svc := New(s, lh, nil)
				b.StartTimer()
				for _, path := range files {
					f, err := os.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					res, err := svc.Capture(ctx, epcis.NewJSONDecoder(f), path)
					f.Close()
					if err != nil {
						b.Fatalf("capture %s: %v", path, err)
					}
					events += res.Job.Accepted
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
