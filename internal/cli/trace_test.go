package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// cliTraceDoc commissions an item of lot L7, packs it on a pallet and
// ships the pallet.
const cliTraceDoc = `{
  "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-01T00:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventTime": "2026-03-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["https://id.gs1.org/01/09506000134352/21/B1"], "action": "ADD", "bizStep": "commissioning",
     "bizLocation": {"id": "https://id.gs1.org/414/9506000134352"}, "ilmd": {"cbvmda:lotNumber": "L7"}},
    {"type": "AggregationEvent", "eventTime": "2026-03-01T09:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "parentID": "https://id.gs1.org/00/106141412345678908",
     "childEPCs": ["https://id.gs1.org/01/09506000134352/21/B1"], "action": "ADD", "bizStep": "packing"},
    {"type": "ObjectEvent", "eventTime": "2026-03-01T10:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["https://id.gs1.org/00/106141412345678908"], "action": "OBSERVE", "bizStep": "shipping",
     "destinationList": [{"type": "owning_party", "destination": "urn:cn:uscc:914403001922038216"}]}
  ]}
}`

func traceDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trace.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer st.Close()
	if _, err := capture.New(st, nil, nil).Capture(context.Background(), epcis.NewJSONDecoder(strings.NewReader(cliTraceDoc)), "test"); err != nil {
		t.Fatalf("capture: %v", err)
	}
	return path
}

func TestTraceCommand(t *testing.T) {
	db := traceDB(t)
	item := "https://id.gs1.org/01/09506000134352/21/B1"
	pallet := "https://id.gs1.org/00/106141412345678908"
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"table", []string{"trace", "--db", db, item}, ExitOK, []string{pallet, "urn:cn:uscc:914403001922038216", "shipping"}},
		{"element string dot", []string{"trace", "--db", db, "--format", "dot", "(01)09506000134352(21)B1"}, ExitOK, []string{"digraph", `"` + pallet + `" -> "` + item + `"`}},
		{"forward depth", []string{"trace", "--db", db, "--direction", "forward", "--depth", "1", pallet}, ExitOK, []string{item}},
		{"unknown", []string{"trace", "--db", db, "https://id.gs1.org/01/09506000134352/21/NONE"}, ExitFailure, []string{"没有事件提到该标识"}},
		{"bad direction", []string{"trace", "--db", db, "--direction", "up", item}, ExitUsage, []string{"--direction"}},
		{"no id", []string{"trace", "--db", db}, ExitUsage, []string{"exactly one identifier"}},
		{"recall scope", []string{"recall-scope", "--db", db, "https://id.gs1.org/01/09506000134352/10/L7"}, ExitOK, []string{"440300", "in_transit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("%v: got exit %d, want %d; stderr %s", tc.args, code, tc.code, stderr)
			}
			for _, want := range tc.contains {
				if !strings.Contains(stdout+stderr, want) {
					t.Errorf("%v: output lacks %q:\n%s%s", tc.args, want, stdout, stderr)
				}
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		code, stdout, stderr := runMain(t, "", "trace", "--db", db, "--format", "json", item)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var g trace.Graph
		if err := json.Unmarshal([]byte(stdout), &g); err != nil {
			t.Fatalf("decode json output: %v", err)
		}
		if g.Root != item || len(g.Nodes) != 3 {
			t.Errorf("graph: got root %s and %d nodes, want %s and 3", g.Root, len(g.Nodes), item)
		}
	})
}

func TestExportFSMA204Command(t *testing.T) {
	db := traceDB(t)
	lot := "https://id.gs1.org/01/09506000134352/10/L7"

	code, stdout, stderr := runMain(t, "", "export", "--db", db, "--format", "fsma204", "--lot", lot)
	if code != ExitOK {
		t.Fatalf("csv export: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], "Shipping") {
		t.Errorf("csv export: got %q, want header, initial packing and shipping", lines)
	}

	out := filepath.Join(t.TempDir(), "fsma.xlsx")
	code, _, stderr = runMain(t, "", "export", "--db", db, "--format", "fsma204", "--product", "09506000134352",
		"--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z", "--out", out)
	if code != ExitOK {
		t.Fatalf("xlsx export: exit %d: %s", code, stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatalf("open %s: %v", out, err)
	}
	defer f.Close()
	rows, err := f.GetRows(trace.FSMASheet)
	if err != nil || len(rows) != 3 {
		t.Errorf("xlsx rows: got %d, %v; want 3", len(rows), err)
	}

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no selection", []string{"export", "--db", db, "--format", "fsma204"}},
		{"bad out", []string{"export", "--db", db, "--format", "fsma204", "--lot", lot, "--out", "x.pdf"}},
		{"bad time", []string{"export", "--db", db, "--format", "fsma204", "--product", "09506000134352", "--from", "soon"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, _ := runMain(t, "", tc.args...); code != ExitUsage {
				t.Errorf("%v: got exit %d, want %d", tc.args, code, ExitUsage)
			}
		})
	}
}
