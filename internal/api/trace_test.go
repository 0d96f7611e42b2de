package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

const (
	traceItem   = "https://id.gs1.org/01/09506000134352/21/A1"
	traceLot    = "https://id.gs1.org/01/09506000134352/10/L1"
	tracePallet = "https://id.gs1.org/00/106141412345678908"
)

// traceDoc commissions two items of lot L1, puts them on a pallet and
// ships the pallet.
const traceDoc = `{
  "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-01T00:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventTime": "2026-03-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["https://id.gs1.org/01/09506000134352/21/A1", "https://id.gs1.org/01/09506000134352/21/A2"],
     "action": "ADD", "bizStep": "commissioning", "disposition": "active",
     "bizLocation": {"id": "https://id.gs1.org/414/9506000134352"},
     "ilmd": {"cbvmda:lotNumber": "L1"}},
    {"type": "AggregationEvent", "eventTime": "2026-03-01T09:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "parentID": "https://id.gs1.org/00/106141412345678908",
     "childEPCs": ["https://id.gs1.org/01/09506000134352/21/A1", "https://id.gs1.org/01/09506000134352/21/A2"],
     "action": "ADD", "bizStep": "packing"},
    {"type": "ObjectEvent", "eventTime": "2026-03-01T10:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["https://id.gs1.org/00/106141412345678908"], "action": "OBSERVE",
     "bizStep": "shipping", "disposition": "in_transit",
     "bizLocation": {"id": "https://id.gs1.org/414/9506000134352"},
     "bizTransactionList": [{"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:9506000134352:DA1"}],
     "destinationList": [{"type": "owning_party", "destination": "urn:cn:uscc:914403001922038216"}]}
  ]}
}`

func traceServer(t *testing.T) *httptest.Server {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	cs := capture.New(st, nil, nil)
	if _, err := cs.Capture(context.Background(), epcis.NewJSONDecoder(strings.NewReader(traceDoc)), "test"); err != nil {
		t.Fatalf("capture: %v", err)
	}
	srv := httptest.NewServer(api.New(st, cs, nil, api.Options{}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body of %s: %v", path, err)
	}
	return resp, body
}

func TestTraceEndpoint(t *testing.T) {
	srv := traceServer(t)
	for _, tc := range []struct {
		name      string
		path      string
		status    int
		wantNodes []string
	}{
		{"backward escaped", "/api/v1/trace/" + url.PathEscape(traceItem), 200, []string{traceItem, tracePallet, traceLot}},
		{"element string", "/api/v1/trace/" + url.PathEscape("(01)09506000134352(21)A1") + "?depth=1", 200, []string{traceItem, tracePallet, traceLot}},
		{"forward lot", "/api/v1/trace/" + url.PathEscape(traceLot) + "?direction=forward", 200, []string{traceLot, traceItem, "https://id.gs1.org/01/09506000134352/21/A2"}},
		{"unknown item", "/api/v1/trace/" + url.PathEscape("https://id.gs1.org/01/09506000134352/21/ZZ"), 404, nil},
		{"bad direction", "/api/v1/trace/" + url.PathEscape(traceItem) + "?direction=up", 400, nil},
		{"bad depth", "/api/v1/trace/" + url.PathEscape(traceItem) + "?depth=-2", 400, nil},
		{"bad node limit", "/api/v1/trace/" + url.PathEscape(traceItem) + "?maxNodes=x", 400, nil},
		{"node limit", "/api/v1/trace/" + url.PathEscape(traceItem) + "?maxNodes=1", 200, []string{traceItem}},
		{"bad time", "/api/v1/trace/" + url.PathEscape(traceItem) + "?from=yesterday", 400, nil},
		{"bad id", "/api/v1/trace/" + url.PathEscape("no such thing"), 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv, tc.path, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("GET %s: got status %d, want %d: %s", tc.path, resp.StatusCode, tc.status, body)
			}
			if tc.status != 200 {
				if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("error content type: got %s, want application/problem+json", ct)
				}
				return
			}
			var g trace.Graph
			if err := json.Unmarshal(body, &g); err != nil {
				t.Fatalf("decode graph: %v", err)
			}
			got := map[string]bool{}
			for _, n := range g.Nodes {
				got[n.ID] = true
			}
			for _, id := range tc.wantNodes {
				if !got[id] {
					t.Errorf("node %s missing from %v", id, got)
				}
			}
			if len(got) != len(tc.wantNodes) {
				t.Errorf("nodes: got %d, want %d", len(got), len(tc.wantNodes))
			}
		})
	}
}

func TestRecallScopeEndpoint(t *testing.T) {
	srv := traceServer(t)
	resp, body := get(t, srv, "/api/v1/recall-scope?id="+url.QueryEscape(traceLot)+"&from=2026-01-01T00:00:00Z", "")
	if resp.StatusCode != 200 {
		t.Fatalf("recall scope: got status %d: %s", resp.StatusCode, body)
	}
	var sc trace.Scope
	if err := json.Unmarshal(body, &sc); err != nil {
		t.Fatalf("decode scope: %v", err)
	}
	if len(sc.ByRegion) != 1 || sc.ByRegion[0].Key != "440300" || sc.ByRegion[0].Objects != 2 {
		t.Errorf("regions: got %+v, want 2 items in 440300 (from the owner's credit code)", sc.ByRegion)
	}
	if resp, _ := get(t, srv, "/api/v1/recall-scope", ""); resp.StatusCode != 400 {
		t.Errorf("recall scope without id: got status %d, want 400", resp.StatusCode)
	}
}

func TestFSMA204Endpoint(t *testing.T) {
	srv := traceServer(t)
	path := "/api/v1/export/fsma204?lot=" + url.QueryEscape(traceLot)
	resp, body := get(t, srv, path, "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv export: got %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("read csv: %v", err)
	}
	if len(recs) != 3 || recs[1][6] != "Initial Packing" || recs[2][6] != "Shipping" || recs[2][4] != "2" {
		t.Errorf("csv rows: got %v, want initial packing and a shipping of 2", recs)
	}

	resp, body = get(t, srv, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx export: got %d: %s", resp.StatusCode, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(trace.FSMASheet)
	if err != nil || len(rows) != 3 {
		t.Errorf("xlsx rows: got %d, %v; want 3", len(rows), err)
	}

	for _, tc := range []struct {
		name, path, accept string
		status             int
	}{
		{"no selection", "/api/v1/export/fsma204", "", 400},
		{"bad format", path + "&format=pdf", "", 400},
		{"not acceptable", path, "application/pdf", 406},
		{"format xlsx", path + "&format=xlsx", "", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if resp, body := get(t, srv, tc.path, tc.accept); resp.StatusCode != tc.status {
				t.Errorf("GET %s: got %d, want %d: %s", tc.path, resp.StatusCode, tc.status, body)
			}
		})
	}
}
