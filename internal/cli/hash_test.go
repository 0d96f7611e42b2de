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

// hashIgnoreFields gives the --ignore flags for the example documents that
// name ignore-fields in a repository's ignoreFields header element.
var hashIgnoreFields = map[string][]string{
	"epcisDocHavingEventWithIgnoreFields":         {"{https://repository-x.example.com/}hash", "{https://ns.example.com/epcis/}captureID"},
	"epcisQueryDocHavingEventWithIgnoreFields":    {"{https://repository-x.example.com/}hash", "{https://ns.example.com/epcis/}captureID"},
	"epcisXmlDocHavingEventWithIgnoreFields":      {"{https://ns.example.com/epcis/}testField1", "{https://ns.example.com/epcis/}testField2"},
	"epcisXmlQueryDocHavingEventWithIgnoreFields": {"{https://ns.example.com/epcis/}testField1", "{https://ns.example.com/epcis/}testField2"},
}

// TestHashCommandConformance runs the command with --prehash on every CBV
// 2.0 event hash example, XML and JSON-LD, and compares every hash line and
// every pre-hash line with the vector files. A pre-hash line of the vector
// that does not hash to its own hash line is damaged in the vector file and
// is left out.
func TestHashCommandConformance(t *testing.T) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source file")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "conformance", "event-hash", "examples")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance data not found at %s (%v); this test needs the shared conformance folder next to the repository", dir, err)
	}
	inputs, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var documents, hashes, preHashes int
	for _, input := range inputs {
		ext := filepath.Ext(input)
		if ext != ".xml" && ext != ".jsonld" {
			continue
		}
		documents++
		name := strings.TrimSuffix(filepath.Base(input), ext)
		t.Run(filepath.Base(input), func(t *testing.T) {
			args := []string{"hash", "--prehash"}
			for _, f := range hashIgnoreFields[name] {
				args = append(args, "--ignore", f)
			}
			code, stdout, stderr := runMain(t, "", append(args, input)...)
			if code != ExitOK {
				t.Fatalf("exit code %d; stderr: %s", code, stderr)
			}
			wantHashes := readNonEmptyLines(t, filepath.Join(dir, name+".hashes"))
			var wantPre []string
			if _, err := os.Stat(filepath.Join(dir, name+".prehashes")); err == nil {
				wantPre = readNonEmptyLines(t, filepath.Join(dir, name+".prehashes"))
			}
			got := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if len(got) != 2*len(wantHashes) {
				t.Fatalf("got %d lines, want %d (a hash and a pre-hash for each of %d events)", len(got), 2*len(wantHashes), len(wantHashes))
			}
			for i, want := range wantHashes {
				if got[2*i] != want {
					t.Errorf("event %d hash: got %s, want %s", i, got[2*i], want)
				} else {
					hashes++
				}
				if i >= len(wantPre) || sha256Hash(wantPre[i]) != want {
					continue
				}
				if got[2*i+1] != wantPre[i] {
					t.Errorf("event %d pre-hash:\n got %s\nwant %s", i, got[2*i+1], wantPre[i])
				} else {
					preHashes++
				}
			}
		})
	}
	t.Logf("%d documents: %d hash lines and %d pre-hash lines reproduced", documents, hashes, preHashes)
}

// hashLenientXML is an EPCIS 2.0 document that breaks the XML schema in the
// ways lenient reading accepts: sensorElementList after ilmd, quantityList
// in an EPCIS 1.2 extension wrapper, and a query envelope without
// EPCISBody and QueryResults.
const hashLenientXML = `<?xml version="1.0" encoding="UTF-8"?>
<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2" xmlns:ex="https://ns.example.org/trace/"
    schemaVersion="2.0" creationDate="2026-12-01T08:00:00Z">
  <ex:note>envelope content in another namespace</ex:note>
  <queryName>SimpleEventQuery</queryName>
  <resultsBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-12-01T08:30:00Z</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <epcList/>
        <action>ADD</action>
        <ilmd><ex:lot>A1</ex:lot></ilmd>
        <sensorElementList>
          <sensorElement><sensorReport type="Temperature" value="4.5" uom="CEL"/></sensorElement>
        </sensorElementList>
        <extension>
          <quantityList>
            <quantityElement><epcClass>urn:epc:class:lgtin:6901234.012345.A1</epcClass><quantity>10</quantity><uom>KGM</uom></quantityElement>
          </quantityList>
        </extension>
      </ObjectEvent>
    </EventList>
  </resultsBody>
</epcisq:EPCISQueryDocument>`

// hashLenientPreHash is the pre-hash of the event of hashLenientXML, in
// the field order of CBV 2.0 section 8.9 (an empty epcList is left out).
const hashLenientPreHash = "eventType=ObjectEventeventTime=2026-12-01T08:30:00.000ZeventTimeZoneOffset=+08:00" +
	"quantityListquantityElementepcClass=https://id.gs1.org/01/06901234123456/10/A1quantity=10uom=KGMaction=ADD" +
	"sensorElementListsensorElementsensorReporttype=https://gs1.org/voc/Temperaturevalue=4.5uom=CEL" +
	"ilmd{https://ns.example.org/trace/}lot=A1"

func TestHashCommandStrictFlag(t *testing.T) {
	path := writeFile(t, "lenient.xml", hashLenientXML)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"lenient by default", []string{"hash", "--prehash", path}, ExitOK,
			sha256Hash(hashLenientPreHash) + "\n" + hashLenientPreHash + "\n", ""},
		{"standard input lenient", []string{"hash", "-"}, ExitOK, sha256Hash(hashLenientPreHash) + "\n", ""},
		{"strict rejects the envelope", []string{"hash", "--strict", path}, ExitFailure, "", "unexpected element <queryName>: expected <EPCISBody>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, hashLenientXML, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code: got %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			if stdout != tt.wantStdout {
				t.Errorf("stdout:\n got %q\nwant %q", stdout, tt.wantStdout)
			}
			if tt.wantStderr == "" && stderr != "" {
				t.Errorf("stderr: got %q, want nothing", stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q: %s", tt.wantStderr, stderr)
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
