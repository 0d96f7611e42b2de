package web

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

func TestScanBufferCountsEveryLookup(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "scans.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fb, err := st.WebFeedback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := newScanBuffer(testFeedback{fb}, slog.New(slog.DiscardHandler))
	const workers, each = 8, 50
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				city := "广州市"
				if i%2 == 1 {
					city = "深圳市"
				}
				if _, err := b.record(ctx, "urn:cn:nmpa:drug:86123450000000074614", city, at); err != nil {
					t.Error(err)
				}
				if i == each/2 {
					b.flush()
				}
			}
		}()
	}
	wg.Wait()
	got, err := b.record(ctx, "urn:cn:nmpa:drug:86123450000000074614", "", at)
	if err != nil {
		t.Fatal(err)
	}
	if got.Count != workers*each {
		t.Errorf("counts before the last lookup: got %d, want %d", got.Count, workers*each)
	}
	if len(got.Cities) != 2 || got.Cities[0].Count+got.Cities[1].Count != workers*each {
		t.Errorf("counts by city: got %+v", got.Cities)
	}
	b.close()
	stored, err := fb.ScanStats(ctx, "urn:cn:nmpa:drug:86123450000000074614")
	if err != nil {
		t.Fatal(err)
	}
	if stored.Count != workers*each+1 {
		t.Errorf("stored count after close: got %d, want %d", stored.Count, workers*each+1)
	}
}
