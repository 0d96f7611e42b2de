package eventhash

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
)

// conformanceDir returns the folder of public conformance data, which lies
// next to the repository root, or skips the test when it is absent.
func conformanceDir(t testing.TB, sub ...string) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source file")
	}
	root := filepath.Dir(filepath.Dir(file)) // the module root
	dir := filepath.Join(append([]string{root, "..", "shared", "conformance"}, sub...)...)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance data not found at %s (%v); these tests need the shared conformance folder next to the repository", dir, err)
	}
	return dir
}

// decoded is one event of a document, or the error that its decoding
// returned.
type decoded struct {
	event *epcis.Event
	err   error
}

// decodeFile decodes every event of an EPCIS document, choosing the syntax
// by file extension. An error that concerns one event is kept in its place
// and decoding goes on; an error that ends the document is returned.
func decodeFile(t testing.TB, path string) ([]decoded, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer f.Close()
	dec, err := epcis.NewDecoder(f, contentTypeOf(path))
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	var events []decoded
	var last error
	for {
		e, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return events, nil
		}
		if err != nil && (err == last || !isEventError(err)) {
			return events, err
		}
		last = err
		events = append(events, decoded{e, err})
	}
}

// isEventError reports whether err concerns one event only, after which
// the decoder continues with the next event.
func isEventError(err error) bool {
	var verr *epcis.ValidationError
	return errors.As(err, &verr) && len(verr.Errors) > 0 && verr.Errors[0].EventIndex >= 0
}

// contentTypeOf maps a file extension to the media type of its syntax.
func contentTypeOf(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".xml") {
		return "application/xml"
	}
	return "application/ld+json"
}

// readLines returns the non-empty lines of a vector file, or nil when the
// file does not exist.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for sc.Scan() {
		if line := strings.TrimRight(sc.Text(), "\r"); line != "" {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return lines
}

// ignoreFieldsOf lists the ignore-fields of the example documents that
// carry a repository's ignoreFields header element.
var ignoreFieldsOf = map[string][]Name{
	"epcisDocHavingEventWithIgnoreFields": {
		{Space: "https://repository-x.example.com/", Local: "hash"},
		{Space: "https://ns.example.com/epcis/", Local: "captureID"},
	},
	"epcisQueryDocHavingEventWithIgnoreFields": {
		{Space: "https://repository-x.example.com/", Local: "hash"},
		{Space: "https://ns.example.com/epcis/", Local: "captureID"},
	},
	"epcisXmlDocHavingEventWithIgnoreFields": {
		{Space: "https://ns.example.com/epcis/", Local: "testField1"},
		{Space: "https://ns.example.com/epcis/", Local: "testField2"},
	},
	"epcisXmlQueryDocHavingEventWithIgnoreFields": {
		{Space: "https://ns.example.com/epcis/", Local: "testField1"},
		{Space: "https://ns.example.com/epcis/", Local: "testField2"},
	},
}

// invalidExamples lists the example documents, or single events in them,
// that break the EPCIS 2.0 XML schema. The reference implementation reads
// any XML. A decoder may reject such an event, or model it otherwise and so
// hash it differently, and the test then logs the difference instead of
// failing. An event index of -1 means the whole document.
var invalidExamples = map[string]map[int]string{
	"SensorDataExamples.xml": {
		11: "the TransformationEvent writes sensorElementList after ilmd, against the element order of the EPCIS 2.0 XSD",
	},
	"epcisQueryDocument.xml": {
		-1: "QueryResults is not in the EPCIS query namespace urn:epcglobal:epcis-query:xsd:2",
	},
	"epcisXmlQueryDocHavingEventWithIgnoreFields.xml": {
		-1: "queryName and resultsBody stand directly under EPCISQueryDocument instead of inside EPCISBody/QueryResults",
	},
	"epcisXmlDocHavingEventWithIgnoreFields.xml": {
		0: "quantityList sits in an EPCIS 1.2 extension wrapper, which EPCIS 2.0 allows only for elements of another namespace",
		1: "quantityList sits in an EPCIS 1.2 extension wrapper, which EPCIS 2.0 allows only for elements of another namespace",
	},
}

func TestConformanceExamples(t *testing.T) {
	dir := conformanceDir(t, "event-hash", "examples")
	inputs, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	inputs = slices.DeleteFunc(inputs, func(p string) bool {
		ext := filepath.Ext(p)
		return ext != ".jsonld" && ext != ".xml"
	})
	if len(inputs) == 0 {
		t.Fatalf("no example documents in %s", dir)
	}
	var hashesMatched, preHashesMatched int
	defer func() {
		t.Logf("matched %d hash lines and %d pre-hash lines in %d documents", hashesMatched, preHashesMatched, len(inputs))
	}()
	for _, input := range inputs {
		file := filepath.Base(input)
		name := strings.TrimSuffix(file, filepath.Ext(file))
		t.Run(file, func(t *testing.T) {
			wantHashes := readLines(t, filepath.Join(dir, name+".hashes"))
			wantPre := readLines(t, filepath.Join(dir, name+".prehashes"))
			if wantHashes == nil {
				t.Fatalf("%s has no .hashes file", name)
			}
			events, err := decodeFile(t, input)
			if err != nil {
				if reason, ok := invalidExamples[file][-1]; ok {
					t.Skipf("decoder rejected the document (%v); allowed because %s", err, reason)
				}
				t.Fatalf("decode after %d events: %v", len(events), err)
			}
			if len(events) != len(wantHashes) {
				t.Fatalf("decoded %d events, want %d (one per line of %s.hashes)", len(events), len(wantHashes), name)
			}
			h := Hasher{IgnoreFields: ignoreFieldsOf[name]}
			for i, d := range events {
				if d.err != nil {
					if reason, ok := invalidExamples[file][i]; ok {
						t.Logf("event %d: decoder rejected it (%v); allowed because %s", i, d.err, reason)
					} else {
						t.Errorf("event %d: decode: %v", i, d.err)
					}
					continue
				}
				pre, err := h.PreHash(d.event)
				if err != nil {
					t.Errorf("event %d: PreHash: %v", i, err)
					continue
				}
				if got := HashPreHash(pre); got != wantHashes[i] {
					if reason, ok := invalidExamples[file][i]; ok {
						t.Logf("event %d: hash differs from the vector; allowed because %s\npre-hash %s", i, reason, pre)
						continue
					}
					t.Errorf("event %d: hash\n got %s\nwant %s\npre-hash %s", i, got, wantHashes[i], pre)
				} else {
					hashesMatched++
				}
				if i >= len(wantPre) {
					continue
				}
				if HashPreHash(wantPre[i]) != wantHashes[i] {
					// The vector's own pre-hash line does not give its hash
					// line, so the pre-hash line is damaged; the hash line
					// was checked above.
					t.Logf("event %d: %s.prehashes line %d does not hash to its .hashes line; compared the hash only", i, name, i+1)
					continue
				}
				if pre != wantPre[i] {
					t.Errorf("event %d: pre-hash\n got %s\nwant %s", i, pre, wantPre[i])
				} else {
					preHashesMatched++
				}
			}
		})
	}
}

// TestConformanceWithEventHashID checks the documents that write one event
// in several ways (shuffled lists, another namespace prefix, xsi:type
// annotations, JSON-LD instead of XML): every event must get the hash of
// the first document's event. The exception is the document that moves the
// event to another eventTimeZoneOffset: the CBV 2.0 hash rules keep the
// offset in the pre-hash string, so that event must hash differently.
func TestConformanceWithEventHashID(t *testing.T) {
	dir := conformanceDir(t, "gs1-epcis", "XML", "WithEventHashID")
	const base = "event_with_identical_hash_id_1.xml"
	otherOffset := map[string]bool{"event_with_identical_hash_id_2.xml": true}
	docs, err := filepath.Glob(filepath.Join(dir, "event_with_identical_hash_id_*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 2 {
		t.Fatalf("found %d documents in %s, want several to compare", len(docs), dir)
	}
	hashOf := func(t *testing.T, path string) (hash, pre string) {
		t.Helper()
		events, err := decodeFile(t, path)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if len(events) != 1 || events[0].err != nil {
			t.Fatalf("decoded %d events (first error %v), want exactly one valid event", len(events), firstError(events))
		}
		pre, err = PreHash(events[0].event)
		if err != nil {
			t.Fatalf("PreHash: %v", err)
		}
		return HashPreHash(pre), pre
	}
	var wantHash, wantPre string
	t.Run(base, func(t *testing.T) { wantHash, wantPre = hashOf(t, filepath.Join(dir, base)) })
	if wantHash == "" {
		t.FailNow()
	}
	for _, doc := range docs {
		file := filepath.Base(doc)
		if file == base {
			continue
		}
		t.Run(file, func(t *testing.T) {
			got, pre := hashOf(t, doc)
			switch {
			case otherOffset[file] && got == wantHash:
				t.Errorf("hash equals the base event's %s although eventTimeZoneOffset differs", got)
			case !otherOffset[file] && got != wantHash:
				t.Errorf("hash\n got %s\nwant %s\npre-hash      %s\nbase pre-hash %s", got, wantHash, pre, wantPre)
			}
		})
	}
}

func firstError(events []decoded) error {
	for _, d := range events {
		if d.err != nil {
			return d.err
		}
	}
	return nil
}
