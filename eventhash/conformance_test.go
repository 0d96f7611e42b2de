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
// by file extension. XML is read leniently, as the hash tool reads it (see
// epcis.XMLDecoder.SetLenient), because several example documents break the
// EPCIS 2.0 XML schema in ways the reference implementation accepts. An
// error that concerns one event is kept in its place and decoding goes on;
// an error that ends the document is returned.
func decodeFile(t testing.TB, path string) ([]decoded, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer f.Close()
	var dec epcis.Decoder
	if contentTypeOf(path) == "application/xml" {
		xd := epcis.NewXMLDecoder(f)
		xd.SetLenient(true)
		dec = xd
	} else {
		dec, err = epcis.NewDecoder(f, contentTypeOf(path))
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
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

// conformanceCounts tallies the vector lines of the example documents.
type conformanceCounts struct {
	hashesCompared, hashesMatched       int
	preHashesCompared, preHashesMatched int
	preHashesDamaged                    int
}

// TestConformanceExamples hashes every event of every example document,
// XML and JSON-LD, and compares each line of the matching .hashes and
// .prehashes files. The only lines not compared are defects of the vector
// files themselves: a pre-hash line that does not hash to its own .hashes
// line (garbled or truncated in the vector file; its hash line is still
// compared), and a vector file with no input document.
func TestConformanceExamples(t *testing.T) {
	dir := conformanceDir(t, "event-hash", "examples")
	all, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	inputs := slices.DeleteFunc(slices.Clone(all), func(p string) bool {
		ext := filepath.Ext(p)
		return ext != ".jsonld" && ext != ".xml"
	})
	if len(inputs) == 0 {
		t.Fatalf("no example documents in %s", dir)
	}
	// Vector files whose example has no input document cannot be checked.
	for _, p := range all {
		ext := filepath.Ext(p)
		if ext != ".hashes" && ext != ".prehashes" {
			continue
		}
		stem := strings.TrimSuffix(p, ext)
		if !slices.Contains(inputs, stem+".xml") && !slices.Contains(inputs, stem+".jsonld") {
			t.Logf("%s has no .xml or .jsonld input document; its lines are not compared", filepath.Base(p))
		}
	}
	var c conformanceCounts
	defer func() {
		t.Logf("%d documents: %d of %d hash lines matched; %d of %d pre-hash lines matched, %d damaged pre-hash lines not compared",
			len(inputs), c.hashesMatched, c.hashesCompared, c.preHashesMatched, c.preHashesCompared, c.preHashesDamaged)
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
			if wantPre == nil {
				t.Logf("%s has no .prehashes file; only its hash lines are compared", name)
			}
			if len(wantPre) > len(wantHashes) {
				t.Errorf("%s.prehashes has %d lines but %s.hashes only %d", name, len(wantPre), name, len(wantHashes))
			}
			events, err := decodeFile(t, input)
			if err != nil {
				t.Fatalf("decode after %d events: %v", len(events), err)
			}
			if len(events) != len(wantHashes) {
				t.Fatalf("decoded %d events, want %d (one per line of %s.hashes)", len(events), len(wantHashes), name)
			}
			h := Hasher{IgnoreFields: ignoreFieldsOf[name]}
			for i, d := range events {
				checkConformanceEvent(t, &c, h, d, i, name, wantHashes[i], wantPre)
			}
		})
	}
}

// checkConformanceEvent compares the hash and pre-hash of event i with the
// vector lines, counting them in c.
func checkConformanceEvent(t *testing.T, c *conformanceCounts, h Hasher, d decoded, i int, name, wantHash string, wantPre []string) {
	t.Helper()
	c.hashesCompared++
	hasPre := i < len(wantPre) && HashPreHash(wantPre[i]) == wantHash
	if i < len(wantPre) && !hasPre {
		// The vector's own pre-hash line does not give its hash line, so
		// the pre-hash line is damaged; only the hash line is compared.
		t.Logf("event %d: %s.prehashes line %d does not hash to its .hashes line; compared the hash only", i, name, i+1)
		c.preHashesDamaged++
	}
	if hasPre {
		c.preHashesCompared++
	}
	if d.err != nil {
		t.Errorf("event %d: decode: %v", i, d.err)
		return
	}
	pre, err := h.PreHash(d.event)
	if err != nil {
		t.Errorf("event %d: PreHash: %v", i, err)
		return
	}
	if got := HashPreHash(pre); got != wantHash {
		t.Errorf("event %d: hash\n got %s\nwant %s\npre-hash %s", i, got, wantHash, pre)
	} else {
		c.hashesMatched++
	}
	if !hasPre {
		return
	}
	if pre != wantPre[i] {
		t.Errorf("event %d: pre-hash\n got %s\nwant %s", i, pre, wantPre[i])
	} else {
		c.preHashesMatched++
	}
}

// TestConformanceStrictRejects checks that strict reading, which capture
// uses, still rejects the example documents that break the EPCIS 2.0 XML
// schema, with errors that name the offending element, while the hash
// tests above read them leniently.
func TestConformanceStrictRejects(t *testing.T) {
	dir := conformanceDir(t, "event-hash", "examples")
	type rejection struct {
		event   int // -1 for the whole document
		pointer string
		message string
	}
	tests := []struct {
		file string
		want []rejection
	}{
		{"SensorDataExamples.xml", []rejection{{11, "/EPCISDocument/EPCISBody/EventList/TransformationEvent[1]/sensorElementList",
			"element <sensorElementList> must come before <ilmd> in TransformationEvent"}}},
		{"epcisQueryDocument.xml", []rejection{{-1, "/EPCISQueryDocument/EPCISBody/QueryResults",
			"the query document holds no QueryResults, so it has no events to capture"}}},
		{"epcisXmlQueryDocHavingEventWithIgnoreFields.xml", []rejection{{-1, "/EPCISQueryDocument/queryName",
			"unexpected element <queryName>: expected <EPCISBody>"}}},
		{"epcisXmlDocHavingEventWithIgnoreFields.xml", []rejection{
			{0, "/EPCISDocument/EPCISBody/EventList/ObjectEvent[1]/extension/quantityList", "element <quantityList> is not part of ObjectEvent"},
			{1, "/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/extension/quantityList", "element <quantityList> is not part of ObjectEvent"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer f.Close()
			d := epcis.NewXMLDecoder(f)
			var got []rejection
			var last error
			for {
				_, err := d.Next()
				if errors.Is(err, io.EOF) || (err != nil && err == last) {
					break
				}
				if err == nil {
					continue
				}
				last = err
				var verr *epcis.ValidationError
				if !errors.As(err, &verr) {
					t.Fatalf("error %v (%T), want a *ValidationError", err, err)
				}
				for _, fe := range verr.Errors {
					got = append(got, rejection{fe.EventIndex, fe.Pointer, fe.Message})
				}
				if !isEventError(err) {
					break
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("strict errors:\n got %+v\nwant %+v", got, tt.want)
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
