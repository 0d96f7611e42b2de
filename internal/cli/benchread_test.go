package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// demoDB captures rounds of the demo data into a new SQLite store.
func demoDB(t *testing.T, rounds int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer st.Close()
	gen, err := demo.New(1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := gen.WriteDocument(context.Background(), &buf, rounds); err != nil {
		t.Fatal(err)
	}
	if _, err := capture.New(st, nil, nil).Capture(context.Background(), epcis.NewJSONDecoder(&buf), "test"); err != nil {
		t.Fatalf("capture: %v", err)
	}
	return path
}

func TestBenchReadDeepAndRecall(t *testing.T) {
	db := demoDB(t, 4)
	// The premix lot of round 0 reaches its own entry, the lot it was
	// blended into and that lot's 12 cans.
	premix := "https://id.gs1.org/01/06939003000011/10/YH2609010"
	code, stdout, stderr := runMain(t, "", "bench", "read", "--db", db, "--samples", "5", "--deep", "3", "--lot", premix, "--recall-runs", "2")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{
		"deep chains: 3 items with at least 6 hops upstream",
		"hops upstream: min 7, mean 7.00, max 7",
		"deep backward",
		"recall scope " + premix + ": 14 affected entries, 12 items; runs: ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestBenchReadNoDeepItems(t *testing.T) {
	db := demoDB(t, 1)
	code, _, stderr := runMain(t, "", "bench", "read", "--db", db, "--samples", "2", "--deep", "2", "--min-hops", "20", "--recall-runs", "0")
	if code == ExitOK {
		t.Fatal("bench read with --min-hops 20: got exit 0, want an error")
	}
	if !strings.Contains(stderr, "no item with at least 20 hops upstream") {
		t.Errorf("stderr lacks the reason: %s", stderr)
	}
}
