package web

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
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

// gatedFeedback holds a flush's write until the test releases it, when
// gate is set.
type gatedFeedback struct {
	testFeedback
	gate              *atomic.Bool
	writing, released chan struct{}
}

func (g gatedFeedback) AddScans(ctx context.Context, counts []ScanCount) error {
	if g.gate.Load() {
		select {
		case g.writing <- struct{}{}:
			<-g.released
		case <-g.released:
		}
	}
	return g.testFeedback.AddScans(ctx, counts)
}

// TestScanBufferExactDuringFlush checks that every lookup sees each
// earlier lookup exactly once while flushes write in the background, and
// that a lookup of a cached code does not wait for a flush to finish.
func TestScanBufferExactDuringFlush(t *testing.T) {
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
	gated := gatedFeedback{testFeedback: testFeedback{fb}, gate: &atomic.Bool{}, writing: make(chan struct{}), released: make(chan struct{})}
	b := newScanBuffer(gated, slog.New(slog.DiscardHandler))
	var releaseOnce sync.Once
	release := func() {
		releaseOnce.Do(func() {
			gated.gate.Store(false)
			close(gated.released)
		})
	}
	defer b.close()
	defer release()

	codes := []string{"urn:cn:nmpa:drug:86123450000000074614", "urn:cn:nmpa:drug:86123450000000019838", "https://id.gs1.org/01/06931002000016/10/BT2612010"}
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	seen := map[string]int64{}
	lookup := func(code string) {
		t.Helper()
		got, err := b.record(ctx, code, "广州市", at)
		if err != nil {
			t.Fatal(err)
		}
		if got.Count != seen[code] {
			t.Fatalf("lookup of %s: got count %d, want %d", code, got.Count, seen[code])
		}
		seen[code]++
	}

	// Lookups while another goroutine flushes without pause.
	stop := make(chan struct{})
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		for {
			select {
			case <-stop:
				return
			default:
				b.flush()
			}
		}
	}()
	for round := range 300 {
		lookup(codes[round%len(codes)])
	}
	close(stop)
	<-flushed

	// Hold a flush in its write, then look up a cached code.
	lookup(codes[0])
	gated.gate.Store(true)
	flushDone := make(chan struct{})
	go func() {
		defer close(flushDone)
		b.flush()
	}()
	<-gated.writing
	type result struct {
		st  ScanStats
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := b.record(ctx, codes[0], "广州市", at)
		done <- result{st, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.st.Count != seen[codes[0]] {
			t.Errorf("lookup during the flush: got count %d, want %d", r.st.Count, seen[codes[0]])
		}
		seen[codes[0]]++
	case <-time.After(10 * time.Second):
		t.Fatal("a lookup of a cached code waited for the flush's write")
	}
	release()
	<-flushDone
	lookup(codes[0])
}
