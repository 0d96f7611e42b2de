package auditlog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/transparency-dev/merkle/proof"
)

func newTestServer(t *testing.T, n int) (*Log, [][]byte, *httptest.Server) {
	t.Helper()
	l, st := newTestLog(t, SHA256, AlgEd25519)
	leaves := grow(st, SHA256, nil, n)
	if _, err := l.Integrate(context.Background()); err != nil {
		t.Fatalf("Integrate: %v", err)
	}
	mux := http.NewServeMux()
	for pattern, h := range l.Endpoints() {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" /log"+path, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return l, leaves, srv
}

func get(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func TestHandlersServeVerifiableProofs(t *testing.T) {
	l, leaves, srv := newTestServer(t, 600)
	status, ctype, body := get(t, srv.URL+"/log/checkpoint")
	if status != http.StatusOK || !strings.HasPrefix(ctype, "text/plain") {
		t.Fatalf("checkpoint: status %d, type %q", status, ctype)
	}
	c, err := OpenCheckpoint(body, l.Origin(), l.signer.Verifier())
	if err != nil {
		t.Fatalf("OpenCheckpoint: %v", err)
	}

	status, _, body = get(t, srv.URL+"/log/proof/inclusion?event=event-517")
	if status != http.StatusOK {
		t.Fatalf("inclusion: status %d: %s", status, body)
	}
	var ip InclusionProofJSON
	if err := json.Unmarshal(body, &ip); err != nil {
		t.Fatal(err)
	}
	if ip.LeafIndex != 517 || ip.TreeSize != 600 || ip.Checkpoint != string(c.Note) {
		t.Errorf("inclusion: got index %d size %d, want 517 600 and the checkpoint", ip.LeafIndex, ip.TreeSize)
	}
	if err := proof.VerifyInclusion(SHA256, ip.LeafIndex, ip.TreeSize, leaves[517], ip.Hashes, c.Hash); err != nil {
		t.Errorf("VerifyInclusion: %v", err)
	}

	status, _, body = get(t, srv.URL+"/log/proof/consistency?from=300")
	if status != http.StatusOK {
		t.Fatalf("consistency: status %d: %s", status, body)
	}
	var cp ConsistencyProofJSON
	if err := json.Unmarshal(body, &cp); err != nil {
		t.Fatal(err)
	}
	if err := proof.VerifyConsistency(SHA256, 300, 600, cp.Hashes, refRoot(SHA256, leaves[:300]), c.Hash); err != nil {
		t.Errorf("VerifyConsistency: %v", err)
	}

	status, _, body = get(t, srv.URL+"/log/leaves?start=10&end=13")
	var lv LeavesJSON
	if err := json.Unmarshal(body, &lv); err != nil || status != http.StatusOK {
		t.Fatalf("leaves: status %d, %v: %s", status, err, body)
	}
	if len(lv.Leaves) != 3 || lv.Leaves[2].EventID != "event-12" || string(lv.Leaves[2].LeafHash) != string(leaves[12]) {
		t.Errorf("leaves: got %+v", lv.Leaves)
	}

	status, ctype, body = get(t, srv.URL+"/log/tile/0/001")
	if status != http.StatusOK || ctype != "application/octet-stream" || len(body) != TileWidth*hashSize {
		t.Fatalf("full tile: status %d, type %q, %d bytes", status, ctype, len(body))
	}
	if string(body[:hashSize]) != string(leaves[256]) {
		t.Errorf("tile 0/001 starts with %x, want leaf 256 %x", body[:hashSize], leaves[256])
	}
	status, _, body = get(t, srv.URL+"/log/tile/0/002.p/88")
	if status != http.StatusOK || len(body) != 88*hashSize {
		t.Errorf("partial tile: status %d, %d bytes, want 88 hashes", status, len(body))
	}
}

func TestHandlersRejectBadRequests(t *testing.T) {
	_, _, srv := newTestServer(t, 20)
	tests := []struct {
		name, path string
		status     int
	}{
		{"unknown event", "/log/proof/inclusion?event=urn:uuid:absent", http.StatusNotFound},
		{"no event or index", "/log/proof/inclusion", http.StatusBadRequest},
		{"index beyond size", "/log/proof/inclusion?index=20", http.StatusBadRequest},
		{"size beyond checkpoint", "/log/proof/inclusion?index=1&size=21", http.StatusBadRequest},
		{"negative size", "/log/proof/inclusion?index=1&size=-1", http.StatusBadRequest},
		{"consistency reversed", "/log/proof/consistency?from=10&to=5", http.StatusBadRequest},
		{"consistency missing from", "/log/proof/consistency", http.StatusBadRequest},
		{"leaves too many", "/log/leaves?start=0&end=300", http.StatusBadRequest},
		{"leaves beyond size", "/log/leaves?start=0&end=21", http.StatusBadRequest},
		{"leaves start beyond size", "/log/leaves?start=25", http.StatusBadRequest},
		{"full tile not yet full", "/log/tile/0/000", http.StatusNotFound},
		{"malformed tile", "/log/tile/0/1", http.StatusBadRequest},
		{"entry bundle", "/log/tile/entries/000", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ctype, body := get(t, srv.URL+tt.path)
			if status != tt.status {
				t.Errorf("status: got %d, want %d: %s", status, tt.status, body)
			}
			var p problem
			if err := json.Unmarshal(body, &p); err != nil || ctype != "application/problem+json" || p.Status != tt.status || p.Detail == "" {
				t.Errorf("problem body: type %q, %+v, %v", ctype, p, err)
			}
		})
	}
}

func TestCheckpointHandlerBeforeIntegrate(t *testing.T) {
	l, _ := newTestLog(t, SHA256, AlgEd25519)
	rec := httptest.NewRecorder()
	l.CheckpointHandler()(rec, httptest.NewRequest(http.MethodGet, "/checkpoint", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status: got %d, want 503", rec.Code)
	}
}

func TestTilePathRoundTrip(t *testing.T) {
	tests := []struct {
		path  string
		key   store.TileKey
		width uint64
	}{
		{"0/000", store.TileKey{Level: 0, Index: 0}, 256},
		{"1/x001/234.p/17", store.TileKey{Level: 1, Index: 1234}, 17},
		{"2/x001/x234/067", store.TileKey{Level: 2, Index: 1234067}, 256},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			key, width, err := ParseTilePath(tt.path)
			if err != nil {
				t.Fatalf("ParseTilePath: %v", err)
			}
			if key != tt.key || width != tt.width {
				t.Errorf("ParseTilePath: got %v width %d, want %v width %d", key, width, tt.key, tt.width)
			}
			if got := TilePath(key, width); got != tt.path {
				t.Errorf("TilePath: got %q, want %q", got, tt.path)
			}
		})
	}
}

func FuzzParseTilePath(f *testing.F) {
	for _, s := range []string{"0/000", "1/x001/234.p/17", "entries/000", "9/000", "0/x/1", "0/000.p/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		key, width, err := ParseTilePath(p)
		if err != nil {
			return
		}
		if width < 1 || width > TileWidth {
			t.Fatalf("ParseTilePath(%q): width %d outside 1..256", p, width)
		}
		back, width2, err := ParseTilePath(TilePath(key, width))
		if err != nil || back != key || width2 != width {
			t.Fatalf("round trip of %q: got %v %d %v", p, back, width2, err)
		}
	})
}

func ExampleTilePath() {
	fmt.Println(TilePath(store.TileKey{Level: 0, Index: 1234067}, 17))
	// Output: 0/x001/x234/067.p/17
}
