package cli

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// shipmentJSON and shipmentXML write the same ObjectEvent in the two
// syntaxes of EPCIS 2.0, so both must give shipmentPreHash.
const shipmentJSON = `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
               {"ex": "https://ns.example.org/trace/"}],
  "type": "EPCISDocument",
  "schemaVersion": "2.0",
  "creationDate": "2026-12-01T08:00:00Z",
  "epcisBody": {"eventList": [{
    "type": "ObjectEvent",
    "eventTime": "2026-12-01T16:30:00.5+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": ["urn:epc:id:sgtin:6901234.012345.1002", "urn:epc:id:sgtin:6901234.012345.1001"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    "ex:batchNote": " first batch "
  }]}
}`

const shipmentXML = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:trace="https://ns.example.org/trace/"
    schemaVersion="2.0" creationDate="2026-12-01T08:00:00Z">
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-12-01T08:30:00.500Z</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <epcList>
          <epc>urn:epc:id:sgtin:6901234.012345.1001</epc>
          <epc>urn:epc:id:sgtin:6901234.012345.1002</epc>
        </epcList>
        <action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
        <disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
        <readPoint><id>urn:epc:id:sgln:6901234.00001.0</id></readPoint>
        <trace:batchNote>first batch</trace:batchNote>
      </ObjectEvent>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>`

const shipmentPreHash = "eventType=ObjectEventeventTime=2026-12-01T08:30:00.500ZeventTimeZoneOffset=+08:00" +
	"epcListepc=https://id.gs1.org/01/06901234123456/21/1001epc=https://id.gs1.org/01/06901234123456/21/1002" +
	"action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit" +
	"readPointid=https://id.gs1.org/414/6901234000016{https://ns.example.org/trace/}batchNote=first batch"

// mixedJSON contains an event with an action outside ADD, OBSERVE and DELETE,
// then a valid event.
const mixedJSON = `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
  "type": "EPCISDocument",
  "schemaVersion": "2.0",
  "creationDate": "2026-12-01T08:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventTime": "2026-12-01T08:30:00Z", "eventTimeZoneOffset": "+08:00",
     "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"], "action": "JUMP"},
    {"type": "ObjectEvent", "eventTime": "2026-12-01T08:30:00Z", "eventTimeZoneOffset": "+08:00",
     "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"], "action": "OBSERVE"}
  ]}
}`

const mixedSecondPreHash = "eventType=ObjectEventeventTime=2026-12-01T08:30:00.000ZeventTimeZoneOffset=+08:00" +
	"epcListepc=https://id.gs1.org/01/06901234123456/21/1001action=OBSERVE"

func sha256Hash(pre string) string {
	sum := sha256.Sum256([]byte(pre))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
}

// writeFile writes content to name in a new temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runMain runs the suyuan command line and returns its exit code, stdout
// and stderr.
func runMain(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	code := Main(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestHashCommandPrintsHashes(t *testing.T) {
	jsonPath := writeFile(t, "shipment.jsonld", shipmentJSON)
	xmlPath := writeFile(t, "shipment.xml", shipmentXML)
	noExtPath := writeFile(t, "shipment", shipmentXML)
	want := sha256Hash(shipmentPreHash)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"JSON-LD file", "", []string{"hash", jsonPath}, want + "\n"},
		{"XML file", "", []string{"hash", xmlPath}, want + "\n"},
		{"file without extension", "", []string{"hash", noExtPath}, want + "\n"},
		{"two files in order", "", []string{"hash", jsonPath, xmlPath}, want + "\n" + want + "\n"},
		{"prehash flag", "", []string{"hash", "--prehash", xmlPath}, want + "\n" + shipmentPreHash + "\n"},
		{"standard input", shipmentJSON, []string{"hash", "-"}, want + "\n"},
		{"ignore flag", "", []string{"hash", "--ignore", "{https://ns.example.org/trace/}batchNote", jsonPath},
			sha256Hash(strings.TrimSuffix(shipmentPreHash, "{https://ns.example.org/trace/}batchNote=first batch")) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, tt.stdin, tt.args...)
			if code != ExitOK {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, ExitOK, stderr)
			}
			if stdout != tt.want {
				t.Errorf("stdout:\n got %q\nwant %q", stdout, tt.want)
			}
			if stderr != "" {
				t.Errorf("stderr: got %q, want nothing", stderr)
			}
		})
	}
}

func TestHashCommandReportsFailures(t *testing.T) {
	mixedPath := writeFile(t, "mixed.jsonld", mixedJSON)
	missing := filepath.Join(t.TempDir(), "missing.xml")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr []string
	}{
		{"invalid event among valid", []string{"hash", mixedPath}, ExitFailure,
			sha256Hash(mixedSecondPreHash) + "\n", []string{mixedPath, "event 0", "JUMP"}},
		{"missing file after a good one", []string{"hash", mixedPath, missing}, ExitFailure,
			sha256Hash(mixedSecondPreHash) + "\n", []string{missing, "cannot open"}},
		{"no file", []string{"hash"}, ExitUsage, "", []string{"usage: suyuan hash"}},
		{"bad ignore field", []string{"hash", "--ignore", "captureID", mixedPath}, ExitUsage, "", []string{"captureID", "{namespace IRI}localName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code: got %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			if stdout != tt.wantStdout {
				t.Errorf("stdout:\n got %q\nwant %q", stdout, tt.wantStdout)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
		})
	}
}

// TestHashCommandConformance runs the command on the CBV 2.0 event hash
// examples that decode without errors and compares every output line with
// the expected hashes.
func TestHashCommandConformance(t *testing.T) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source file")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "conformance", "event-hash", "examples")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance data not found at %s (%v); this test needs the shared conformance folder next to the repository", dir, err)
	}
	for _, name := range []string{"epcisDocWithVariousEventTypes.jsonld", "epcisDocWithVariousEventTypes.xml", "epclist_normalisation.jsonld"} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, "", "hash", filepath.Join(dir, name))
			if code != ExitOK {
				t.Fatalf("exit code %d; stderr: %s", code, stderr)
			}
			want := readNonEmptyLines(t, filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+".hashes"))
			got := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if len(got) != len(want) {
				t.Fatalf("got %d lines, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("line %d: got %s, want %s", i+1, got[i], want[i])
				}
			}
		})
	}
}

func readNonEmptyLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}
